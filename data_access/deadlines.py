"""Deadlines: which rows are live at a cut-off, and each node's effective deadline (one query).

A deadline row is set for a milestone on one org node (any level: a unit's extension, an area,
a district, the new area, the city), on every node of a level (``level`` set, no node), or
campaign-wide (neither). A changed deadline is a new row and the old one gets
``superseded_at``; a row is live at a cut-off when it was set by then (``set_at`` NULL: old
data, always set) and not yet superseded.

A node's effective deadline for a milestone is the most specific live row: one on the node
itself or on its nearest ancestor that has one (any depth; an extension beats a plain row on
the same node), then a level-wide one for the node's level or the nearest ancestor level that
has one, then the campaign-wide one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from data_access.models import Deadline, OrgUnit


def live_at(cutoff: datetime | None, deadline: object = Deadline) -> ColumnElement[bool]:
    """SQL: the deadline row is in force at the cut-off (None: now, i.e. not superseded)."""
    superseded = deadline.superseded_at  # type: ignore[attr-defined]
    if cutoff is None:
        return superseded.is_(None)  # type: ignore[no-any-return]
    set_at = deadline.set_at  # type: ignore[attr-defined]
    return and_(or_(set_at.is_(None), set_at <= cutoff), or_(superseded.is_(None), superseded > cutoff))


def _path_ids(paths: Iterable[str]) -> list[int]:
    return sorted({int(part) for path in paths for part in path.strip("/").split("/") if part})


def effective_deadlines(
    campaign_id: int,
    milestones: str | Sequence[str] | None = None,
    cutoff: datetime | None = None,
    level: str | None = "unit",
    on_paths: Sequence[str] | None = None,
) -> Select[tuple[int, str, datetime, int, bool]]:
    """SELECT (org_id, milestone, due_at, deadline_id, is_extension): each node's effective
    deadline per milestone, for the nodes of ``level`` (None: every node that has one).

    One query: the tree is walked down from its roots by ``parent_id`` (stopping at
    ``level``), each node carrying the most specific row so far: a row set on the node itself
    replaces its parent's (an extension beats a plain row on the same node), and a level-wide
    row for the node's level replaces the parent's level-wide one; at the end the node-set row
    wins over the level-wide one, which wins over the campaign-wide one. ``on_paths`` walks
    only the nodes on those materialised paths (one unit's lookup).
    """
    wanted = [milestones] if isinstance(milestones, str) else list(milestones) if milestones is not None else None
    conditions = [Deadline.campaign_id == campaign_id, live_at(cutoff)]
    if wanted is not None:
        conditions.append(Deadline.milestone.in_(wanted))
    dl = select(
        Deadline.id, Deadline.milestone, Deadline.due_at, Deadline.is_extension, Deadline.org_unit_id, Deadline.level
    ).where(*conditions).cte("live_deadline")
    allowed = _path_ids(on_paths) if on_paths is not None else None

    def among(org: object) -> ColumnElement[bool]:
        return org.id.in_(allowed) if allowed is not None else true()  # type: ignore[attr-defined,no-any-return]

    def best(kind: ColumnElement[bool], key: Sequence[object], name: str):  # type: ignore[no-untyped-def]
        ranked = select(
            dl, func.row_number().over(
                partition_by=(*key, dl.c.milestone),
                order_by=(dl.c.is_extension.desc(), dl.c.due_at.desc(), dl.c.id.desc()),
            ).label("rn"),
        ).where(kind).subquery(f"{name}_ranked")
        return select(ranked).where(ranked.c.rn == 1).cte(name)

    on_org = best(dl.c.org_unit_id.is_not(None), (dl.c.org_unit_id,), "deadline_on_org")
    on_level = best(and_(dl.c.org_unit_id.is_(None), dl.c.level.is_not(None)), (dl.c.level,), "deadline_on_level")
    on_all = best(and_(dl.c.org_unit_id.is_(None), dl.c.level.is_(None)), (), "deadline_on_all")
    wanted_milestones = select(dl.c.milestone).distinct().cte("deadline_milestone")

    root = aliased(OrgUnit)
    own, lvl = on_org.alias("own0"), on_level.alias("lvl0")
    start = (
        select(
            root.id.label("node_id"), root.level.label("node_level"), wanted_milestones.c.milestone,
            own.c.id.label("org_deadline_id"), own.c.due_at.label("org_due"), own.c.is_extension.label("org_ext"),
            lvl.c.id.label("level_deadline_id"), lvl.c.due_at.label("level_due"),
        )
        .select_from(root)
        .join(wanted_milestones, true())
        .join(own, and_(own.c.org_unit_id == root.id, own.c.milestone == wanted_milestones.c.milestone), isouter=True)
        .join(lvl, and_(lvl.c.level == root.level, lvl.c.milestone == wanted_milestones.c.milestone), isouter=True)
        .where(root.parent_id.is_(None), among(root))
    )
    walk = start.cte("deadline_walk", recursive=True)
    child = aliased(OrgUnit)
    own, lvl = on_org.alias("own1"), on_level.alias("lvl1")
    step = (
        select(
            child.id, child.level, walk.c.milestone,
            case((own.c.id.is_not(None), own.c.id), else_=walk.c.org_deadline_id),
            case((own.c.id.is_not(None), own.c.due_at), else_=walk.c.org_due),
            case((own.c.id.is_not(None), own.c.is_extension), else_=walk.c.org_ext),
            case((lvl.c.id.is_not(None), lvl.c.id), else_=walk.c.level_deadline_id),
            case((lvl.c.id.is_not(None), lvl.c.due_at), else_=walk.c.level_due),
        )
        .select_from(walk)
        .join(child, child.parent_id == walk.c.node_id)
        .join(own, and_(own.c.org_unit_id == child.id, own.c.milestone == walk.c.milestone), isouter=True)
        .join(lvl, and_(lvl.c.level == child.level, lvl.c.milestone == walk.c.milestone), isouter=True)
        .where(among(child))
    )
    if level is not None:
        step = step.where(walk.c.node_level != level)
    walk = walk.union_all(step)

    due = func.coalesce(walk.c.org_due, walk.c.level_due, on_all.c.due_at)
    query = (
        select(
            walk.c.node_id.label("org_id"), walk.c.milestone, due.label("due_at"),
            func.coalesce(walk.c.org_deadline_id, walk.c.level_deadline_id, on_all.c.id).label("deadline_id"),
            case((walk.c.org_deadline_id.is_not(None), walk.c.org_ext), else_=literal(False)).label("is_extension"),
        )
        .select_from(walk)
        .join(on_all, on_all.c.milestone == walk.c.milestone, isouter=True)
        .where(due.is_not(None))
    )
    if level is not None:
        query = query.where(walk.c.node_level == level)
    return query  # type: ignore[return-value]


def unit_deadlines(campaign_id: int, milestone: str = "unit_submission", cutoff: datetime | None = None) -> Select[tuple[int, datetime]]:
    """SELECT (unit_id, due_at, deadline_id, is_extension): each base-level unit's effective
    deadline for one milestone, from the rows live at the cut-off."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level="unit").subquery("eff")
    return select(eff.c.org_id.label("unit_id"), eff.c.due_at, eff.c.deadline_id, eff.c.is_extension)  # type: ignore[return-value]


def node_deadline(session: object, campaign_id: int, node: OrgUnit, milestone: str = "unit_submission", cutoff: datetime | None = None) -> datetime | None:
    """One node's effective deadline (the same query, walking only the node's own path)."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level=node.level, on_paths=[node.path]).subquery("eff")
    return session.scalar(select(eff.c.due_at).where(eff.c.org_id == node.id))  # type: ignore[attr-defined,no-any-return]
