"""The chase log: a liaison's calls and messages to units (write command and reads)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from campaign.stages import CHASE_CHANNELS
from data_access.models import Chase, OrgUnit
from data_access.scope import Scope

# Roles that chase units; a unit's own clerk does not record chases of itself.
CHASE_ROLES = frozenset({"admin", "district_leader", "liaison"})
MAX_NOTE = 2_000


class ChaseRefused(ValueError):
    """A chase that may not be recorded; ``str()`` is a Chinese message for the page."""


def may_record(role: str) -> bool:
    """Whether a role records chases."""
    return role in CHASE_ROLES


def record_chase(
    session: Session,
    scope: Scope,
    unit_id: int,
    *,
    at: datetime,
    by: str | None,
    channel: str,
    note: str,
    promised_date: date | None = None,
) -> Chase:
    """Record one contact with a base-level unit inside the scope; the caller commits.

    ``at`` is naive UTC. Refuses (``ChaseRefused``) a unit outside the scope, an unknown
    unit or channel, and an empty note.
    """
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.level != "unit":
        raise ChaseRefused("找不到该基层单位。")
    if not scope.contains_path(unit.path):
        raise ChaseRefused("该单位不在您的管辖范围内，不能记录催报。")
    if channel not in CHASE_CHANNELS:
        raise ChaseRefused(f"联系方式“{channel}”无效。")
    note = (note or "").strip()
    if not note:
        raise ChaseRefused("请填写联系情况。")
    row = Chase(
        unit_id=unit.id, at=at, by=by, channel=channel, note=note[:MAX_NOTE], promised_date=promised_date
    )
    session.add(row)
    session.flush()
    return row


def last_chases(session: Session, scope: Scope, cutoff: datetime) -> pd.DataFrame:
    """Per unit in scope: the latest chase at or before the cut-off and how many there were."""
    unit = aliased(OrgUnit)
    ranked = (
        select(
            Chase.unit_id,
            Chase.at,
            Chase.by,
            Chase.channel,
            Chase.note,
            Chase.promised_date,
            func.row_number().over(partition_by=Chase.unit_id, order_by=(Chase.at.desc(), Chase.id.desc())).label("rn"),
            func.count().over(partition_by=Chase.unit_id).label("chases"),
        )
        .join(unit, unit.id == Chase.unit_id)
        .where(Chase.at <= cutoff, scope.org_filter(unit))
        .subquery("ranked_chase")
    )
    query = select(
        ranked.c.unit_id,
        ranked.c.at.label("last_chase_at"),
        ranked.c.by.label("last_chase_by"),
        ranked.c.channel.label("last_chase_channel"),
        ranked.c.note.label("last_chase_note"),
        ranked.c.promised_date.label("last_promised_date"),
        ranked.c.chases,
    ).where(ranked.c.rn == 1)
    columns = ["unit_id", "last_chase_at", "last_chase_by", "last_chase_channel", "last_chase_note", "last_promised_date", "chases"]
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def chase_history(session: Session, scope: Scope, unit_id: int, cutoff: datetime) -> pd.DataFrame:
    """Every chase of one unit up to the cut-off, newest first (empty outside the scope)."""
    unit = aliased(OrgUnit)
    query = (
        select(Chase.id, Chase.at, Chase.by, Chase.channel, Chase.note, Chase.promised_date)
        .join(unit, unit.id == Chase.unit_id)
        .where(Chase.unit_id == unit_id, Chase.at <= cutoff, scope.org_filter(unit))
        .order_by(Chase.at.desc(), Chase.id.desc())
    )
    return pd.DataFrame(session.execute(query).all(), columns=["id", "at", "by", "channel", "note", "promised_date"])
