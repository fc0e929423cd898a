"""The levels of the organisation tree as stored (``org_level``): lookups for actions and pages.

Only ``group`` levels can be added (by a tree import); the built-in codes ``district``,
``area``, ``unit`` and ``sub_unit`` always name those kinds, so code that compares
``org_unit.level == "district"`` holds for any imported tree.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.orglevels import BUILT_IN_LEVELS
from campaign.orgtree.model import Level
from data_access.models import OrgLevel

__all__ = ["Level", "kind_label", "kind_of", "levels"]


def levels(session: Session) -> list[Level]:
    """Every level, by rank (the built-ins when the table is empty)."""
    rows = session.execute(select(OrgLevel.code, OrgLevel.name, OrgLevel.kind, OrgLevel.rank).order_by(OrgLevel.rank, OrgLevel.code)).all()
    if not rows:
        return [Level(*row) for row in BUILT_IN_LEVELS]
    return [Level(code, name, kind, rank) for code, name, kind, rank in rows]


def kind_of(session: Session, code: str) -> str | None:
    """The kind of a level code (group, district, area, unit, sub_unit), or None."""
    return next((level.kind for level in levels(session) if level.code == code), None)


def kind_label(all_levels: list[Level], kind: str) -> str | None:
    """The stored name of the level of a built-in kind (the sidebar's filter labels): the level
    whose code is the kind itself, else the first of that kind.

    >>> kind_label([Level("district", "区县局、集团", "district", 30)], "district")
    '区县局、集团'
    """
    same = [level for level in all_levels if level.kind == kind]
    exact = next((level for level in same if level.code == kind), None)
    chosen = exact or (same[0] if same else None)
    return chosen.name if chosen else None
