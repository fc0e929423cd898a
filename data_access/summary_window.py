"""The milestone cards' window counts ("sent to the bank / delivered in the last 7 days") as
sums over units × times, never over members.

Those counts ask for member rows live at the cut-off whose stage time falls in a window
(start, cutoff]. ``member_stage_count`` cannot give them: it dates a row's +1 at the later of
its stage time and its collection (a corrected or moved member's new row keeps the old
``sent_at`` with a new ``collected_at``), and withdrawals in the window mix with new arrivals
in its net ``n``. So ``member_stage_window`` keeps, per campaign, stage, unit and three times,
how many member rows:

- ``reached_at``: reached the stage then (``member.sent_at`` / ``delivered_at``);
- ``live_from``: count for it from then on (the later of ``reached_at`` and ``collected_at``,
  the start ``member_stage_count`` uses);
- ``live_until``: stop counting then (the earlier of ``superseded_at`` and ``withdrawn_at``;
  ``FOREVER`` while live). Rows that never count (leaving before they start) are left out.

The window count is ``sum(n) where start < reached_at <= cutoff and live_from <= cutoff and
live_until > cutoff``, which is exactly "live at the cut-off (``history.live_at``) and reached
the stage in the window" (given ``reached_at <= cutoff``, ``live_from <= cutoff`` is "collected
by the cut-off"). The key starts with (campaign, stage, reached_at), so a window reads one
range of the table.

It is kept by the same machinery as ``member_stage_count`` (``data_access.summary``): each
member row contributes +1 on its key (``add_row``, called from ``summary._contributions``), a
change moves it from the old key to the new (the before/after diff of ``summary.changed`` and
the ORM flush hook), ``apply`` writes a delta; rows at zero are left. ``rebuild`` recomputes the
table in SQL (``summary.rebuild_all``: migration 0010, bulk loads); ``recount`` is the
independent per-row oracle the tests compare with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import Connection, DateTime, and_, case, delete, func, insert, inspect, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_access.models import Member, MemberStageCount, MemberStageWindow, OrgUnit, UnitStageTotal
from data_access.scope import Scope

CHUNK = 500
# While a row is live it counts until the end of time.
FOREVER = datetime(9999, 12, 31)
# Summary stage (as in ``summary.STAGE_COLUMNS``) -> the member column holding when it was reached.
STAGE_COLUMNS: dict[str, str] = {"sent_to_bank": "sent_at", "delivered": "delivered_at"}
STAGES = tuple(STAGE_COLUMNS)

# campaign, unit, stage, reached_at, live_from, live_until (a ``summary`` key has four parts)
WindowKey = tuple[int, int, str, datetime, datetime, datetime]
Bind = Session | Connection


def is_window_key(key: tuple[object, ...]) -> bool:
    return len(key) == 6


def add_row(
    into: dict, campaign_id: int, unit_id: int, stage: str, reached: datetime, start: datetime, end: datetime | None,
    sign: int = 1,
) -> None:
    """One member row's contribution for a stage (``start``/``end``: when it starts / stops
    counting, as ``summary._contributions`` computed them; the caller skips rows that never count)."""
    if stage not in STAGE_COLUMNS:
        return
    key = (campaign_id, unit_id, stage, reached, start, FOREVER if end is None else end)
    into[key] = into.get(key, 0) + sign


def apply(bind: Bind, delta: Mapping[WindowKey, int]) -> None:
    """Add a change of contributions (window keys -> n) to ``member_stage_window``."""
    rows = [
        {"campaign_id": c, "unit_id": u, "stage": s, "reached_at": r, "live_from": f, "live_until": t, "n": n}
        for (c, u, s, r, f, t), n in sorted(delta.items())
        if n
    ]
    if not rows:
        return
    name = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    dialect_insert = postgresql.insert if name == "postgresql" else sqlite.insert
    table = MemberStageWindow.__table__
    keys = ["campaign_id", "stage", "reached_at", "unit_id", "live_from", "live_until"]
    for start in range(0, len(rows), CHUNK):
        statement = dialect_insert(table).values(rows[start : start + CHUNK])
        statement = statement.on_conflict_do_update(index_elements=keys, set_={"n": table.c.n + statement.excluded.n})
        bind.execute(statement)


# --- reading ----------------------------------------------------------------------------


def scope_stage_counts(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, stages: Sequence[str]
) -> dict[str, int]:
    """Member rows in scope counted for each stage at the cut-off (reached it by then and live
    then), as stage -> count: the scope's ``unit_stage_total`` summed less the scope's
    ``member_stage_count`` deltas dated after the cut-off, each summed over the scope at once
    (the sum of ``unit_state.stage_counts_at`` over the scope's units, without a row per unit)."""
    t, s = UnitStageTotal, MemberStageCount
    totals = select(*(func.coalesce(func.sum(getattr(t, stage)), 0) for stage in stages)).where(t.campaign_id == campaign_id)
    later = (
        select(s.stage, func.sum(s.n))
        .where(s.campaign_id == campaign_id, s.at > cutoff, s.stage.in_(stages))
        .group_by(s.stage)
    )
    if scope.root_path is not None:
        totals = totals.join(OrgUnit, OrgUnit.id == t.unit_id).where(scope.org_filter(OrgUnit))
        later = later.join(OrgUnit, OrgUnit.id == s.unit_id).where(scope.org_filter(OrgUnit))
    now = session.execute(totals).one()
    since = {stage: int(n or 0) for stage, n in session.execute(later)}
    return {stage: int(n) - since.get(stage, 0) for stage, n in zip(stages, now, strict=True)}


def window_counts(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, start: datetime) -> dict[str, int]:
    """Member rows in scope live at the cut-off that reached each stage in (start, cutoff], as
    stage -> count (every stage of ``STAGES``, zeros included)."""
    w = MemberStageWindow
    query = (
        select(w.stage, func.sum(w.n))
        .where(
            w.campaign_id == campaign_id, w.stage.in_(STAGES), w.reached_at > start, w.reached_at <= cutoff,
            w.live_from <= cutoff, w.live_until > cutoff,
        )
        .group_by(w.stage)
    )
    if scope.root_path is not None:
        query = query.join(OrgUnit, OrgUnit.id == w.unit_id).where(scope.org_filter(OrgUnit))
    found = dict.fromkeys(STAGES, 0)
    for stage, n in session.execute(query):
        found[stage] = int(n or 0)
    return found


# --- rebuilding and recounting -------------------------------------------------------------


def _made_yet(bind: Bind) -> bool:
    """Whether the schema has the table yet (an older migration's rebuild runs this code
    before migration 0010 made it)."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    return inspect(connection).has_table(MemberStageWindow.__tablename__)


def rebuild(bind: Bind, campaign_id: int | None = None) -> None:
    """Recompute ``member_stage_window`` from the member rows, in SQL (one pass per stage)."""
    if not _made_yet(bind):
        return
    w, m = MemberStageWindow, Member
    bind.execute(delete(w).where(*([] if campaign_id is None else [w.campaign_id == campaign_id])))
    # as summary.rebuild_members: the later of the stage and the collection, the earlier of the ends
    leaves = case(
        (m.superseded_at.is_(None), m.withdrawn_at), (m.withdrawn_at.is_(None), m.superseded_at),
        (m.withdrawn_at < m.superseded_at, m.withdrawn_at), else_=m.superseded_at,
    )
    for stage, column in STAGE_COLUMNS.items():
        reached = getattr(m, column)
        start = case((and_(m.collected_at.is_not(None), m.collected_at > reached), m.collected_at), else_=reached)
        until = func.coalesce(leaves, literal(FOREVER, DateTime))
        counted = and_(reached.is_not(None), or_(leaves.is_(None), leaves > start))
        if campaign_id is not None:
            counted = and_(counted, m.campaign_id == campaign_id)
        rows = select(
            m.campaign_id.label("c"), reached.label("r"), m.unit_id.label("u"), start.label("f"), until.label("t")
        ).where(counted).subquery("window_rows")  # grouped outside: PostgreSQL sees the same columns
        query = select(rows.c.c, literal(stage), rows.c.r, rows.c.u, rows.c.f, rows.c.t, func.count()).group_by(
            rows.c.c, rows.c.r, rows.c.u, rows.c.f, rows.c.t
        )
        bind.execute(
            insert(w).from_select(["campaign_id", "stage", "reached_at", "unit_id", "live_from", "live_until", "n"], query)
        )


def stored(session: Session, campaign_id: int) -> dict[tuple[int, str, datetime, datetime, datetime], int]:
    """The table as (unit, stage, reached_at, live_from, live_until) -> n without zeros."""
    w = MemberStageWindow
    rows = session.execute(
        select(w.unit_id, w.stage, w.reached_at, w.live_from, w.live_until, w.n).where(w.campaign_id == campaign_id, w.n != 0)
    )
    return {(u, s, r, f, t): n for u, s, r, f, t, n in rows}


def recount(session: Session, campaign_id: int) -> dict[tuple[int, str, datetime, datetime, datetime], int]:
    """The oracle: every member row of the campaign looked at in Python, keyed as ``stored``."""
    found: dict[tuple[int, str, datetime, datetime, datetime], int] = {}
    m = Member
    query = select(
        m.unit_id, m.collected_at, m.superseded_at, m.withdrawn_at, *(getattr(m, c) for c in STAGE_COLUMNS.values())
    ).where(m.campaign_id == campaign_id)
    for unit_id, collected, superseded, withdrawn, *reached_at in session.execute(query.execution_options(yield_per=5000)):
        ends = [t for t in (superseded, withdrawn) if t is not None]
        until = min(ends) if ends else FOREVER
        for stage, reached in zip(STAGES, reached_at, strict=True):
            if reached is None:
                continue
            live_from = max(reached, collected) if collected is not None else reached
            if until <= live_from:
                continue
            key = (unit_id, stage, reached, live_from, until)
            found[key] = found.get(key, 0) + 1
    return found


__all__ = [
    "FOREVER", "STAGES", "STAGE_COLUMNS", "WindowKey", "add_row", "apply", "is_window_key", "rebuild", "recount",
    "scope_stage_counts", "stored", "window_counts",
]
