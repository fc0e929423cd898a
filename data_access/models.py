"""Typed SQLAlchemy 2.x models of the campaign; times are naive UTC."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention Alembic relies on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class OrgUnit(Base):
    """A node of the union hierarchy: city, new area, district, liaison area, unit, sub-unit.

    ``path`` is the materialised path of ids ("/1/4/17/"), so a subtree is a prefix match;
    ``district_id`` and ``area_id`` are the ancestors at those levels, kept for grouping.
    """

    __tablename__ = "org_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    card_unit_name: Mapped[str | None] = mapped_column(String(300))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    # The code of the node's level (``org_level.code``): levels are data, any depth.
    level: Mapped[str] = mapped_column(String(32))
    path: Mapped[str] = mapped_column(String(400), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    liaison_name: Mapped[str | None] = mapped_column(String(50))
    liaison_phone: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    expected_members: Mapped[int] = mapped_column(Integer, default=0)
    # A node that left the federation's list: kept (its members and history stay), hidden
    # from choices and new work. Never deleted.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("expected_members >= 0", name="expected_members"),
    )


class OrgLevel(Base):
    """A level of the tree, as data: its code (stored on ``org_unit.level``), its Chinese name,
    its depth rank and its kind. The kind says what the level does: ``group`` levels only
    group (city, new area, anything added above the districts), ``district`` is the level that
    reviews and batches (区县局、集团), ``area`` the liaison area (片区), ``unit`` the base-level
    union that submits a list, ``sub_unit`` a workshop (车间/部门/班组) of a unit.
    """

    __tablename__ = "org_level"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    rank: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("kind IN ('group','district','area','unit','sub_unit')", name="kind"),
    )


class Campaign(Base):
    """One card campaign with its reference date and rule configuration."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    reference_date: Mapped[date] = mapped_column(Date)
    retirement_rules: Mapped[str] = mapped_column(String(32), default="2014")
    shared_phone_severity: Mapped[str] = mapped_column(String(8), default="warning")
    activation_date: Mapped[date | None] = mapped_column(Date)
    root_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The levels that approve a submission, in order (comma-separated org levels): the seed
    # has the district union, then the new-area union, before the bank.
    review_levels: Mapped[str] = mapped_column(String(100), default="district", server_default="district")
    created_by: Mapped[str | None] = mapped_column(String(64))


class Deadline(Base):
    """A milestone's due time for a level of the tree, or for one unit (an extension)."""

    __tablename__ = "deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    milestone: Mapped[str] = mapped_column(String(32))
    level: Mapped[str | None] = mapped_column(String(16))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    is_extension: Mapped[bool] = mapped_column(Boolean, default=False)
    due_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    # Who set it and when (an extension's "who granted, when"; its reason is ``note``). A
    # changed deadline is a new row; the old one is marked superseded, never rewritten.
    set_by: Mapped[str | None] = mapped_column(String(64))
    set_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)


class Upload(Base):
    """One uploaded member sheet of a unit; the same bytes twice are one upload."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str | None] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    # One list may come in several files, one per workshop (车间/部门/班组): the part a file is
    # for ('' for the whole unit). The unit's current list is its current clean file per part.
    part: Mapped[str] = mapped_column(String(100), default="", server_default="")
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_by_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("unit_id", "sha256", name="unit_sha256"),
        # Two stores racing for one unit must not both become "attempt n" (PostgreSQL has no
        # BEGIN IMMEDIATE): the second one fails here and is retried or refused.
        UniqueConstraint("campaign_id", "unit_id", "attempt", name="unit_attempt"),
    )


class Member(Base):
    """One person in the campaign, with the time each stage was first reached."""

    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    sub_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"), index=True)
    sheet_row: Mapped[int | None] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    id_hash: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(11))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    collected_at: Mapped[datetime | None] = mapped_column(DateTime)
    validated_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    produced_at: Mapped[datetime | None] = mapped_column(DateTime)
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    corrected_at: Mapped[datetime | None] = mapped_column(DateTime)
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    distributed_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    activated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # A row is never deleted: a later list supersedes it, or the person is withdrawn.
    superseded_at: Mapped[datetime | None] = mapped_column(DateTime)
    superseded_by_upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        # One live row per person and campaign; superseded and withdrawn rows stay as history.
        Index(
            "uq_member_campaign_live_id_hash", "campaign_id", "id_hash", unique=True,
            sqlite_where=text("superseded_at IS NULL AND withdrawn_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL AND withdrawn_at IS NULL"),
        ),
        CheckConstraint("length(id_number) = 18", name="id_number_length"),
        CheckConstraint("length(phone) = 11", name="phone_length"),
        CheckConstraint("sex IN ('M','F')", name="sex"),
        Index("ix_member_unit_stage", "unit_id", "stage"),
        Index("ix_member_campaign_stage", "campaign_id", "stage", "unit_id"),
    )


class Finding(Base):
    """A validation finding on one cell of an upload (table ``issue`` in the design)."""

    __tablename__ = "issue"

    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", ondelete="CASCADE"))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    suggestion: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("severity IN ('error','warning')", name="severity"),
        Index("ix_issue_upload_code", "upload_id", "code"),
    )


class Submission(Base):
    """A unit's submission to the district, its paper materials and the review outcome."""

    __tablename__ = "submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    on_time: Mapped[bool] = mapped_column(Boolean)
    paper_sheet: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_unit_form: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_id_copies: Mapped[bool] = mapped_column(Boolean, default=False)
    paper_consents: Mapped[bool] = mapped_column(Boolean, default=False)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    return_reason: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The unit form (附件2 单位信息审核表) as submitted, and who submitted it.
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    card_unit_name: Mapped[str | None] = mapped_column(String(300))
    filler_name: Mapped[str | None] = mapped_column(String(50))
    filler_phone: Mapped[str | None] = mapped_column(String(20))
    member_count: Mapped[int | None] = mapped_column(Integer)
    consents_confirmed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Paper counts received (the booleans above are their cache: complete or not).
    id_copies_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    consents_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The review level the submission waits at ('' once approved by the last level).
    review_level: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        CheckConstraint("outcome IN ('pending','approved','returned')", name="outcome"),
    )


class BankBatch(Base):
    """A batch of approved members handed to the bank branch by a district."""

    __tablename__ = "bank_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime)
    branch: Mapped[str] = mapped_column(String(100))
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str | None] = mapped_column(String(64))


class BankResult(Base):
    """The bank's verdict on one member in one batch."""

    __tablename__ = "bank_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bank_batch.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reason_code: Mapped[str | None] = mapped_column(String(32))
    reason_text: Mapped[str | None] = mapped_column(String(200))
    card_number_masked: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("bank_result_import.id"))

    __table_args__ = (
        CheckConstraint("outcome IN ('produced','failed')", name="outcome"),
        UniqueConstraint("member_id", "batch_id", name="member_batch"),
    )


class CardMovement(Base):
    """One step of a produced card on its way to the member."""

    __tablename__ = "card_movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    step: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str | None] = mapped_column(String(64))
    handed_to: Mapped[str | None] = mapped_column(String(50))

    __table_args__ = (
        CheckConstraint(
            "step IN ('received_by_district','handed_to_unit','delivered','activated')",
            name="step",
        ),
        UniqueConstraint("member_id", "step", name="member_step"),
    )


class Chase(Base):
    """A liaison's contact with a unit: a call, a message, a visit."""

    __tablename__ = "chase"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    promised_date: Mapped[date | None] = mapped_column(Date)


class User(Base):
    """A person who signs in; sees the subtree under ``scope_id`` (None: everything).

    ``failed_logins`` counts failed sign-ins in a row; five set ``locked_until`` (UTC).
    """

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by: Mapped[str | None] = mapped_column(String(64))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Raised by sign-out everywhere, a password change, disabling or a changed scope: an open
    # session holding an older value is signed out on its next interaction.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        CheckConstraint("role IN ('admin','district_leader','liaison','unit')", name="role"),
    )


class UserSession(Base):
    """A signed-in browser session that outlives a reload: the browser holds only a random
    token (in a cookie), the server its SHA-256. Ended by sign-out (``revoked_at``), by its
    expiry, or by the user's ``session_version`` moving past the one it was opened with."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Audit(Base):
    """Who imported, exported, signed in or wiped what, when; append-only (database triggers,
    see ``data_access.audit``)."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    user_login: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    object: Mapped[str] = mapped_column(String(255))
    detail: Mapped[str | None] = mapped_column(Text)
    row_count: Mapped[int | None] = mapped_column(Integer)


EVENT_KINDS = (
    "collected", "validated", "superseded", "withdrawn", "submitted", "returned", "approved",
    "sent_to_bank", "produced", "failed", "corrected", "received", "distributed", "delivered",
    "activated", "handed_off",
)


class MemberEvent(Base):
    """One step in a member's history (append-only); the stage columns of ``member`` cache it."""

    __tablename__ = "member_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(DateTime)
    by: Mapped[str | None] = mapped_column(String(64))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("upload.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("bank_batch.id"))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("kind IN (" + ",".join(f"'{k}'" for k in EVENT_KINDS) + ")", name="kind"),
        Index("ix_member_event_unit_kind_at", "unit_id", "kind", "at"),
    )


class ReviewDecision(Base):
    """One level's decision on a submission: approved, or returned with a reason (append-only)."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("decision IN ('approved','returned')", name="decision"),)


class PaperReceipt(Base):
    """Paper materials a district recorded for a submission (append-only; the latest counts)."""

    __tablename__ = "paper_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), index=True)
    sheet: Mapped[bool] = mapped_column(Boolean, default=False)
    unit_form: Mapped[bool] = mapped_column(Boolean, default=False)
    id_copies: Mapped[int] = mapped_column(Integer, default=0)
    consents: Mapped[int] = mapped_column(Integer, default=0)
    by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        CheckConstraint("id_copies >= 0 AND consents >= 0", name="counts"),
    )


class BankBatchMember(Base):
    """Which members a bank batch holds."""

    __tablename__ = "bank_batch_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bank_batch.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)

    __table_args__ = (UniqueConstraint("batch_id", "member_id", name="batch_member"),)


class BankResultImport(Base):
    """One bank result file imported for a batch; the same bytes twice are one import."""

    __tablename__ = "bank_result_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bank_batch.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    produced: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("batch_id", "sha256", name="batch_sha256"),)


class Handoff(Base):
    """An export of issued cards to the city card system; each member is handed off once."""

    __tablename__ = "handoff"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    scope_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    by: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime)
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(255))


class HandoffMember(Base):
    """A member's card as handed off (once)."""

    __tablename__ = "handoff_member"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoff.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), unique=True)


# --- summary tables (data_access/summary.py keeps them; a cache of the member rows) -------


class MemberStageCount(Base):
    """How many live member rows of a unit enter (+n) or leave (-n) a stage count at a time:
    the count of a stage at a cut-off is the sum of ``n`` up to it (a sum over units × times,
    never over members). Kept in the transaction that changes the member rows."""

    __tablename__ = "member_stage_count"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class BankResultCount(Base):
    """Bank result rows per batch, unit (the member's), outcome, reason ('' for none) and time."""

    __tablename__ = "bank_result_count"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bank_batch.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# --- more summary tables (data_access/summary_more.py keeps them; a cache of the rows) ----


class FindingCount(Base):
    """Findings of a unit per code, severity and time: ``raised`` and ``closed`` only grow (+n
    when raised / closed), ``open`` is +n when raised and -n when closed (``finding_life``'s
    closed_at). A figure at a cut-off is the sum of the column up to it."""

    __tablename__ = "finding_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    severity: Mapped[str] = mapped_column(String(8), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    raised: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    open: Mapped[int] = mapped_column(Integer, default=0)


class CardStepCount(Base):
    """Card movement rows per unit (the member's), step and time."""

    __tablename__ = "card_step_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    step: Mapped[str] = mapped_column(String(24), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CardWaitCount(Base):
    """Cards waiting at the district per unit and received time: +n at ``received_at``, -n when
    handed to the unit (``at`` = distributed_at)."""

    __tablename__ = "card_wait_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class BankPeopleCount(Base):
    """People (member rows) the bank answered for (``answered``) / produced a card for
    (``produced``), +1 at the first such result."""

    __tablename__ = "bank_people_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(10), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CorrectionCount(Base):
    """The correction loop per unit and time: members failed / corrected / resubmitted /
    recovered (+1 when it first holds) and still_open (+1 at the first failure, -1 at the first
    production)."""

    __tablename__ = "correction_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(12), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class BatchMemberCount(Base):
    """Members of a bank batch per unit (the member row's)."""

    __tablename__ = "batch_member_count"
    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows stored in key order

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("bank_batch.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# The failed results alone (bank.open_failures starts from them, not from every result), with
# the reason and batch; the produced results; the corrections: the open failures (bank's and
# corrections') read these indexes and no result or event row (``outcome`` / ``kind`` in the
# key: SQLite 3.40 uses a partial index as covering only then).
Index(
    "ix_bank_result_failed", BankResult.member_id, BankResult.at, BankResult.outcome, BankResult.reason_code,
    BankResult.reason_text, BankResult.batch_id,
    sqlite_where=text("outcome = 'failed'"), postgresql_where=text("outcome = 'failed'"),
)
Index(
    "ix_bank_result_produced", BankResult.member_id, BankResult.at, BankResult.outcome,
    sqlite_where=text("outcome = 'produced'"), postgresql_where=text("outcome = 'produced'"),
)
Index(
    "ix_member_event_corrected", MemberEvent.member_id, MemberEvent.at, MemberEvent.kind,
    sqlite_where=text("kind = 'corrected'"), postgresql_where=text("kind = 'corrected'"),
)
# The chase sheet's open bank failures (``chase.open_bank_failures``) from two indexes alone:
# the failure events, and the events that settle a failure (``SETTLES_FAILURE``, written
# out as the sheet's query writes them: SQLite matches a partial index's WHERE by its text) for
# the "settled since?" probe per failed member.
Index(
    "ix_member_event_failed", MemberEvent.member_id, MemberEvent.unit_id, MemberEvent.campaign_id, MemberEvent.at,
    MemberEvent.kind, sqlite_where=text("kind = 'failed'"), postgresql_where=text("kind = 'failed'"),
)
# Member events that settle an open bank failure (the unit corrected it, the bank produced the
# card at last, or the person left the list).
SETTLES_FAILURE = ("corrected", "produced", "withdrawn", "superseded")
SETTLES_FAILURE_WHERE = "kind IN (" + ", ".join(f"'{kind}'" for kind in SETTLES_FAILURE) + ")"
Index(
    "ix_member_event_settles", MemberEvent.member_id, MemberEvent.at, MemberEvent.kind,
    sqlite_where=text(SETTLES_FAILURE_WHERE), postgresql_where=text(SETTLES_FAILURE_WHERE),
)


# --- per-unit current totals (data_access/unit_state.py keeps them; a cache of the rows) -----


class UnitStageTotal(Base):
    """Per unit: the members counted per stage now (the sum of every ``member_stage_count``
    row of the unit), one wide row; a count at a cut-off is this total minus the deltas after it."""

    __tablename__ = "unit_stage_total"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    validated: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[int] = mapped_column(Integer, default=0)
    sent_to_bank: Mapped[int] = mapped_column(Integer, default=0)
    produced: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
    distributed: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    activated: Mapped[int] = mapped_column(Integer, default=0)
    failed_open: Mapped[int] = mapped_column(Integer, default=0)


# The stage deltas after a cut-off (yesterday's, last week's), read without the unit's history.
Index(
    "ix_member_stage_count_recent",
    MemberStageCount.campaign_id, MemberStageCount.at, MemberStageCount.unit_id, MemberStageCount.stage, MemberStageCount.n,
)


# --- the milestone cards' window counts (data_access/summary_window.py keeps it) ------------


class MemberStageWindow(Base):
    """Member rows per unit and stage (sent to the bank, delivered) that reached it at
    ``reached_at`` and count for it from ``live_from`` (the later of that and the row's
    collection) until ``live_until`` (its supersession or withdrawal; 9999-12-31 while live):
    "live at the cut-off and reached in (start, cutoff]" is a sum of ``n`` over the rows whose
    ``reached_at`` falls in the window, never over members. Kept in the transaction that
    changes the member rows."""

    __tablename__ = "member_stage_window"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(16), primary_key=True)
    reached_at: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    live_from: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    live_until: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = {"sqlite_with_rowid": False}  # SQLite: rows in key order, a window is one range


# --- each unit's state versions (data_access/unit_state.py keeps it) --------------------


class UnitStateVersion(Base):
    """Per unit with an upload or a submission, what the progress pages take from its uploads,
    findings, submissions, reviews and paper receipts, in each interval between two changes:
    valid from one change time (an upload, a finding resolved, a submission, a review, a paper
    receipt) until the next (NULL: still in force, the unit's current state). The state at a
    past cut-off is the version in force then, a lookup; before a unit's first version it had
    no upload or submission."""

    __tablename__ = "unit_state_version"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), primary_key=True)
    valid_from: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    valid_until: Mapped[datetime | None] = mapped_column(DateTime)
    # the latest upload (all NULL: none yet)
    collected: Mapped[int | None] = mapped_column(Integer)
    open_errors: Mapped[int | None] = mapped_column(Integer)
    first_clean: Mapped[int | None] = mapped_column(Integer)
    uploads: Mapped[int | None] = mapped_column(Integer)
    # the submissions (all NULL: none yet)
    first_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    kept_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    paper_sheet: Mapped[bool | None] = mapped_column(Boolean)
    paper_unit_form: Mapped[bool | None] = mapped_column(Boolean)
    paper_id_copies: Mapped[bool | None] = mapped_column(Boolean)
    paper_consents: Mapped[bool | None] = mapped_column(Boolean)
    id_copies_missing: Mapped[int | None] = mapped_column(Integer)
    consents_missing: Mapped[int | None] = mapped_column(Integer)
