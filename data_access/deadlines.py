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

``effective_deadlines`` walks the tree in SQL (any node, any level, composable into a query);
``unit_deadline_map`` gives the same units' rows walking it in Python, for the overview's reads
at a city's size (tested equal to the SQL walk).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from data_access import arrow_read
from data_access.models import Deadline, OrgUnit
from data_access.scope import Scope


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


# A live deadline row as the walk carries it: (id, due_at, is_extension).
Row = tuple[int, datetime, bool]


def unit_deadline_map(
    session: Session, campaign_id: int, milestones: Sequence[str] | None, cutoff: datetime | None, scope: Scope | None = None,
) -> dict[str, dict[int, Row]]:
    """Per milestone, each base-level unit's (in the scope) effective deadline row: exactly
    ``effective_deadlines(..., level="unit")`` (its ``due_at``, ``deadline_id``,
    ``is_extension``), walked in Python over the tree's ids, parents and levels.

    SQLite runs the recursive walk with one correlated step per node and milestone (0.25 s per
    milestone at 66,000 nodes); here the tree is read once (the scope's subtree and its
    ancestors) and a node without a row of its own or of its level shares its parent's."""
    conditions = [Deadline.campaign_id == campaign_id, live_at(cutoff)]
    if milestones is not None:
        conditions.append(Deadline.milestone.in_(list(milestones)))
    rows = session.execute(
        select(Deadline.id, Deadline.milestone, Deadline.due_at, Deadline.is_extension, Deadline.org_unit_id, Deadline.level)
        .where(*conditions)
    ).all()
    if not rows:
        return {}
    # the most specific row per node, per level and campaign-wide: extension first, then latest due, then newest
    on_org: dict[int, dict[str, Row]] = {}
    on_level: dict[str, dict[str, Row]] = {}
    on_all: dict[str, Row] = {}

    def rank(row: Row) -> tuple[bool, datetime, int]:
        return bool(row[2]), row[1], row[0]

    def keep(into: dict[str, Row], milestone: str, row: Row) -> None:
        if milestone not in into or rank(row) > rank(into[milestone]):
            into[milestone] = row

    for deadline_id, milestone, due_at, is_extension, org_id, level in rows:
        row = (deadline_id, due_at, is_extension)
        if org_id is not None:
            keep(on_org.setdefault(org_id, {}), milestone, row)
        elif level is not None:
            keep(on_level.setdefault(level, {}), milestone, row)
        else:
            keep(on_all, milestone, row)
    wanted = sorted({row[1] for row in rows})

    nodes = select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level)
    in_scope: ColumnElement[bool] = true()
    if scope is not None and scope.root_path is not None:
        in_scope = scope.org_filter(OrgUnit)
        nodes = nodes.where(or_(in_scope, OrgUnit.id.in_(_path_ids([scope.root_path]))))
    nodes = nodes.add_columns(in_scope.label("in_scope"))
    read = arrow_read.table(session, nodes)  # a read session: the tree's columns over Arrow (ids, codes, 0/1 flags)
    if read is not None:
        tree = zip(*(column.to_pylist() for column in read.columns), strict=True)
    else:  # plain ids, level codes and flags: read from the driver's cursor, without SQLAlchemy's rows
        result = session.connection().execute(nodes)
        tree = result.cursor.fetchall()
        result.close()
    children: dict[int | None, list[tuple[int, str, bool]]] = {}
    for node_id, parent_id, level, inside in tree:
        children.setdefault(parent_id, []).append((node_id, level, bool(inside)))

    # per node: milestone -> (row set on it or its nearest ancestor, level-wide row for its level or the nearest above)
    State = dict[str, tuple[Row | None, Row | None]]
    empty: State = {milestone: (None, None) for milestone in wanted}
    found: dict[str, dict[int, Row]] = {milestone: {} for milestone in wanted}
    # each state's effective rows, worked out once for all the units sharing it (an area's units)
    resolved: dict[int, tuple[State, list[tuple[dict[int, Row], Row]]]] = {}
    stack: list[tuple[list[tuple[int, str, bool]], State]] = [(children.get(None, []), empty)]
    while stack:
        nodes, parent_state = stack.pop()
        for node, level, inside in nodes:
            state = parent_state
            own, lvl = on_org.get(node), on_level.get(level)
            if own is not None or lvl is not None:
                state = {
                    m: ((own or {}).get(m, org), (lvl or {}).get(m, level_row)) for m, (org, level_row) in state.items()
                }
            if level != "unit":
                below = children.get(node)
                if below:
                    stack.append((below, state))
                continue  # the walk stops at the units
            if not inside:
                continue
            entry = resolved.get(id(state))
            if entry is None:
                effective = []
                for m, (org, level_row) in state.items():
                    best = org or level_row or on_all.get(m)
                    if best is not None:
                        effective.append((found[m], best if org is not None else (best[0], best[1], False)))
                entry = resolved[id(state)] = (state, effective)  # the state kept: its id is not reused
            for into, row in entry[1]:
                into[node] = row
    return found


def node_deadline(session: object, campaign_id: int, node: OrgUnit, milestone: str = "unit_submission", cutoff: datetime | None = None) -> datetime | None:
    """One node's effective deadline (the same query, walking only the node's own path)."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level=node.level, on_paths=[node.path]).subquery("eff")
    return session.scalar(select(eff.c.due_at).where(eff.c.org_id == node.id))  # type: ignore[attr-defined,no-any-return]
