"""Action: record contacts with units (the chase sheet's "已联系", or a call noted in detail).

Many units per call (a liaison ticks several rows); one ``chase`` row per unit, inserted in
bulk, and one audit row. Chase rows are history: never updated or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.i18n import t
from campaign.stages import CHASE_CHANNELS
from campaign.timeutil import now_utc
from data_access.actions.base import CHUNK, NotAllowed, NotFound, log_action, require_role
from data_access.auth import CurrentUser
from data_access.chase import CHASE_ROLES, MAX_NOTE
from data_access.models import Chase, OrgUnit

MAX_UNITS = 500
# A contact noted a little ahead of the server clock (a phone's clock) is accepted.
CLOCK_SLACK = timedelta(minutes=5)


class NoUnits(ActionRefused):
    """No unit was chosen."""

    key = "chase.refuse.no_units"


class TooManyUnits(ActionRefused):
    """More units than one call may mark."""

    key = "chase.refuse.too_many"


class BadChannel(ActionRefused):
    """A channel that is not one of ``CHASE_CHANNELS``."""

    key = "chase.refuse.channel"


class BadNote(ActionRefused):
    """An empty or over-long note."""

    key = "chase.refuse.note"


class FutureContact(ActionRefused):
    """A contact dated after now."""

    key = "chase.refuse.future"


@dataclass(frozen=True)
class ContactsRecorded:
    """What ``record_contacts`` wrote."""

    unit_ids: tuple[int, ...]
    unit_names: tuple[str, ...]
    at: datetime
    channel: str

    @property
    def count(self) -> int:
        return len(self.unit_ids)


def record_contacts(
    session: Session,
    user: CurrentUser,
    unit_ids: Iterable[int],
    *,
    channel: str = "phone",
    note: str | None = None,
    promised_date: date | None = None,
    at: datetime | None = None,
    contacted_at: datetime | None = None,
) -> ContactsRecorded:
    """Record that the user contacted each unit (base-level units in their scope).

    ``note`` None writes the quick note "已联系（今日催报）"; ``contacted_at`` (naive UTC) is
    when the call took place if the user says so, else ``at`` (now). Refuses a unit clerk,
    a unit outside the scope or unknown, an unknown channel, an empty note, a future time;
    nothing is written then.
    """
    at = at or now_utc()
    when = contacted_at or at
    require_role(user, CHASE_ROLES)
    ids = sorted({int(u) for u in unit_ids})
    if not ids:
        raise NoUnits()
    if len(ids) > MAX_UNITS:
        raise TooManyUnits(max=MAX_UNITS)
    if channel not in CHASE_CHANNELS:
        raise BadChannel(channel=channel)
    text = t("chase.quick_note") if note is None else note.strip()
    if not text or len(text) > MAX_NOTE:
        raise BadNote(max=MAX_NOTE)
    if when > at + CLOCK_SLACK:
        raise FutureContact()
    found: dict[int, tuple[str, str, str]] = {}
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for unit_id, level, path, name in session.execute(
            select(OrgUnit.id, OrgUnit.level, OrgUnit.path, OrgUnit.name).where(OrgUnit.id.in_(part))
        ):
            found[unit_id] = (level, path, name)
    for unit_id in ids:
        if unit_id not in found or found[unit_id][0] != "unit":
            raise NotFound(what=f"unit {unit_id}")
        if not user.scope.contains_path(found[unit_id][1]):
            raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    rows = [
        {"unit_id": unit_id, "at": when, "by": user.display_name, "channel": channel, "note": text,
         "promised_date": promised_date}
        for unit_id in ids
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(Chase), rows[start : start + CHUNK])
    log_action(
        session, user, "chase", "chase", len(rows),
        f"units={','.join(map(str, ids))} channel={channel} at={when:%Y-%m-%d %H:%M} quick={note is None}",
    )
    return ContactsRecorded(tuple(ids), tuple(found[u][2] for u in ids), when, channel)


__all__ = ["ContactsRecorded", "MAX_UNITS", "record_contacts"]
