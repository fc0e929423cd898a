"""审核: the review chain (district, then the levels above as the campaign configures).

A submission waits at ``submission.review_level``. An administrator may decide at any level; a
district leader only where their scope root is the unit's ancestor at that level (the district
union for 'district', the new-area union for 'new_area'). Approving at a level that is not the
last moves the submission up (members unchanged); approving at the last level approves it and
its members; returning (at any level) needs a reason from a fixed list ('other' needs a note)
and sends the members back to the unit (stage validated). Every decision is a
``review_decision`` row. A bulk call is all or nothing: one submission that may not be
decided refuses the whole call, naming it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.i18n import has, t
from campaign.timeutil import now_utc
from data_access import unit_state
from data_access.actions.base import NotAllowed, NotFound, add_events, log_action, require_role
from data_access.actions.submit import ancestor_levels, live_members, review_chain
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import Campaign, Member, OrgUnit, ReviewDecision, Submission
from data_access.scope import Scope

REVIEWING_ROLES = ("admin", "district_leader")
DECISIONS = ("approved", "returned")
RETURN_REASONS = ("sheet_errors", "card_unit_name", "materials_missing", "not_eligible", "other")
MAX_NOTE = 500
PAPER = ("sheet", "unit_form", "id_copies", "consents")


class BadDecision(ActionRefused):
    """Neither approve nor return."""

    key = "wfr.refuse.bad_decision"


class ReasonRequired(ActionRefused):
    """A return without a reason from the list."""

    key = "wfr.refuse.reason"


class NoteRequired(ActionRefused):
    """'Other' without a note saying what is wrong."""

    key = "wfr.refuse.note"


class NoteTooLong(ActionRefused):
    """A note longer than a review note may be."""

    key = "wfr.refuse.note_long"


class NothingSelected(ActionRefused):
    """No submission was chosen."""

    key = "wfr.refuse.nothing_selected"


class NotPending(ActionRefused):
    """The submission was already decided (approved or returned)."""

    key = "wfr.refuse.not_pending"


class NotYourLevel(ActionRefused):
    """The submission waits at a level the user does not decide for this unit."""

    key = "wfr.refuse.not_your_level"


def reason_label(code: str | None, lang: str = "zh") -> str:
    """The label of a return reason code (the code itself if unknown)."""
    if code in RETURN_REASONS:
        return t(f"wfr.reason.{code}", lang)
    return code or ""


def return_text(reason: str, note: str | None) -> str:
    """What ``submission.return_reason`` holds: the Chinese label, and the note after it."""
    label = reason_label(reason, "zh")
    return f"{label}：{note}" if note else label


@dataclass(frozen=True)
class ReviewResult:
    """What ``review`` did: per submission, the level decided and where it went."""

    decision: str
    approved: tuple[int, ...] = ()
    moved_up: tuple[tuple[int, str], ...] = ()
    returned: tuple[int, ...] = ()
    members: int = 0
    units: tuple[str, ...] = field(default_factory=tuple)

    def message(self, lang: str = "zh") -> str:
        """One line for the page or the command line."""
        parts = []
        if self.approved:
            parts.append(t("wfr.review.approved", lang, n=len(self.approved), members=self.members))
        if self.moved_up:
            levels = sorted({level for _, level in self.moved_up})
            parts.append(t("wfr.review.moved_up", lang, n=len(self.moved_up), level="、".join(level_label(lv, lang) for lv in levels)))
        if self.returned:
            parts.append(t("wfr.review.returned", lang, n=len(self.returned), members=self.members))
        units = ("、" if lang == "zh" else ", ").join(self.units[:5]) + ("…" if len(self.units) > 5 else "")
        return " ".join(parts) + (f"（{units}）" if lang == "zh" else f" ({units})")


def level_label(level: str | None, lang: str = "zh") -> str:
    """'区工会' for 'district' and so on (the level itself if unknown)."""
    if level and has(f"wfr.level.{level}"):
        return t(f"wfr.level.{level}", lang)
    return level or ""


def _waiting_level(submission_level: str | None, chain: list[str]) -> str:
    return submission_level if submission_level else chain[0]


def may_decide(user: CurrentUser, level: str, ancestors: dict[str, int]) -> bool:
    """Whether the user decides at ``level`` for a unit with these ancestors (level -> id)."""
    if user.role == "admin":
        return True
    if user.role != "district_leader" or user.scope.root_id is None:
        return False
    return ancestors.get(level) == user.scope.root_id


def review(
    session: Session,
    user: CurrentUser,
    submission_ids: Iterable[int],
    decision: str,
    *,
    reason: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> ReviewResult:
    """Approve or return submissions (bulk, all or nothing; see the module docstring)."""
    at = at or now_utc()
    require_role(user, REVIEWING_ROLES)
    if decision not in DECISIONS:
        raise BadDecision(decision=str(decision)[:20])
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise NoteTooLong(max=MAX_NOTE)
    if decision == "returned":
        if reason not in RETURN_REASONS:
            raise ReasonRequired(reasons="、".join(reason_label(r) for r in RETURN_REASONS))
        if reason == "other" and note is None:
            raise NoteRequired()
    else:
        reason = None
    ids = sorted({int(i) for i in submission_ids})
    if not ids:
        raise NothingSelected()
    rows = session.execute(
        select(Submission, OrgUnit).join(OrgUnit, OrgUnit.id == Submission.unit_id)
        .where(Submission.id.in_(ids)).with_for_update(of=Submission)
    ).all()
    found = {sub.id: (sub, unit) for sub, unit in rows}
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(what=f"submission {missing[0]}")
    campaigns = {c.id: c for c in session.scalars(select(Campaign).where(Campaign.id.in_({s.campaign_id for s, _ in rows})))}
    ancestors = ancestor_levels(session, [unit.path for _, unit in rows])
    plan: list[tuple[Submission, OrgUnit, str, str | None]] = []  # (submission, unit, level, next level)
    for i in ids:
        sub, unit = found[i]
        if not user.scope.contains_path(unit.path):
            raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
        if sub.outcome != "pending":
            raise NotPending(unit=unit.name, outcome=t(f"wfr.outcome.{sub.outcome}"))
        unit_ancestors = ancestors[unit.path]
        chain = [lv for lv in review_chain(campaigns[sub.campaign_id]) if lv in unit_ancestors] or review_chain(campaigns[sub.campaign_id])[:1]
        level = _waiting_level(sub.review_level, chain)
        if not may_decide(user, level, unit_ancestors):
            raise NotYourLevel(unit=unit.name, level=level_label(level))
        later = chain[chain.index(level) + 1 :] if level in chain else []
        plan.append((sub, unit, level, later[0] if later else None))

    session.execute(
        insert(ReviewDecision),
        [
            {"submission_id": sub.id, "level": level, "decision": decision, "reason": reason, "note": note, "by": user.login, "at": at}
            for sub, _, level, _ in plan
        ],
    )
    approved: list[int] = []
    moved: dict[str, list[int]] = defaultdict(list)
    returned: list[int] = []
    members = 0
    for sub, unit, _, next_level in plan:
        if decision == "approved" and next_level is not None:
            moved[next_level].append(sub.id)
            continue
        pairs = dict(session.execute(live_members(sub.campaign_id, unit.id, "submitted")).all())
        kind = "approved" if decision == "approved" else "returned"
        members += add_events(
            session, pairs, kind, campaign_id=sub.campaign_id, at=at, by=user.login, submission_id=sub.id,
            reason=reason, note=note,
        )
        (approved if decision == "approved" else returned).append(sub.id)
    for next_level, sub_ids in moved.items():
        session.execute(
            update(Submission).where(Submission.id.in_(sub_ids)).values(review_level=next_level),
            execution_options={"synchronize_session": False},
        )
    if approved:
        session.execute(
            update(Submission).where(Submission.id.in_(approved))
            .values(outcome="approved", reviewer=user.login, reviewed_at=at, review_level=""),
            execution_options={"synchronize_session": False},
        )
    if returned:
        session.execute(
            update(Submission).where(Submission.id.in_(returned))
            .values(outcome="returned", reviewer=user.login, reviewed_at=at, return_reason=return_text(str(reason), note)),
            execution_options={"synchronize_session": False},
        )
    unit_state.refresh_submissions(session, approved + returned)  # the units' state versions, in this transaction
    session.expire_all()
    result = ReviewResult(
        decision, tuple(approved), tuple((i, lv) for lv, sub_ids in moved.items() for i in sub_ids), tuple(returned),
        members, tuple(unit.name for _, unit, _, _ in plan),
    )
    log_action(
        session, user, "review", ("submissions:" + ",".join(map(str, ids)))[:255], members,
        f"decision={decision} reason={reason or ''} approved={len(approved)} moved_up={len(result.moved_up)} returned={len(returned)}",
    )
    return result


# --- the queue ------------------------------------------------------------------------------


def review_queue(session: Session, scope: Scope, campaign_id: int, level: str | None = None) -> pd.DataFrame:
    """Pending submissions in scope, oldest first: unit, district, submitted_at, late or not,
    member count, paper materials and what is missing, the level it waits at."""
    unit = aliased(OrgUnit)
    district = aliased(OrgUnit)
    in_list = (
        select(func.count())
        .where(
            Member.campaign_id == Submission.campaign_id, Member.unit_id == Submission.unit_id,
            live(), Member.stage == "submitted",
        )
        .correlate(Submission)
        .scalar_subquery()
    )
    query = (
        select(
            Submission.id.label("submission_id"), unit.id.label("unit_id"), unit.code.label("unit_code"),
            unit.name.label("unit_name"), unit.path.label("unit_path"),
            func.coalesce(Submission.card_unit_name, unit.card_unit_name, unit.name).label("card_unit_name"),
            district.name.label("district_name"), Submission.submitted_at, Submission.due_at, Submission.on_time,
            func.coalesce(Submission.member_count, in_list).label("member_count"), Submission.filler_name,
            Submission.filler_phone, Submission.review_level, Submission.paper_sheet, Submission.paper_unit_form,
            Submission.paper_id_copies, Submission.paper_consents, Submission.id_copies_received,
            Submission.consents_received,
        )
        .join(unit, unit.id == Submission.unit_id)
        .join(district, district.id == unit.district_id, isouter=True)
        .where(Submission.campaign_id == campaign_id, Submission.outcome == "pending", scope.org_filter(unit))
        .order_by(Submission.submitted_at, Submission.id)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all())
    columns = [
        "submission_id", "unit_id", "unit_code", "unit_name", "card_unit_name", "district_name", "submitted_at", "due_at",
        "on_time", "late_hours", "member_count", "filler_name", "filler_phone", "review_level", "paper_sheet",
        "paper_unit_form", "paper_id_copies", "paper_consents", "id_copies_received", "consents_received",
        "id_copies_missing", "consents_missing", "missing", "materials_complete",
    ]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    campaign = session.get(Campaign, campaign_id)
    chain_all = review_chain(campaign) if campaign else ["district"]
    ancestors = ancestor_levels(session, frame["unit_path"].tolist())
    frame["review_level"] = [
        _waiting_level(lv, [c for c in chain_all if c in ancestors[p]] or chain_all[:1])
        for lv, p in zip(frame["review_level"], frame["unit_path"], strict=True)
    ]
    if level is not None:
        frame = frame[frame["review_level"] == level].reset_index(drop=True)
        if frame.empty:
            return pd.DataFrame(columns=columns)
    frame["member_count"] = frame["member_count"].fillna(0).astype("int64")
    for name in ("id_copies_received", "consents_received"):
        frame[name] = frame[name].fillna(0).astype("int64")
    frame["id_copies_missing"] = (2 * frame["member_count"] - frame["id_copies_received"]).clip(lower=0)
    frame["consents_missing"] = (frame["member_count"] - frame["consents_received"]).clip(lower=0)
    frame["missing"] = [tuple(p for p in PAPER if not bool(row[f"paper_{p}"])) for _, row in frame.iterrows()]
    frame["materials_complete"] = frame["missing"].map(lambda m: len(m) == 0)
    late = (pd.to_datetime(frame["submitted_at"]) - pd.to_datetime(frame["due_at"])).dt.total_seconds() / 3600
    frame["late_hours"] = late.where(late > 0, 0.0).fillna(0.0)
    frame["on_time"] = frame["on_time"].astype(bool)
    return frame[columns]


def decidable_level(user: CurrentUser, session: Session) -> str | None:
    """The level a district leader decides at (their scope root's level); None for admin (all)."""
    if user.role != "district_leader" or user.scope.root_id is None:
        return None
    org = session.get(OrgUnit, user.scope.root_id)
    return org.level if org else None


def latest_submission_ids(session: Session, unit_ids: Iterable[int], campaign_id: int | None = None) -> dict[int, int]:
    """unit id -> the id of its newest submission (in the campaign, if given)."""
    ids = sorted(set(unit_ids))
    query = select(Submission.unit_id, Submission.id).where(Submission.unit_id.in_(ids)).order_by(Submission.submitted_at, Submission.id)
    if campaign_id is not None:
        query = query.where(Submission.campaign_id == campaign_id)
    return {unit_id: sub_id for unit_id, sub_id in session.execute(query).all()}


def units_by_code(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """code -> id of the base-level units with these codes (unknown codes are absent)."""
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    rows = session.execute(select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(wanted), OrgUnit.level == "unit")).all()
    return {code: org_id for code, org_id in rows}


__all__ = [
    "BadDecision", "DECISIONS", "NoteRequired", "NoteTooLong", "NotPending", "NotYourLevel", "NothingSelected",
    "RETURN_REASONS", "ReasonRequired", "ReviewResult", "decidable_level", "latest_submission_ids", "level_label",
    "may_decide", "units_by_code",
    "reason_label", "return_text", "review", "review_queue",
]
