"""提交报送: a unit submits its current clean list with the unit form (附件2 单位信息审核表).

``submit_list`` checks, in this order, that the user may act for the unit (a unit clerk for
their own unit, or an administrator), that the filler's name and mobile are given and the
consents and ID copies were confirmed collected, that nothing is already waiting or approved,
that no current upload still has errors, and that the unit has a list to submit. Then it
records the submission against the unit's effective deadline (its own extension, else the
nearest ancestor's, at any depth, else the campaign's) and a 'submitted' event per member.

"A current upload still has errors" is kept simple: an upload that is neither withdrawn nor
superseded, has errors, and is newer than the last clean upload of the same part (workshop
file). An older errored file that a clean one of its part replaced was fixed; a newer one means
the unit is still correcting that part, so the list it would submit is not the one it means.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.i18n import has, t
from campaign.reports.unit_form import UnitForm
from campaign.rules.phone import compact as compact_phone
from campaign.rules.phone import error_code as phone_error
from campaign.timeutil import format_local, now_utc
from data_access.actions.base import NotFound, add_events, lock_org, log_action, require_role, unit_in_scope
from data_access.auth import CurrentUser
from data_access.deadlines import node_deadline
from data_access.history import live
from data_access.models import Campaign, Member, OrgUnit, ReviewDecision, Submission, Upload
from data_access.scope import Scope

SUBMITTING_ROLES = ("unit", "admin")
MAX_NAME = 50


class ConsentsNotConfirmed(ActionRefused):
    """The clerk did not confirm that consents and ID copies were collected."""

    key = "wfr.refuse.consents"


class FillerMissing(ActionRefused):
    """No name for the person who filled in the unit form."""

    key = "wfr.refuse.filler_name"


class FillerPhoneInvalid(ActionRefused):
    """The filler's phone is not a mainland mobile number."""

    key = "wfr.refuse.filler_phone"


class NothingToSubmit(ActionRefused):
    """The unit has no validated members in its current list."""

    key = "wfr.refuse.empty"


class UploadHasErrors(ActionRefused):
    """A current upload of the unit still has errors."""

    key = "wfr.refuse.upload_errors"


class AlreadyPending(ActionRefused):
    """A submission of the unit is already waiting for review."""

    key = "wfr.refuse.already_pending"


class AlreadyApproved(ActionRefused):
    """The unit's submission was already approved."""

    key = "wfr.refuse.already_approved"


@dataclass(frozen=True)
class SubmitResult:
    """What ``submit_list`` recorded."""

    submission_id: int
    unit_id: int
    unit_name: str
    card_unit_name: str
    member_count: int
    submitted_at: datetime
    due_at: datetime | None
    on_time: bool
    review_level: str

    def timing(self, lang: str = "zh") -> str:
        """On time (with the time to spare) or late by how long, in words."""
        return timing_text(self.submitted_at, self.due_at, lang)

    def message(self, lang: str = "zh") -> str:
        """One line for the page or the command line."""
        return t(
            "wfr.submit.done", lang, unit=self.unit_name, n=self.member_count, timing=self.timing(lang),
            level=t(f"wfr.level.{self.review_level}", lang) if _has_level(self.review_level) else self.review_level,
        )


def _has_level(level: str) -> bool:
    return has(f"wfr.level.{level}")


def duration_text(hours: float, lang: str = "zh") -> str:
    """A duration in whole hours under a day, else days and hours.

    >>> duration_text(5.5)
    '5小时'
    >>> duration_text(50, "en")
    '2 days 2 hours'
    """
    whole = max(1, math.floor(hours))
    if whole < 24:
        return t("wfr.hours", lang, h=whole)
    days, rest = divmod(whole, 24)
    return t("wfr.days_hours", lang, d=days, h=rest) if rest else t("wfr.days", lang, d=days)


def timing_text(submitted_at: datetime, due_at: datetime | None, lang: str = "zh") -> str:
    """'按时（截止前 x）' or '逾期 x' against a deadline; 'no deadline' without one."""
    if due_at is None:
        return t("wfr.timing.no_deadline", lang)
    hours = (submitted_at - due_at).total_seconds() / 3600
    if hours <= 0:
        return t("wfr.timing.on_time", lang, left=duration_text(-hours, lang), due=format_local(due_at))
    return t("wfr.timing.late", lang, late=duration_text(hours, lang), due=format_local(due_at))


# --- shared look-ups ------------------------------------------------------------------------


def path_ids(path: str) -> list[int]:
    """The ids on a materialised path, root first ('/1/4/17/' -> [1, 4, 17])."""
    return [int(part) for part in path.strip("/").split("/") if part]


def campaign_for_unit(session: Session, unit: OrgUnit, campaign_id: int | None = None) -> Campaign:
    """The campaign named (it must cover the unit), else the newest campaign covering it."""
    ancestors = set(path_ids(unit.path))
    query = select(Campaign).order_by(Campaign.id.desc())
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    for campaign in session.scalars(query):
        if campaign.root_id is None or campaign.root_id in ancestors:
            return campaign
    raise NotFound(what=f"campaign {campaign_id or ''} for unit {unit.code}".replace("  ", " "))


def review_chain(campaign: Campaign) -> list[str]:
    """The campaign's approving levels in order ('district' when unset)."""
    levels = [level.strip() for level in (campaign.review_levels or "").split(",") if level.strip()]
    return levels or ["district"]


def unit_chain(session: Session, campaign: Campaign, unit: OrgUnit) -> list[str]:
    """The review chain for one unit: the campaign's levels that the unit has an ancestor at
    (a tree without a new-area union skips that level rather than waiting for ever)."""
    levels = ancestor_levels(session, [unit.path]).get(unit.path, {})
    chain = [level for level in review_chain(campaign) if level in levels]
    return chain or review_chain(campaign)[:1]


def ancestor_levels(session: Session, paths: Sequence[str]) -> dict[str, dict[str, int]]:
    """path -> {level: ancestor id} for the ancestors on each path (nearest wins)."""
    ids = sorted({i for path in paths for i in path_ids(path)})
    levels: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        for org_id, level in session.execute(select(OrgUnit.id, OrgUnit.level).where(OrgUnit.id.in_(ids[start : start + 500]))):
            levels[org_id] = level
    found: dict[str, dict[str, int]] = {}
    for path in paths:
        mapping: dict[str, int] = {}
        for org_id in path_ids(path):
            if org_id in levels:
                mapping[levels[org_id]] = org_id
        found[path] = mapping
    return found


def effective_deadline(
    session: Session, campaign_id: int, unit: OrgUnit, milestone: str = "unit_submission", cutoff: datetime | None = None
) -> datetime | None:
    """The unit's deadline for a milestone (``data_access.deadlines``: its own extension, else
    the nearest ancestor's at any depth, else a level-wide one, else the campaign's), from the
    deadline rows in force at the cut-off (None: the current ones)."""
    return node_deadline(session, campaign_id, unit, milestone, cutoff)


def live_members(campaign_id: int, unit_id: int, stage: str | Sequence[str]):  # type: ignore[no-untyped-def]
    """SELECT (member id, unit id) of the unit's live members at a stage."""
    stages = [stage] if isinstance(stage, str) else list(stage)
    return select(Member.id, Member.unit_id).where(
        Member.campaign_id == campaign_id,
        Member.unit_id == unit_id,
        live(),
        Member.stage.in_(stages),
    )


def latest_clean_upload(session: Session, campaign_id: int, unit_id: int) -> Upload | None:
    """The unit's newest upload without errors that was not withdrawn."""
    return session.scalar(
        select(Upload)
        .where(Upload.campaign_id == campaign_id, Upload.unit_id == unit_id, Upload.withdrawn_at.is_(None), Upload.error_count == 0)
        .order_by(Upload.uploaded_at.desc(), Upload.id.desc())
        .limit(1)
    )


def uploads_with_errors(session: Session, campaign_id: int, unit_id: int) -> list[Upload]:
    """Current uploads that still have errors (see the module docstring)."""
    uploads = session.scalars(
        select(Upload)
        .where(Upload.campaign_id == campaign_id, Upload.unit_id == unit_id, Upload.withdrawn_at.is_(None))
        .order_by(Upload.uploaded_at, Upload.id)
    ).all()
    last_clean: dict[str, tuple[datetime, int]] = {}
    for upload in uploads:
        if upload.error_count == 0:
            last_clean[upload.part or ""] = (upload.uploaded_at, upload.id)
    return [
        upload for upload in uploads
        if upload.error_count > 0
        and upload.superseded_at is None
        and (upload.uploaded_at, upload.id) > last_clean.get(upload.part or "", (datetime.min, 0))
    ]


def latest_submission(session: Session, campaign_id: int, unit_id: int) -> Submission | None:
    """The unit's newest submission in the campaign."""
    return session.scalar(
        select(Submission)
        .where(Submission.campaign_id == campaign_id, Submission.unit_id == unit_id)
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(1)
    )


# --- the action -----------------------------------------------------------------------------


def submit_list(
    session: Session,
    user: CurrentUser,
    unit_id: int,
    *,
    filler_name: str,
    filler_phone: str,
    consents_confirmed: bool,
    campaign_id: int | None = None,
    at: datetime | None = None,
) -> SubmitResult:
    """Submit the unit's current clean list to the first review level (see the module doc)."""
    at = at or now_utc()
    require_role(user, SUBMITTING_ROLES)
    unit = unit_in_scope(session, user, unit_id)
    lock_org(session, unit.id)
    campaign = campaign_for_unit(session, unit, campaign_id)
    filler = " ".join((filler_name or "").split())
    if not filler or len(filler) > MAX_NAME:
        raise FillerMissing(max=MAX_NAME)
    phone = (filler_phone or "").strip()
    if not phone or phone_error(phone) is not None:
        raise FillerPhoneInvalid(phone=phone[:20])
    phone = compact_phone(phone)
    if not consents_confirmed:
        raise ConsentsNotConfirmed()
    previous = latest_submission(session, campaign.id, unit.id)
    if previous is not None and previous.outcome == "pending":
        raise AlreadyPending(unit=unit.name, at=format_local(previous.submitted_at))
    if previous is not None and previous.outcome == "approved":
        raise AlreadyApproved(unit=unit.name, at=format_local(previous.reviewed_at))
    errored = uploads_with_errors(session, campaign.id, unit.id)
    if errored:
        worst = errored[-1]
        raise UploadHasErrors(file=worst.file_name, errors=worst.error_count, n=len(errored))
    members = dict(session.execute(live_members(campaign.id, unit.id, "validated")).all())
    upload = latest_clean_upload(session, campaign.id, unit.id)
    if not members or upload is None:
        raise NothingToSubmit(unit=unit.name)
    due_at = effective_deadline(session, campaign.id, unit, cutoff=at)
    on_time = due_at is None or at <= due_at
    level = unit_chain(session, campaign, unit)[0]
    submission = Submission(
        campaign_id=campaign.id, unit_id=unit.id, upload_id=upload.id, submitted_at=at, on_time=on_time,
        outcome="pending", submitted_by=user.login, card_unit_name=unit.card_unit_name or unit.name,
        filler_name=filler, filler_phone=phone, member_count=len(members), consents_confirmed=True,
        due_at=due_at, review_level=level,
        paper_sheet=False, paper_unit_form=False, paper_id_copies=False, paper_consents=False,
        id_copies_received=0, consents_received=0,
    )
    session.add(submission)
    session.flush()
    add_events(session, members, "submitted", campaign_id=campaign.id, at=at, by=user.login, submission_id=submission.id)
    result = SubmitResult(
        submission.id, unit.id, unit.name, submission.card_unit_name or "", len(members), at, due_at, on_time, level,
    )
    lateness = "on_time" if on_time else f"late_hours={(at - due_at).total_seconds() / 3600:.1f}" if due_at else "no_deadline"
    log_action(
        session, user, "submit", f"submission:{submission.id}:{unit.code}", len(members),
        f"unit={unit.id} upload={upload.id} level={level} {lateness}",
    )
    return result


# --- reads for the submit page and the timeline ---------------------------------------------


def unit_submissions(session: Session, scope: Scope, campaign_id: int, unit_id: int) -> pd.DataFrame:
    """A unit's submissions, newest first (empty outside the scope)."""
    query = (
        select(
            Submission.id.label("submission_id"), Submission.submitted_at, Submission.submitted_by, Submission.due_at,
            Submission.on_time, Submission.member_count, Submission.filler_name, Submission.filler_phone,
            Submission.outcome, Submission.review_level, Submission.return_reason, Submission.reviewer,
            Submission.reviewed_at, Submission.paper_sheet, Submission.paper_unit_form, Submission.paper_id_copies,
            Submission.paper_consents, Submission.id_copies_received, Submission.consents_received,
            Submission.card_unit_name,
        )
        .join(OrgUnit, OrgUnit.id == Submission.unit_id)
        .where(Submission.campaign_id == campaign_id, Submission.unit_id == unit_id, scope.org_filter(OrgUnit))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
    )
    return pd.DataFrame(session.execute(query).mappings().all())


def unit_decisions(session: Session, scope: Scope, campaign_id: int, unit_id: int) -> pd.DataFrame:
    """Every review decision on the unit's submissions, newest first."""
    query = (
        select(
            ReviewDecision.submission_id, ReviewDecision.level, ReviewDecision.decision, ReviewDecision.reason,
            ReviewDecision.note, ReviewDecision.by, ReviewDecision.at,
        )
        .join(Submission, Submission.id == ReviewDecision.submission_id)
        .join(OrgUnit, OrgUnit.id == Submission.unit_id)
        .where(Submission.campaign_id == campaign_id, Submission.unit_id == unit_id, scope.org_filter(OrgUnit))
        .order_by(ReviewDecision.at.desc(), ReviewDecision.id.desc())
    )
    return pd.DataFrame(session.execute(query).mappings().all())


@dataclass(frozen=True)
class UnitSubmitState:
    """What the submit page shows about one unit before the clerk acts."""

    unit_id: int
    unit_code: str
    unit_name: str
    card_unit_name: str
    hierarchy: tuple[str, ...]
    contact_name: str | None
    contact_phone: str | None
    list_count: int
    submitted_count: int
    upload_errors: int
    due_at: datetime | None
    chain: tuple[str, ...]


def unit_submit_state(session: Session, scope: Scope, campaign_id: int, unit_id: int) -> UnitSubmitState | None:
    """The unit's current list count, errored uploads, deadline and review chain (None outside scope)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.level != "unit" or not scope.contains_path(unit.path):
        return None
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        return None
    counts = dict(
        session.execute(
            select(Member.stage, func.count())
            .where(Member.campaign_id == campaign_id, Member.unit_id == unit_id, live())
            .group_by(Member.stage)
        ).all()
    )
    ancestors = path_ids(unit.path)[:-1]
    names = dict(session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(ancestors))).all())
    return UnitSubmitState(
        unit.id, unit.code, unit.name, unit.card_unit_name or unit.name,
        tuple(names[i] for i in ancestors if i in names), unit.contact_name, unit.contact_phone,
        int(counts.get("validated", 0)), int(counts.get("submitted", 0)),
        len(uploads_with_errors(session, campaign_id, unit_id)),
        effective_deadline(session, campaign_id, unit), tuple(unit_chain(session, campaign, unit)),
    )


def unit_form_data(
    session: Session, scope: Scope, campaign_id: int, unit_id: int, *, now: datetime,
    filler_name: str | None = None, filler_phone: str | None = None,
) -> UnitForm | None:
    """The printable unit form: from the unit's latest submission when there is one (the form
    as submitted), else from what the clerk typed and the current list (None outside scope)."""
    state = unit_submit_state(session, scope, campaign_id, unit_id)
    campaign = session.get(Campaign, campaign_id)
    if state is None or campaign is None:
        return None
    latest = latest_submission(session, campaign_id, unit_id)
    if latest is not None and latest.outcome != "returned":
        return UnitForm(
            campaign.name, state.unit_code, state.unit_name, latest.card_unit_name or state.card_unit_name, state.hierarchy,
            latest.filler_name or "", latest.filler_phone or "", int(latest.member_count or state.submitted_count),
            latest.submitted_at, latest.due_at, now,
        )
    return UnitForm(
        campaign.name, state.unit_code, state.unit_name, state.card_unit_name, state.hierarchy,
        filler_name or state.contact_name or "", filler_phone or state.contact_phone or "", state.list_count,
        None, state.due_at, now,
    )


__all__ = [
    "AlreadyApproved", "AlreadyPending", "ConsentsNotConfirmed", "FillerMissing", "FillerPhoneInvalid",
    "NothingToSubmit", "SubmitResult", "UnitSubmitState", "UploadHasErrors", "ancestor_levels", "campaign_for_unit",
    "effective_deadline", "latest_clean_upload", "latest_submission", "live_members", "review_chain", "submit_list",
    "timing_text", "unit_chain", "unit_form_data", "unit_decisions", "unit_submissions", "unit_submit_state", "uploads_with_errors",
]
