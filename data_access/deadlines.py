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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
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


@dataclass(frozen=True)
class WalkedDeadlines:
    """One milestone's walk: each base-level unit in scope that has an effective deadline, with
    that row (``unit_ids[i]`` has ``deadline_ids[i]``, ``due_at[i]``, ``is_extension[i]``)."""

    unit_ids: np.ndarray  # int64
    deadline_ids: np.ndarray  # int64
    due_at: np.ndarray  # objects: the rows' datetimes as the database gives them
    is_extension: np.ndarray  # bool

    def rows(self) -> dict[int, Row]:
        """unit id -> (deadline id, due_at, is_extension)."""
        return dict(zip(self.unit_ids.tolist(), zip(self.deadline_ids.tolist(), self.due_at.tolist(), self.is_extension.tolist(), strict=True), strict=True))

    def due_for(self, unit_ids: Sequence[int] | np.ndarray) -> list[datetime | None]:
        """The due dates of these units, in their order (None: no deadline)."""
        at = _positions_in(self.unit_ids)(np.asarray(unit_ids, dtype=np.int64))
        due = np.full(len(at), None, dtype=object)
        due[at >= 0] = self.due_at[at[at >= 0]]
        return due.tolist()  # type: ignore[no-any-return]


def _positions_in(ids: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """A lookup of where values stand in ``ids`` (unique), -1 where they do not; ``ids``
    sorted once for every lookup."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]

    def positions(values: np.ndarray) -> np.ndarray:
        if not len(ids):
            return np.full(len(values), -1, dtype=np.int64)
        pos = np.clip(np.searchsorted(ordered, values), 0, len(ids) - 1)
        return np.where(ordered[pos] == values, order[pos], -1)

    return positions


def _tree(session: Session, scope: Scope | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The scope's subtree and its ancestors: ids, parent ids (-1: none), levels, in-scope flags."""
    nodes = select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level)
    in_scope: ColumnElement[bool] = true()
    if scope is not None and scope.root_path is not None:
        in_scope = scope.org_filter(OrgUnit)
        nodes = nodes.where(or_(in_scope, OrgUnit.id.in_(_path_ids([scope.root_path]))))
    nodes = nodes.add_columns(in_scope.label("in_scope"))
    read = arrow_read.table(session, nodes)  # a read session: the tree's columns over Arrow (ids, codes, 0/1 flags)
    if read is not None:
        ids = read.column(0).to_numpy().astype(np.int64)
        parents = read.column(1).fill_null(-1).to_numpy().astype(np.int64)
        levels = np.asarray(read.column(2).to_pylist(), dtype=object)
        inside = read.column(3).to_numpy(zero_copy_only=False).astype(bool)
    else:  # plain ids, level codes and flags: read from the driver's cursor, without SQLAlchemy's rows
        result = session.connection().execute(nodes)
        rows = result.cursor.fetchall()
        result.close()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        parents = np.fromiter((-1 if r[1] is None else r[1] for r in rows), dtype=np.int64, count=len(rows))
        levels = np.asarray([r[2] for r in rows], dtype=object)
        inside = np.fromiter((bool(r[3]) for r in rows), dtype=bool, count=len(rows))
    return ids, parents, levels, inside


def _add(table: list[Row], row: Row) -> int:
    table.append(row)
    return len(table) - 1


def unit_deadline_walk(
    session: Session, campaign_id: int, milestones: Sequence[str] | None, cutoff: datetime | None, scope: Scope | None = None,
) -> dict[str, WalkedDeadlines]:
    """Per milestone, each base-level unit's (in the scope) effective deadline row: exactly
    ``effective_deadlines(..., level="unit")`` (its ``due_at``, ``deadline_id``,
    ``is_extension``), walked over the tree's ids, parents and levels as arrays, a depth at a time.

    SQLite runs the recursive walk with one correlated step per node and milestone (0.25 s per
    milestone at 66,000 nodes); here the tree is read once (the scope's subtree and its
    ancestors) and a node without a row of its own or of its level takes its parent's."""
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

    ids, parents, levels, inside = _tree(session, scope)
    n = len(ids)
    node_at = _positions_in(ids)  # node index per id, -1 where not read
    parent = np.where(parents >= 0, node_at(parents), -1)
    is_root = parents < 0
    is_unit = levels == "unit"
    # the walk from the roots down, a depth at a time; it stops at the units (and never reaches
    # a node whose parent was not read)
    depths = [np.flatnonzero(is_root)]
    reached = is_root.copy()
    has_parent = parent >= 0
    safe_parent = np.where(has_parent, parent, 0)
    while True:
        step = ~reached & has_parent & reached[safe_parent] & ~is_unit[safe_parent]
        if not step.any():
            break
        depths.append(np.flatnonzero(step))
        reached |= step
    level_codes, level_names = pd.factorize(pd.Series(levels, dtype=object))
    units = np.flatnonzero(reached & is_unit & inside)

    out: dict[str, WalkedDeadlines] = {}
    for milestone in wanted:
        table: list[Row] = []  # the rows this milestone's walk hands down, by index
        own = np.full(n, -1, dtype=np.int64)
        set_on = [(org_id, by_milestone[milestone]) for org_id, by_milestone in on_org.items() if milestone in by_milestone]
        if set_on:
            at = node_at(np.array([org_id for org_id, _ in set_on], dtype=np.int64))
            read = at >= 0
            own[at[read]] = [_add(table, row) for (_, row), kept in zip(set_on, read.tolist(), strict=True) if kept]
        level_row = np.array(
            [_add(table, on_level[name][milestone]) if milestone in on_level.get(name, {}) else -1 for name in level_names]
            or [-1], dtype=np.int64,
        )
        by_level = level_row[level_codes] if n else np.full(0, -1, dtype=np.int64)
        org_state = np.full(n, -1, dtype=np.int64)
        level_state = np.full(n, -1, dtype=np.int64)
        for nodes in depths:
            up = parent[nodes]
            from_parent_org = np.where(up >= 0, org_state[np.maximum(up, 0)], -1)
            from_parent_level = np.where(up >= 0, level_state[np.maximum(up, 0)], -1)
            org_state[nodes] = np.where(own[nodes] >= 0, own[nodes], from_parent_org)
            level_state[nodes] = np.where(by_level[nodes] >= 0, by_level[nodes], from_parent_level)
        everywhere = _add(table, on_all[milestone]) if milestone in on_all else -1
        org_at, level_at = org_state[units], level_state[units]
        best = np.where(org_at >= 0, org_at, np.where(level_at >= 0, level_at, everywhere))
        has = best >= 0
        chosen, from_org = best[has], org_at[has] >= 0
        row_ids = np.array([row[0] for row in table], dtype=np.int64)
        row_due = np.empty(len(table), dtype=object)
        row_due[:] = [row[1] for row in table]
        row_ext = np.array([bool(row[2]) for row in table], dtype=bool)
        out[milestone] = WalkedDeadlines(
            ids[units[has]], row_ids[chosen] if len(table) else np.zeros(0, dtype=np.int64),
            row_due[chosen] if len(table) else np.empty(0, dtype=object),
            (row_ext[chosen] & from_org) if len(table) else np.zeros(0, dtype=bool),
        )
    return out


def unit_deadline_map(
    session: Session, campaign_id: int, milestones: Sequence[str] | None, cutoff: datetime | None, scope: Scope | None = None,
) -> dict[str, dict[int, Row]]:
    """``unit_deadline_walk`` as dicts: per milestone, unit id -> (deadline id, due_at, is_extension)."""
    return {milestone: walked.rows() for milestone, walked in unit_deadline_walk(session, campaign_id, milestones, cutoff, scope).items()}


def node_deadline(session: object, campaign_id: int, node: OrgUnit, milestone: str = "unit_submission", cutoff: datetime | None = None) -> datetime | None:
    """One node's effective deadline (the same query, walking only the node's own path)."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level=node.level, on_paths=[node.path]).subquery("eff")
    return session.scalar(select(eff.c.due_at).where(eff.c.org_id == node.id))  # type: ignore[attr-defined,no-any-return]
