"""What every action shares: role and scope checks, the member-event writer, the audit row."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.stages import STAGE_TIME_COLUMN
from data_access import summary, summary_more
from data_access.audit import _log
from data_access.auth import CurrentUser
from data_access.models import Member, MemberEvent, OrgUnit

CHUNK = 500

# Member columns that no summary reads: an update touching only these leaves them as they are.
_NOT_SUMMARISED = frozenset({"stage", "corrected_at", "superseded_by_upload_id"})

# Event kind -> the member stage it moves the cached ``member.stage`` to (None: unchanged).
STAGE_AFTER: dict[str, str | None] = {
    "collected": "collected",
    "validated": "validated",
    "superseded": None,
    "withdrawn": None,
    "submitted": "submitted",
    "returned": "validated",
    "approved": "approved",
    "sent_to_bank": "sent_to_bank",
    "produced": "produced",
    "failed": "failed",
    "corrected": "corrected",
    "received": "received",
    "distributed": "distributed",
    "delivered": "delivered",
    "activated": "activated",
    "handed_off": None,
}


class NotAllowed(ActionRefused):
    """The signed-in user may not do this (wrong role, or outside their scope)."""

    key = "action.not_allowed"


class NotFound(ActionRefused):
    """What the action names does not exist (or not in this campaign)."""

    key = "action.not_found"


def require_role(user: CurrentUser, roles: Iterable[str]) -> None:
    """Refuse unless the user holds one of the roles."""
    allowed = tuple(roles)
    if user.role not in allowed:
        raise NotAllowed(role=user.role, allowed="/".join(allowed))


def unit_in_scope(session: Session, user: CurrentUser, unit_id: int) -> OrgUnit:
    """The base-level unit, if it exists and lies in the user's scope; else refuse."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.level != "unit":
        raise NotFound(what=f"unit {unit_id}")
    if not user.scope.contains_path(unit.path):
        raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    return unit


def org_in_scope(session: Session, user: CurrentUser, org_id: int) -> OrgUnit:
    """Any node of the tree, if it lies in the user's scope; else refuse."""
    org = session.get(OrgUnit, org_id)
    if org is None:
        raise NotFound(what=f"org unit {org_id}")
    if not user.scope.contains_path(org.path):
        raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    return org


def lock_org(session: Session, org_id: int) -> None:
    """Serialise writers of one org unit (a unit's list, a district's batches): a row lock on
    PostgreSQL; SQLite's BEGIN IMMEDIATE already holds the database's write lock (and
    SQLAlchemy drops FOR UPDATE there)."""
    if session.scalar(select(OrgUnit.id).where(OrgUnit.id == org_id).with_for_update()) is None:
        raise LookupError(f"org unit {org_id} does not exist")


def add_events(
    session: Session,
    members: Sequence[tuple[int, int]] | Mapping[int, int],
    kind: str,
    *,
    campaign_id: int,
    at: datetime,
    by: str | None,
    upload_id: int | None = None,
    submission_id: int | None = None,
    batch_id: int | None = None,
    reason: str | None = None,
    note: str | None = None,
    move_stage: bool = True,
) -> int:
    """Append one event per member ((member_id, unit_id) pairs) and update the member cache:
    the stage it moves to and the time the stage was first reached. Returns the count."""
    pairs = list(members.items()) if isinstance(members, Mapping) else list(members)
    if not pairs:
        return 0
    rows = [
        {
            "member_id": member_id, "unit_id": unit_id, "campaign_id": campaign_id, "kind": kind,
            "at": at, "by": by, "upload_id": upload_id, "submission_id": submission_id,
            "batch_id": batch_id, "reason": reason, "note": note,
        }
        for member_id, unit_id in pairs
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(MemberEvent.__table__), rows[start : start + CHUNK])  # Core: no per-row ORM work
    values: dict[str, object] = {}
    stage = STAGE_AFTER[kind]
    if move_stage and stage is not None:
        values["stage"] = stage
    column = STAGE_TIME_COLUMN.get(kind)
    if column is not None:
        col = getattr(Member, column)
        values[column] = func.coalesce(col, at)
    if kind == "superseded":
        values["superseded_at"] = at
        values["superseded_by_upload_id"] = upload_id
    if kind == "withdrawn":
        values["withdrawn_at"] = at
    if values:
        ids = [member_id for member_id, _ in pairs]
        summarised = not set(values) <= _NOT_SUMMARISED
        before = summary.snapshot(session, ids) if summarised else {}
        for start in range(0, len(ids), CHUNK):
            session.execute(
                update(Member).where(Member.id.in_(ids[start : start + CHUNK])).values(**values),
                execution_options={"synchronize_session": False},
            )
        if summarised:  # the summary tables follow in the same transaction
            summary.changed(session, ids, before)
    refreshed = summary_more.TABLES_AFTER_EVENT.get(kind)
    if refreshed:  # cards, bank people, correction loop, batch sizes of the events' units
        summary_more.refresh_units(session, campaign_id, {unit_id for _, unit_id in pairs}, refreshed)
    return len(rows)


def log_action(
    session: Session, user: CurrentUser | str | None, action: str, object: str, rows: int | None, detail: str | None = None
) -> None:
    """The audit row of a write (action: submit, review, batch, results, cards, handoff, ...)."""
    login = user.login if isinstance(user, CurrentUser) else user
    _log(session, action, login, object, rows, detail)


def member_units(session: Session, member_ids: Iterable[int]) -> dict[int, int]:
    """member_id -> unit_id, for event rows."""
    ids = sorted(set(member_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), CHUNK):
        for member_id, unit_id in session.execute(
            select(Member.id, Member.unit_id).where(Member.id.in_(ids[start : start + CHUNK]))
        ):
            found[member_id] = unit_id
    return found


__all__ = [
    "NotAllowed", "NotFound", "STAGE_AFTER", "add_events", "log_action", "member_units",
    "lock_org", "org_in_scope", "require_role", "unit_in_scope",
]
