"""Storing a checked member sheet: the upload, its findings, the unit's members, events, audit.

Every upload is kept, clean or not. A clean one becomes the current list of its part (the
whole unit, or one workshop 车间/部门/班组): the members it replaces are superseded (kept,
marked with the upload that superseded them), never deleted, so a figure as of a past day
never changes. All in the caller's transaction (nothing commits here); the same bytes uploaded
again for a unit are recognised by their SHA-256 and change nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Select, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused, RemovalNeedsConfirmation
from campaign.i18n import t
from campaign.rules.id_number import id_hash
from campaign.timeutil import now_utc
from campaign.validate import Result, validate_workbook
from data_access import summary, summary_more, unit_state
from data_access.actions.base import NotFound, add_events, lock_org, log_action, require_role, unit_in_scope
from data_access.audit import log_import
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import Finding, Member, MemberEvent, OrgUnit, Upload
from data_access.scope import Scope

NOT_YET_SUBMITTED = ("collected", "validated")
CHUNK = 500
FEW_REMOVED = 3  # a new list may drop this many current members without asking
MAX_RACE_RETRIES = 2


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """What ``store_upload`` did: the upload's id, whether it was already there, members written.

    ``result`` is the validation as stored: when someone else registered one of the sheet's
    people between the check and the store, it holds the new duplicate findings (and is no
    longer clean), so the caller shows those instead of the stale check.
    """

    upload_id: int
    recognised: bool
    attempt: int
    members_stored: int
    error_count: int
    warning_count: int
    result: Result | None = None

    @property
    def conflicted(self) -> bool:
        """A clean check that turned out to have duplicates when stored."""
        return self.result is not None and not self.result.is_clean and self.members_stored == 0


def sha256_hex(content: bytes) -> str:
    """The SHA-256 of an upload's bytes, as hex."""
    return hashlib.sha256(content).hexdigest()


def find_upload(session: Session, unit_id: int, digest: str) -> Upload | None:
    """The unit's upload of exactly these bytes, if any."""
    return session.scalar(select(Upload).where(Upload.unit_id == unit_id, Upload.sha256 == digest))


def _clean_hashes(result: Result) -> list[str]:
    clean = result.clean_members()
    return sorted({id_hash(number) for number in clean["id_number"].tolist()}) if len(clean) else []


def _replaceable(campaign_id: int, unit_id: int, part: str) -> Select[tuple[int, str]]:
    """The unit's live members of this part that a new clean list replaces (not yet submitted)."""
    return (
        select(Member.id, Member.id_hash)
        .join(Upload, Upload.id == Member.upload_id)
        .where(
            Member.campaign_id == campaign_id,
            Member.unit_id == unit_id,
            live(),
            Member.stage.in_(NOT_YET_SUBMITTED),
            Upload.part == part,
        )
    )


def _current_hashes(session: Session, campaign_id: int, unit_id: int, part: str) -> set[str]:
    return {digest for _, digest in session.execute(_replaceable(campaign_id, unit_id, part))}


def _recheck(session: Session, result: Result, campaign_id: int, unit_id: int, scope: Scope, part: str) -> Result:
    """The sheet checked again against the database as it is inside this transaction."""
    if not result.is_clean:
        return result
    hashes = _clean_hashes(result)
    known = known_ids_for_campaign(session, campaign_id, unit_id, hashes, scope)
    own = submitted_ids_for_unit(session, campaign_id, unit_id, hashes, part)
    if not known and not own:
        return result
    config = replace(result.config, known_ids=known, unit_ids=own, lookup_ids=None)
    return validate_workbook(result.workbook, config)


def store_upload(
    session: Session,
    *,
    campaign_id: int,
    unit_id: int,
    file_name: str,
    content_bytes: bytes,
    result: Result,
    uploaded_by: str | None,
    now: datetime,
    scope: Scope | None = None,
    confirm_removal: bool = False,
    part: str = "",
) -> StoredUpload:
    """Record an upload and its findings; when clean, make its rows the unit's members.

    Clean (no errors): the unit's members not yet submitted are replaced by the sheet's rows
    (stage 'validated', collected_at = validated_at = now). Idempotent per (unit, SHA-256).
    The unit is locked first, so two stores for one unit run one after the other on every
    backend; the duplicate check is repeated inside the transaction (``scope`` decides what
    a finding may say about another unit). A clean list that would drop more than
    ``FEW_REMOVED`` of the unit's current members raises ``RemovalNeedsConfirmation`` (nothing
    written) unless ``confirm_removal``.
    """
    scope = scope or Scope.everything()
    lock_org(session, unit_id)
    digest = sha256_hex(content_bytes)
    existing = find_upload(session, unit_id, digest)
    if existing is not None:
        return StoredUpload(existing.id, True, existing.attempt, 0, existing.error_count, existing.warning_count, result)
    part = part.strip()[:100]
    result = _recheck(session, result, campaign_id, unit_id, scope, part)
    if result.is_clean and not confirm_removal:
        current = _current_hashes(session, campaign_id, unit_id, part)
        removed = len(current - set(_clean_hashes(result)))
        if removed > FEW_REMOVED:
            raise RemovalNeedsConfirmation(removed=removed, current=len(current), new=len(result.clean_members()))
    for attempt_left in range(MAX_RACE_RETRIES, -1, -1):
        try:
            with session.begin_nested():
                return _write(session, campaign_id, unit_id, part, file_name, digest, result, uploaded_by, now)
        except IntegrityError:
            # Another unit stored one of these people after our check and before our insert
            # (PostgreSQL, READ COMMITTED): their rows are visible now; check again.
            if attempt_left == 0:
                raise
            result = _recheck(session, result, campaign_id, unit_id, scope, part)
    raise AssertionError("unreachable")


def _write(
    session: Session,
    campaign_id: int,
    unit_id: int,
    part: str,
    file_name: str,
    digest: str,
    result: Result,
    uploaded_by: str | None,
    now: datetime,
) -> StoredUpload:
    previous = session.scalar(
        select(func.max(Upload.attempt)).where(Upload.unit_id == unit_id, Upload.campaign_id == campaign_id)
    )
    upload = Upload(
        campaign_id=campaign_id,
        unit_id=unit_id,
        file_name=file_name[:255],
        sha256=digest,
        uploaded_by=uploaded_by,
        uploaded_at=now,
        rows=len(result.members),
        error_count=result.error_count,
        warning_count=result.warning_count,
        attempt=(previous or 0) + 1,
        part=part,
    )
    session.add(upload)
    session.flush()
    multi = len(result.workbook.sheets) > 1
    issues = [
        {
            "upload_id": upload.id,
            "row": f.row,
            "column": (f"{f.sheet}!{f.column}" if multi and f.column else f.column or None),
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
            "suggestion": f.suggestion,
        }
        for f in result.findings
    ]
    if issues:
        session.execute(insert(Finding.__table__), issues)  # Core: no per-row ORM work
    summary_more.refresh_units(session, campaign_id, [unit_id], [summary_more.FINDINGS])  # this transaction
    stored = 0
    if result.is_clean:
        replaced = [(member_id, unit_id) for member_id, _ in session.execute(_replaceable(campaign_id, unit_id, part))]
        add_events(
            session, replaced, "superseded", campaign_id=campaign_id, at=now, by=uploaded_by, upload_id=upload.id
        )
        session.execute(
            update(Upload)
            .where(
                Upload.campaign_id == campaign_id, Upload.unit_id == unit_id, Upload.part == part,
                Upload.id != upload.id, Upload.superseded_at.is_(None), Upload.withdrawn_at.is_(None),
            )
            .values(superseded_at=now, superseded_by_upload_id=upload.id)
        )
        clean = result.clean_members()
        births = clean["birth_date"].dt.date.tolist() if len(clean) else []
        rows = [
            {
                "campaign_id": campaign_id,
                "unit_id": unit_id,
                "upload_id": upload.id,
                "sheet_row": int(row),
                "name": name,
                "id_number": number,
                "id_hash": id_hash(number),
                "phone": phone,
                "sex": sex,
                "birth_date": born,
                "stage": "validated",
                "collected_at": now,
                "validated_at": now,
            }
            for row, name, number, phone, sex, born in zip(
                clean["row"].tolist(),
                clean["name"].tolist(),
                clean["id_number"].tolist(),
                clean["phone"].tolist(),
                clean["sex"].tolist(),
                births,
                strict=True,
            )
        ]
        if rows:
            session.execute(insert(Member.__table__), rows)  # Core: no per-row ORM work
            new = session.scalars(select(Member.id).where(Member.upload_id == upload.id)).all()
            summary.add_members(session, new)  # the summary tables, in this transaction
            events = [
                {"member_id": member_id, "campaign_id": campaign_id, "unit_id": unit_id, "kind": kind, "at": now,
                 "by": uploaded_by, "upload_id": upload.id}
                for kind in ("collected", "validated")
                for member_id in new
            ]
            for start in range(0, len(events), CHUNK * 10):
                session.execute(insert(MemberEvent.__table__), events[start : start + CHUNK * 10])
        stored = len(rows)
    unit_state.refresh(session, campaign_id, [unit_id])  # the unit's state versions, in this transaction
    log_import(
        session,
        uploaded_by,
        f"upload:{upload.id}:{file_name}",
        len(result.members),
        f"unit={unit_id} errors={result.error_count} warnings={result.warning_count} members={stored}",
    )
    return StoredUpload(upload.id, False, upload.attempt, stored, result.error_count, result.warning_count, result)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def known_ids_for_campaign(
    session: Session,
    campaign_id: int,
    exclude_unit_id: int | None,
    id_hashes: Iterable[str],
    scope: Scope,
) -> dict[str, str]:
    """id_hash → where that person already is in the campaign, for the given hashes only.

    Inside ``scope`` the answer names the other unit and row; outside it says only that the
    person is registered elsewhere and to ask the district, so a sheet of other people's ID
    numbers cannot be used to find out where anyone in the city is registered.
    """
    query = (
        select(Member.id_hash, OrgUnit.name, OrgUnit.path, Member.sheet_row)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, live())
    )
    if exclude_unit_id is not None:
        query = query.where(Member.unit_id != exclude_unit_id)
    hidden = t("where.outside_scope")
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(id_hashes))):
        for digest, unit_name, path, row in session.execute(query.where(Member.id_hash.in_(chunk))):
            if scope.contains_path(path):
                found[digest] = f"{unit_name}" + (f"（第{row}行）" if row else "")
            else:
                found[digest] = hidden
    return found


def submitted_ids_for_unit(
    session: Session, campaign_id: int, unit_id: int, id_hashes: Iterable[str] | None = None, part: str = ""
) -> Mapping[str, str]:
    """id_hash → where, for the unit's live members a new sheet of ``part`` cannot replace:
    those already past submission, and those on the unit's lists of other parts (workshops),
    so the same person again is a duplicate within the unit."""
    query = (
        select(Member.id_hash, Member.stage, Member.sheet_row, Upload.part, Upload.file_name)
        .join(Upload, Upload.id == Member.upload_id, isouter=True)
        .where(
            Member.campaign_id == campaign_id,
            Member.unit_id == unit_id,
            live(),
            or_(Member.stage.not_in(NOT_YET_SUBMITTED), func.coalesce(Upload.part, "") != part),
        )
    )

    def where(stage: str, row: int | None, other_part: str | None, file_name: str | None) -> str:
        if stage not in NOT_YET_SUBMITTED:
            return f"已提交（{stage}）"
        return t("where.other_part", part=other_part or "—", file=file_name or "", row=row or "")

    found: dict[str, str] = {}
    batches = [query] if id_hashes is None else [query.where(Member.id_hash.in_(c)) for c in _chunks(sorted(set(id_hashes)))]
    for batch in batches:
        for digest, stage, row, other_part, file_name in session.execute(batch):
            found[digest] = where(stage, row, other_part, file_name)
    return found


def lookup_for_sheet(
    session: Session, campaign_id: int, unit_id: int, scope: Scope, part: str = ""
) -> Callable[[Sequence[str]], tuple[Mapping[str, str], Mapping[str, str]]]:
    """The ``Config.lookup_ids`` of a sheet for this unit: only the sheet's own hashes are asked."""

    def lookup(hashes: Sequence[str]) -> tuple[Mapping[str, str], Mapping[str, str]]:
        return (
            submitted_ids_for_unit(session, campaign_id, unit_id, hashes, part.strip()[:100]),
            known_ids_for_campaign(session, campaign_id, unit_id, hashes, scope),
        )

    return lookup


def unit_card_name(session: Session, unit_id: int) -> str | None:
    """The card unit name (办卡单位) registered for a unit, else its name."""
    row = session.execute(
        select(OrgUnit.card_unit_name, OrgUnit.name).where(OrgUnit.id == unit_id)
    ).first()
    return None if row is None else (row[0] or row[1])


class UploadNotWithdrawable(ActionRefused):
    """The upload is not the unit's current list any more, or its members are already submitted."""

    key = "action.upload_not_withdrawable"


def current_files(session: Session, campaign_id: int, unit_id: int) -> list[dict[str, object]]:
    """The unit's current clean files (one per part) with their live member counts, newest first."""
    counts = (
        select(Member.upload_id, func.count().label("members"))
        .where(Member.unit_id == unit_id, live())
        .group_by(Member.upload_id)
        .subquery("live_counts")
    )
    rows = session.execute(
        select(
            Upload.id, Upload.part, Upload.file_name, Upload.uploaded_at, Upload.uploaded_by, Upload.attempt,
            func.coalesce(counts.c.members, 0),
        )
        .join(counts, counts.c.upload_id == Upload.id)
        .where(
            Upload.campaign_id == campaign_id, Upload.unit_id == unit_id, Upload.error_count == 0,
            Upload.superseded_at.is_(None), Upload.withdrawn_at.is_(None),
        )
        .order_by(Upload.uploaded_at.desc())
    )
    keys = ("upload_id", "part", "file_name", "uploaded_at", "uploaded_by", "attempt", "members")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def withdraw_upload(session: Session, user: CurrentUser, upload_id: int, *, at: datetime | None = None) -> int:
    """Withdraw a current file before submission: its members leave the unit's list (kept as
    history, superseded by nothing). Returns how many members left the list."""
    at = at or now_utc()
    upload = session.get(Upload, upload_id)
    if upload is None:
        raise NotFound(what=f"upload {upload_id}")
    require_role(user, ("unit", "district_leader", "admin"))
    unit_in_scope(session, user, upload.unit_id)
    lock_org(session, upload.unit_id)
    session.refresh(upload)
    if upload.withdrawn_at is not None or upload.superseded_at is not None:
        raise UploadNotWithdrawable(file=upload.file_name)
    members = session.execute(
        select(Member.id, Member.unit_id, Member.stage).where(Member.upload_id == upload.id, live())
    ).all()
    if any(stage not in NOT_YET_SUBMITTED for _, _, stage in members):
        raise UploadNotWithdrawable(file=upload.file_name)
    upload.withdrawn_at, upload.withdrawn_by = at, user.login
    add_events(
        session, [(m, u) for m, u, _ in members], "superseded", campaign_id=upload.campaign_id, at=at,
        by=user.login, upload_id=upload.id, note="withdrawn",
    )
    log_action(session, user, "withdraw_upload", f"upload:{upload.id}:{upload.file_name}", len(members), f"unit={upload.unit_id}")
    return len(members)
