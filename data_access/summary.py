"""Summary tables: the as-of figures as sums over units × times, never over members.

``member_stage_count`` holds, per campaign, unit, stage and time, how many member rows start
(+n) or stop (-n) counting for that stage. A member row counts for a stage at a cut-off when
it reached the stage by then (``member.<stage>_at``) and was live then (``history.live_at``:
collected by then, neither superseded nor withdrawn yet). So it counts from
``max(stage_at, collected_at)`` until ``min(superseded_at, withdrawn_at)``: +1 at the start, -1 at
the end. ``failed_open`` counts a failed row until it is produced (or leaves the list). The
count at a cut-off is ``sum(n) where at <= cutoff``, exactly what the old member-scanning query
gave.

Writers keep them in their own transaction: ``actions.base.add_events`` diffs the affected
rows' contributions before and after its update; code that inserts member rows calls
``add_members``; the bank result import calls ``add_bank_results``. ``rebuild_all`` recomputes
everything in SQL (migration, bulk generator); ``recount_members`` is the independent oracle
the tests compare with. Wherever a delta is written, its unit's current totals
(``unit_stage_total``, ``data_access.unit_state``) take it too, so a count at a cut-off is the
total less the deltas after it. The same contributions carry each row's key in
``member_stage_window`` (``data_access.summary_window``: the milestone cards' window counts), so
every writer above keeps that table too; ``rebuild_all`` rebuilds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, case, delete, event, func, insert, inspect, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_access import summary_more, summary_window, unit_state
from data_access.models import BankResult, BankResultCount, Member, MemberStageCount

CHUNK = 500

# Summary stage -> the member column holding when the row first reached it.
STAGE_COLUMNS: dict[str, str] = {
    "validated": "validated_at",
    "submitted": "submitted_at",
    "approved": "approved_at",
    "sent_to_bank": "sent_at",
    "produced": "produced_at",
    "received": "received_at",
    "distributed": "distributed_at",
    "delivered": "delivered_at",
    "activated": "activated_at",
    "failed_open": "failed_at",  # until produced
}
SUMMARY_STAGES = tuple(STAGE_COLUMNS)

_ROW_COLUMNS = (
    Member.campaign_id, Member.unit_id, Member.collected_at, Member.superseded_at, Member.withdrawn_at,
    *(getattr(Member, column) for column in STAGE_COLUMNS.values()),
)

Key = tuple[int, int, str, datetime]  # campaign, unit, stage, at
# The contributions held in one dict: ``member_stage_count`` keys and ``summary_window``'s
# (six parts: the milestone cards' window counts), told apart by ``summary_window.is_window_key``.
AnyKey = Key | summary_window.WindowKey


def _contributions(rows: Iterable[Sequence[object]], into: dict[AnyKey, int], sign: int = 1) -> dict[AnyKey, int]:
    """Add each member row's +1 / -1 per stage into ``into`` (times ``sign``), and its
    ``summary_window`` contribution."""
    for row in rows:
        campaign_id, unit_id, collected, superseded, withdrawn = row[:5]
        ends = [t for t in (superseded, withdrawn) if t is not None]
        leaves = min(ends) if ends else None
        produced = row[5 + SUMMARY_STAGES.index("produced")]
        for stage, reached in zip(SUMMARY_STAGES, row[5:], strict=True):
            if reached is None:
                continue
            start = reached if collected is None or collected <= reached else collected  # type: ignore[operator]
            end = leaves
            if stage == "failed_open" and produced is not None:
                end = produced if end is None or produced < end else end  # type: ignore[operator]
            if end is not None and end <= start:  # type: ignore[operator]
                continue  # never counted at any cut-off
            summary_window.add_row(into, campaign_id, unit_id, stage, reached, start, end, sign)  # type: ignore[arg-type]
            key = (campaign_id, unit_id, stage, start)
            into[key] = into.get(key, 0) + sign  # type: ignore[index]
            if end is not None:
                key = (campaign_id, unit_id, stage, end)
                into[key] = into.get(key, 0) - sign  # type: ignore[index]
    return into


def snapshot(session: Session, member_ids: Sequence[int]) -> dict[AnyKey, int]:
    """The summary contributions of these member rows as they stand now."""
    found: dict[AnyKey, int] = {}
    ids = sorted(set(member_ids))
    for start in range(0, len(ids), CHUNK):
        rows = session.execute(select(*_ROW_COLUMNS).where(Member.id.in_(ids[start : start + CHUNK]))).all()
        _contributions(rows, found)
    return found


def _upsert(session: Session | Connection, table: type, keys: Sequence[str], rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    name = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    dialect_insert = postgresql.insert if name == "postgresql" else sqlite.insert
    for start in range(0, len(rows), CHUNK):
        statement = dialect_insert(table).values(rows[start : start + CHUNK])
        statement = statement.on_conflict_do_update(index_elements=list(keys), set_={"n": table.n + statement.excluded.n})
        session.execute(statement)


def _split(delta: dict[AnyKey, int]) -> tuple[dict[Key, int], dict[summary_window.WindowKey, int]]:
    """The ``member_stage_count`` keys and the ``summary_window`` keys of a delta."""
    stage_keys: dict[Key, int] = {}
    window_keys: dict[summary_window.WindowKey, int] = {}
    for key, n in delta.items():
        if summary_window.is_window_key(key):
            window_keys[key] = n  # type: ignore[index]
        else:
            stage_keys[key] = n  # type: ignore[index]
    return stage_keys, window_keys


def apply_member_delta(session: Session, delta: dict[AnyKey, int]) -> None:
    """Add a change of contributions to ``member_stage_count`` (and ``member_stage_window``)."""
    counts, window = _split(delta)
    summary_window.apply(session, window)
    rows = [
        {"campaign_id": c, "unit_id": u, "stage": s, "at": at, "n": n}
        for (c, u, s, at), n in sorted(counts.items(), key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3]))
        if n
    ]
    _upsert(session, MemberStageCount, ("campaign_id", "unit_id", "stage", "at"), rows)
    unit_state.add_totals(session, rows)


def changed(session: Session, member_ids: Sequence[int], before: dict[AnyKey, int]) -> None:
    """After rows' cache columns changed: write the difference to the summary."""
    delta = snapshot(session, member_ids)
    for key, n in before.items():
        delta[key] = delta.get(key, 0) - n
    apply_member_delta(session, delta)


def add_members(session: Session, member_ids: Sequence[int]) -> None:
    """New member rows (inserted, not yet summarised): add their contributions."""
    apply_member_delta(session, snapshot(session, member_ids))


def add_bank_results(session: Session, campaign_id: int, rows: Iterable[tuple[int, int, str, str | None, datetime]]) -> None:
    """New bank result rows as (batch_id, unit_id, outcome, reason_code, at)."""
    counts: dict[tuple[int, int, str, str, datetime], int] = defaultdict(int)
    for batch_id, unit_id, outcome, reason, at in rows:
        counts[(batch_id, unit_id, outcome, reason or "", at)] += 1
    _upsert(
        session, BankResultCount, ("campaign_id", "batch_id", "unit_id", "outcome", "reason_code", "at"),
        [
            {"campaign_id": campaign_id, "batch_id": b, "unit_id": u, "outcome": o, "reason_code": r, "at": at, "n": n}
            for (b, u, o, r, at), n in sorted(counts.items())
        ],
    )


@event.listens_for(Session, "after_flush")
def _summarise_orm_rows(session: Session, _context: object) -> None:
    """Member and result rows added or changed through the ORM (``session.add``, attribute
    changes: fixtures, small tools) are summarised in the same flush, as the bulk writers
    summarise theirs (``add_events``, ``add_members``)."""
    summary_more.orm_rows_flushed(session)  # findings, cards, bank people, batch sizes
    members = [o for o in session.new if isinstance(o, Member)]
    changed_members = [o for o in session.dirty if isinstance(o, Member)]
    results = [o for o in session.new if isinstance(o, BankResult)]
    if not members and not changed_members and not results:
        return
    connection = session.connection()
    names = [c.key for c in _ROW_COLUMNS]
    delta: dict[AnyKey, int] = {}
    _contributions([tuple(getattr(m, name) for name in names) for m in members], delta)
    for m in changed_members:  # attribute history still holds the values before this flush
        state = inspect(m)
        before = []
        for name in names:
            history = state.attrs[name].history
            before.append(history.deleted[0] if history.deleted else getattr(m, name))
        _contributions([tuple(before)], delta, sign=-1)
        _contributions([tuple(getattr(m, name) for name in names)], delta)
    counts, window = _split(delta)
    summary_window.apply(connection, window)
    if any(counts.values()):
        rows = [{"campaign_id": c, "unit_id": u, "stage": st, "at": at, "n": n} for (c, u, st, at), n in sorted(counts.items()) if n]
        _upsert(connection, MemberStageCount, ("campaign_id", "unit_id", "stage", "at"), rows)
        unit_state.add_totals(connection, rows)
    if results:
        ids = sorted({r.member_id for r in results})
        where = dict(
            (mid, (c, u)) for mid, c, u in connection.execute(select(Member.id, Member.campaign_id, Member.unit_id).where(Member.id.in_(ids)))
        )
        counts: dict[tuple[int, int, int, str, str, datetime], int] = defaultdict(int)
        for r in results:
            campaign_id, unit_id = where[r.member_id]
            counts[(campaign_id, r.batch_id, unit_id, r.outcome, r.reason_code or "", r.at)] += 1
        _upsert(connection, BankResultCount, ("campaign_id", "batch_id", "unit_id", "outcome", "reason_code", "at"), [
            {"campaign_id": c, "batch_id": b, "unit_id": u, "outcome": o, "reason_code": rc, "at": at, "n": n}
            for (c, b, u, o, rc, at), n in sorted(counts.items())
        ])


# --- reading ----------------------------------------------------------------------------


def stage_counts(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """SQL subquery ``mc``: per unit, the members counted per stage at the cut-off (the columns
    of the old member scan: validated, submitted, approved, sent_to_bank, produced, received,
    distributed, delivered, activated, failed_open): the current totals per unit minus the
    deltas dated after the cut-off (``unit_state.stage_counts_at``)."""
    return unit_state.stage_counts_at(campaign_id, cutoff)


# --- rebuilding and recounting -------------------------------------------------------------


def _later(a, b):  # type: ignore[no-untyped-def]
    """SQL: the later of two times, NULL counting as 'no bound' for ``b``."""
    return case((and_(b.is_not(None), b > a), b), else_=a)


def _earlier(a, b):  # type: ignore[no-untyped-def]
    """SQL: the earlier of two nullable times (NULL = never)."""
    return case((a.is_(None), b), (b.is_(None), a), (b < a, b), else_=a)


def rebuild_members(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Recompute ``member_stage_count`` from the member rows, in SQL (one pass per stage)."""
    where = [] if campaign_id is None else [MemberStageCount.campaign_id == campaign_id]
    bind.execute(delete(MemberStageCount).where(*where))
    m = Member
    leaves = _earlier(m.superseded_at, m.withdrawn_at)
    for stage, column in STAGE_COLUMNS.items():
        reached = getattr(m, column)
        start = _later(reached, m.collected_at)
        end = _earlier(leaves, m.produced_at) if stage == "failed_open" else leaves
        counted = and_(reached.is_not(None), or_(end.is_(None), end > start))
        if campaign_id is not None:
            counted = and_(counted, m.campaign_id == campaign_id)
        enters = select(m.campaign_id.label("c"), m.unit_id.label("u"), start.label("at"), literal(1).label("d")).where(counted)
        leaves_rows = select(m.campaign_id, m.unit_id, end, literal(-1)).where(counted, end.is_not(None))
        both = union_all(enters, leaves_rows).subquery("moves")
        summed = (
            select(both.c.c, both.c.u, literal(stage), both.c.at, func.sum(both.c.d))
            .group_by(both.c.c, both.c.u, both.c.at)
        )
        bind.execute(
            insert(MemberStageCount).from_select(["campaign_id", "unit_id", "stage", "at", "n"], summed)
        )
    unit_state.rebuild_totals(bind, campaign_id)


def rebuild_bank_results(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Recompute ``bank_result_count`` from the result rows."""
    where = [] if campaign_id is None else [BankResultCount.campaign_id == campaign_id]
    bind.execute(delete(BankResultCount).where(*where))
    reason = func.coalesce(BankResult.reason_code, "")
    query = (
        select(Member.campaign_id, BankResult.batch_id, Member.unit_id, BankResult.outcome, reason, BankResult.at, func.count())
        .join(Member, Member.id == BankResult.member_id)
        .group_by(Member.campaign_id, BankResult.batch_id, Member.unit_id, BankResult.outcome, reason, BankResult.at)
    )
    if campaign_id is not None:
        query = query.where(Member.campaign_id == campaign_id)
    bind.execute(
        insert(BankResultCount).from_select(
            ["campaign_id", "batch_id", "unit_id", "outcome", "reason_code", "at", "n"], query
        )
    )


def rebuild_all(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Every summary recomputed from the rows (after a bulk load, in a migration)."""
    rebuild_members(bind, campaign_id)
    rebuild_bank_results(bind, campaign_id)
    summary_more.rebuild(bind, campaign_id)
    unit_state.rebuild(bind, campaign_id)
    summary_window.rebuild(bind, campaign_id)


def recount_members(session: Session, campaign_id: int) -> dict[tuple[int, str, datetime], int]:
    """The oracle: every member row's contributions computed in Python, as (unit, stage, at) ->
    n without zeros."""
    found: dict[AnyKey, int] = {}
    query = select(*_ROW_COLUMNS).where(Member.campaign_id == campaign_id).execution_options(yield_per=5000)
    _contributions(session.execute(query), found)
    stage_keys, _window = _split(found)
    return {(u, s, at): n for (_c, u, s, at), n in stage_keys.items() if n}


def stored_members(session: Session, campaign_id: int) -> dict[tuple[int, str, datetime], int]:
    """The summary table as (unit, stage, at) -> n without zeros."""
    s = MemberStageCount
    rows = session.execute(select(s.unit_id, s.stage, s.at, s.n).where(s.campaign_id == campaign_id, s.n != 0))
    return {(u, stage, at): n for u, stage, at, n in rows}


def recount_bank_results(session: Session, campaign_id: int) -> dict[tuple[int, int, str, str, datetime], int]:
    """The oracle for ``bank_result_count``: result rows grouped in Python."""
    found: dict[tuple[int, int, str, str, datetime], int] = defaultdict(int)
    rows = session.execute(
        select(BankResult.batch_id, Member.unit_id, BankResult.outcome, BankResult.reason_code, BankResult.at)
        .join(Member, Member.id == BankResult.member_id)
        .where(Member.campaign_id == campaign_id)
    )
    for batch_id, unit_id, outcome, reason, at in rows:
        found[(batch_id, unit_id, outcome, reason or "", at)] += 1
    return dict(found)


def stored_bank_results(session: Session, campaign_id: int) -> dict[tuple[int, int, str, str, datetime], int]:
    b = BankResultCount
    rows = session.execute(
        select(b.batch_id, b.unit_id, b.outcome, b.reason_code, b.at, b.n).where(b.campaign_id == campaign_id, b.n != 0)
    )
    return {(bt, u, o, r, at): n for bt, u, o, r, at, n in rows}


__all__ = [
    "SUMMARY_STAGES", "add_bank_results", "add_members", "apply_member_delta", "changed", "rebuild_all",
    "rebuild_bank_results", "rebuild_members", "recount_bank_results", "recount_members", "snapshot",
    "stage_counts", "stored_bank_results", "stored_members",
]
