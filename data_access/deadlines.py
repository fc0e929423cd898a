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

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from data_access.models import Deadline, OrgUnit

# Scores of the three kinds of row; a deeper node (longer path) adds to its kind's score.
ORG_SCORE = 2_000_000
LEVEL_SCORE = 1_000_000


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

    One query: the live rows are walked down the tree from the node (or every node of the
    level) they are set on, by ``parent_id``, stopping at ``level``; the campaign-wide row is
    offered to every node; the highest score per node and milestone wins. ``on_paths``
    restricts the walk to the nodes on those materialised paths (one unit's lookup).
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

    seed = aliased(OrgUnit)
    on_node = select(
        seed.id.label("node_id"), seed.level.label("node_level"), dl.c.id.label("deadline_id"), dl.c.milestone,
        dl.c.due_at, dl.c.is_extension, (literal(ORG_SCORE) + func.length(seed.path)).label("score"),
    ).join_from(dl, seed, seed.id == dl.c.org_unit_id).where(among(seed))
    seed2 = aliased(OrgUnit)
    on_level = select(
        seed2.id, seed2.level, dl.c.id, dl.c.milestone, dl.c.due_at, dl.c.is_extension,
        (literal(LEVEL_SCORE) + func.length(seed2.path)),
    ).join_from(dl, seed2, and_(dl.c.org_unit_id.is_(None), seed2.level == dl.c.level)).where(among(seed2))
    seeds = on_node.union_all(on_level).cte("deadline_seed")
    walk = select(*seeds.c).cte("deadline_walk", recursive=True)
    child = aliased(OrgUnit)
    step = select(
        child.id, child.level, walk.c.deadline_id, walk.c.milestone, walk.c.due_at, walk.c.is_extension, walk.c.score
    ).join_from(walk, child, child.parent_id == walk.c.node_id).where(among(child))
    if level is not None:
        step = step.where(walk.c.node_level != level)
    walk = walk.union_all(step)

    node = aliased(OrgUnit)
    campaign_wide = select(
        node.id.label("node_id"), node.level.label("node_level"), dl.c.id.label("deadline_id"), dl.c.milestone,
        dl.c.due_at, dl.c.is_extension, literal(0).label("score"),
    ).join_from(node, dl, and_(dl.c.org_unit_id.is_(None), dl.c.level.is_(None))).where(among(node))
    if level is not None:
        campaign_wide = campaign_wide.where(node.level == level)
    walked = select(walk.c.node_id, walk.c.node_level, walk.c.deadline_id, walk.c.milestone, walk.c.due_at, walk.c.is_extension, walk.c.score)
    candidates = walked.union_all(campaign_wide).subquery("deadline_candidate")
    ranked = select(
        candidates,
        func.row_number().over(
            partition_by=(candidates.c.node_id, candidates.c.milestone),
            order_by=(candidates.c.score.desc(), candidates.c.is_extension.desc(), candidates.c.due_at.desc(), candidates.c.deadline_id.desc()),
        ).label("rn"),
    )
    if level is not None:
        ranked = ranked.where(candidates.c.node_level == level)
    best = ranked.subquery("deadline_ranked")
    return select(
        best.c.node_id.label("org_id"), best.c.milestone, best.c.due_at, best.c.deadline_id, best.c.is_extension
    ).where(best.c.rn == 1)


def unit_deadlines(campaign_id: int, milestone: str = "unit_submission", cutoff: datetime | None = None) -> Select[tuple[int, datetime]]:
    """SELECT (unit_id, due_at, deadline_id, is_extension): each base-level unit's effective
    deadline for one milestone, from the rows live at the cut-off."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level="unit").subquery("eff")
    return select(eff.c.org_id.label("unit_id"), eff.c.due_at, eff.c.deadline_id, eff.c.is_extension)  # type: ignore[return-value]


def node_deadline(session: object, campaign_id: int, node: OrgUnit, milestone: str = "unit_submission", cutoff: datetime | None = None) -> datetime | None:
    """One node's effective deadline (the same query, walking only the node's own path)."""
    eff = effective_deadlines(campaign_id, milestone, cutoff, level=node.level, on_paths=[node.path]).subquery("eff")
    return session.scalar(select(eff.c.due_at).where(eff.c.org_id == node.id))  # type: ignore[attr-defined,no-any-return]
