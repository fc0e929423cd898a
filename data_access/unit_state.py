"""Per-unit current state: what the progress pages read per unit, kept so a page view reads units, never their history.

Two caches, written in the transactions that change what they hold, and rebuilt in SQL after
bulk loads (``summary.rebuild_all``) and in the migrations:

- ``unit_stage_total``: per unit, the members counted per stage now: every ``member_stage_count``
  delta is added to it where the delta is written (``summary.apply_member_delta``, the ORM
  flush hook). The count at a cut-off is the total minus the deltas dated after the cut-off, so
  "now" reads only the totals and yesterday or last week only the recent deltas.
- ``unit_state_version`` (migration 0011): per unit with an upload or a submission, the columns
  ``unit_progress`` takes from its latest upload and its submissions, as a history: one row per
  interval between two consecutive change times (uploads, findings resolved, submissions,
  reviews, paper receipts; ``computed_state`` at the first, valid until the next; NULL: still
  in force). The state only changes at those times, so the version in force at a cut-off is
  the state then, at any cut-off, by one indexed lookup (``state_at``: what
  ``metrics.unit_progress`` reads); the open version is the unit's current state
  (``stored_states``). Writers call ``refresh`` for the units they touched (ORM-written rows
  are refreshed by a flush hook); it rebuilds the whole history of those units, so a row
  written with a time before the unit's latest version (a back-dated receipt, review or
  fixture) leaves it exact; ``rebuild`` recomputes it in SQL.

(Migrations 0009 to 0012 also had ``unit_state``, each unit's current state alone, kept beside
the versions; migration 0013 dropped it.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from data_access.models import (
    Finding,
    MemberStageCount,
    PaperReceipt,
    Submission,
    UnitStageTotal,
    UnitStateVersion,
    Upload,
)

# The end of time: the state as it stands once every recorded event has happened.
END_OF_TIME = datetime(9999, 12, 31)
CHUNK = 500

STAGES = (
    "validated", "submitted", "approved", "sent_to_bank", "produced", "received", "distributed", "delivered",
    "activated", "failed_open",
)
UPLOAD_COLUMNS = ("collected", "open_errors", "first_clean", "uploads")
SUBMISSION_COLUMNS = (
    "first_submitted_at", "kept_submitted_at", "last_submitted_at", "approved_at", "outcome",
    "paper_sheet", "paper_unit_form", "paper_id_copies", "paper_consents", "id_copies_missing", "consents_missing",
)
STATE_COLUMNS = UPLOAD_COLUMNS + SUBMISSION_COLUMNS

# Some units: a query of their ids or a list of them (None: every unit).
Units = Select[tuple[int]] | Sequence[int] | None


def _bind_dialect(bind: Session | Connection) -> str:
    return bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name


# --- the per-unit queries (restricted to some units: the work proportional to them) ------


def _only(column: object, units: Units) -> object:
    """SQL: the column is one of the units (always true for None: every unit)."""
    return column.in_(units) if units is not None else literal(True)  # type: ignore[attr-defined]


def _unit_ids(campaign_id: int, units: Units):  # type: ignore[no-untyped-def]
    """The units that have an upload or a submission (among ``units``)."""
    uploaded = select(Upload.unit_id.label("unit_id")).where(Upload.campaign_id == campaign_id)
    submitted = select(Submission.unit_id).where(Submission.campaign_id == campaign_id)
    if units is not None:
        uploaded = uploaded.where(Upload.unit_id.in_(units))
        submitted = submitted.where(Submission.unit_id.in_(units))
    return uploaded.union(submitted).subquery("state_units")


def computed_state(campaign_id: int, cutoff: datetime, units: Units = None) -> Select[tuple[object, ...]]:
    """SELECT (unit_id, *STATE_COLUMNS): the state at the cut-off computed from the rows, for
    the units with an upload or a submission among ``units`` (a query of unit ids: exactly
    those units, all NULL for one with neither).

    Per unit: rows and open errors of the latest upload at the cut-off, first-try cleanliness
    and uploads so far; first submission time (and first not returned by the cut-off), the
    latest one's time, outcome (pending until reviewed by the cut-off) and paper as received by
    then. Shaped for SQLite's planner: each unit's latest upload, submission and receipt are
    found by indexed correlated lookups and joined by primary key (no join between derived
    tables, which SQLite nests without an index), so the work is proportional to the units."""
    ids = units.subquery("state_units") if isinstance(units, Select) else _unit_ids(campaign_id, units)
    return _state(campaign_id, ids, lambda _table: cutoff)


def computed_states_at(campaign_id: int, points) -> Select[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """SELECT (unit_id, at, until, *STATE_COLUMNS): ``computed_state`` of each unit at each of
    its own cut-offs, for ``points``, a subquery (unit_id, at, until) (``until`` carried along)."""
    return _state(campaign_id, points, lambda table: table.c.at, carry=("at", "until"))


def _state(campaign_id: int, ids, cut, carry: Sequence[str] = ()) -> Select[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """The state query over ``ids`` (a subquery with unit_id and the ``carry`` columns), the
    cut-off of a row given by ``cut(table)`` (a constant, or a column carried in the table)."""
    unit_id = ids.c.unit_id
    u = aliased(Upload, name="u_any")
    s = aliased(Submission, name="s_any")
    cutoff = cut(ids)
    latest_upload_id = (
        select(u.id)
        .where(u.unit_id == unit_id, u.campaign_id == campaign_id, u.uploaded_at <= cutoff)
        .order_by(u.uploaded_at.desc(), u.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    latest_submission_id = (
        select(s.id)
        .where(s.unit_id == unit_id, s.campaign_id == campaign_id, s.submitted_at <= cutoff)
        .order_by(s.submitted_at.desc(), s.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    keys = select(
        unit_id.label("unit_id"), *(ids.c[name] for name in carry),
        latest_upload_id.label("upload_id"), latest_submission_id.label("submission_id"),
    ).subquery("state_keys")
    receipt = aliased(PaperReceipt, name="r_any")
    cutoff = cut(keys)
    latest_receipt_id = (
        select(receipt.id)
        .where(receipt.submission_id == keys.c.submission_id, receipt.at <= cutoff)
        .order_by(receipt.at.desc(), receipt.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    keyed = select(keys, latest_receipt_id.label("receipt_id")).subquery("state_keyed")
    cutoff = cut(keyed)

    up = aliased(Upload, name="latest_upload")
    sub = aliased(Submission, name="latest_submission")
    rc = aliased(PaperReceipt, name="latest_receipt")
    mine_u = and_(u.unit_id == keyed.c.unit_id, u.campaign_id == campaign_id, u.uploaded_at <= cutoff)
    mine_s = and_(s.unit_id == keyed.c.unit_id, s.campaign_id == campaign_id, s.submitted_at <= cutoff)
    open_errors = (
        select(func.count())
        .where(
            Finding.upload_id == up.id,
            Finding.severity == "error",
            or_(Finding.resolved_at.is_(None), Finding.resolved_at > cutoff),
        )
        .scalar_subquery()
    )
    first_clean = (
        select(case((u.error_count == 0, 1), else_=0)).where(mine_u).order_by(u.uploaded_at, u.id).limit(1).scalar_subquery()
    )
    uploads = select(func.count()).where(mine_u).scalar_subquery()
    first_submitted_at = select(func.min(s.submitted_at)).where(mine_s).scalar_subquery()
    # the first submission that was not returned (by the cut-off): what the on-time rate counts
    returned_by_cutoff = and_(s.outcome == "returned", s.reviewed_at <= cutoff)
    kept_submitted_at = (
        select(func.min(case((returned_by_cutoff, None), else_=s.submitted_at))).where(mine_s).scalar_subquery()
    )
    outcome = case((sub.reviewed_at <= cutoff, sub.outcome), (sub.id.is_not(None), literal("pending")))
    # Paper as received by the cut-off: the latest receipt recorded by then (the submission's
    # paper_* columns cache the latest receipt of all; rows loaded in bulk have no receipts).
    any_receipt = select(PaperReceipt.id).where(PaperReceipt.submission_id == sub.id).exists()
    members = func.coalesce(sub.member_count, 0)

    def shortfall(needed: object, received: object) -> object:
        return case((rc.id.is_not(None), case((needed > received, needed - received), else_=0)))

    def paper(received: object, cached: object) -> object:
        return case((rc.id.is_not(None), received), (any_receipt, literal(False)), else_=cached)

    has_upload = up.id.is_not(None)
    return (
        select(
            keyed.c.unit_id,
            *(keyed.c[name] for name in carry),
            up.rows.label("collected"),
            case((has_upload, open_errors)).label("open_errors"),
            case((has_upload, first_clean)).label("first_clean"),
            case((has_upload, uploads)).label("uploads"),
            first_submitted_at.label("first_submitted_at"),
            kept_submitted_at.label("kept_submitted_at"),
            sub.submitted_at.label("last_submitted_at"),
            case((and_(sub.reviewed_at <= cutoff, sub.outcome == "approved"), sub.reviewed_at)).label("approved_at"),
            outcome.label("outcome"),
            paper(rc.sheet, sub.paper_sheet).label("paper_sheet"),
            paper(rc.unit_form, sub.paper_unit_form).label("paper_unit_form"),
            paper(rc.id_copies >= 2 * members, sub.paper_id_copies).label("paper_id_copies"),
            paper(rc.consents >= members, sub.paper_consents).label("paper_consents"),
            # how many are still missing, where a receipt counted them (None: not counted)
            shortfall(2 * members, rc.id_copies).label("id_copies_missing"),
            shortfall(members, rc.consents).label("consents_missing"),
        )
        .select_from(keyed)
        .outerjoin(up, up.id == keyed.c.upload_id)
        .outerjoin(sub, sub.id == keyed.c.submission_id)
        .outerjoin(rc, rc.id == keyed.c.receipt_id)
    )


def _times(campaign_id: int, units: Units):  # type: ignore[no-untyped-def]
    """SELECT (unit_id, at): the times of everything the state depends on (uploads, findings
    resolved, submissions, reviews, paper receipts): the state changes only at these."""
    def only(column: object) -> object:
        return _only(column, units)

    return union_all(
        select(Upload.unit_id.label("unit_id"), Upload.uploaded_at.label("at")).where(
            Upload.campaign_id == campaign_id, only(Upload.unit_id)
        ),
        select(Upload.unit_id, Finding.resolved_at).join(Finding, Finding.upload_id == Upload.id).where(
            Upload.campaign_id == campaign_id, only(Upload.unit_id), Finding.resolved_at.is_not(None)
        ),
        select(Submission.unit_id, Submission.submitted_at).where(Submission.campaign_id == campaign_id, only(Submission.unit_id)),
        select(Submission.unit_id, Submission.reviewed_at).where(
            Submission.campaign_id == campaign_id, only(Submission.unit_id), Submission.reviewed_at.is_not(None)
        ),
        select(Submission.unit_id, PaperReceipt.at).join(PaperReceipt, PaperReceipt.submission_id == Submission.id).where(
            Submission.campaign_id == campaign_id, only(Submission.unit_id)
        ),
    ).subquery("state_times")


def _changed_at(campaign_id: int, units: Units):  # type: ignore[no-untyped-def]
    """SELECT (unit_id, changed_at): the latest time of anything the state depends on."""
    times = _times(campaign_id, units)
    return select(times.c.unit_id, func.max(times.c.at).label("changed_at")).group_by(times.c.unit_id).subquery("changed")


def _version_points(campaign_id: int, units: Units):  # type: ignore[no-untyped-def]
    """SELECT (unit_id, at, until): each unit's change times and the next one (NULL: the last)."""
    times = _times(campaign_id, units)
    points = select(times.c.unit_id, times.c.at).where(times.c.at.is_not(None)).distinct().subquery("points")
    until = func.lead(points.c.at).over(partition_by=points.c.unit_id, order_by=points.c.at)
    return select(points.c.unit_id, points.c.at, until.label("until")).subquery("version_points")


def _store_versions(bind: Session | Connection, campaign_id: int, units: Units) -> None:
    state = computed_states_at(campaign_id, _version_points(campaign_id, units)).subquery("state_versions")
    query = select(literal(campaign_id), state.c.unit_id, state.c.at, state.c.until, *(state.c[n] for n in STATE_COLUMNS))
    bind.execute(
        insert(UnitStateVersion).from_select(["campaign_id", "unit_id", "valid_from", "valid_until", *STATE_COLUMNS], query)
    )


def refresh(bind: Session | Connection, campaign_id: int, unit_ids: Iterable[int]) -> None:
    """Recompute the whole state history of these units from their rows (a writer touched
    them; a row it wrote may be dated before the unit's latest version)."""
    ids = sorted(set(unit_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        version = UnitStateVersion
        bind.execute(delete(version).where(version.campaign_id == campaign_id, version.unit_id.in_(chunk)))
        _store_versions(bind, campaign_id, chunk)


def refresh_submissions(bind: Session | Connection, submission_ids: Iterable[int]) -> None:
    """Recompute the stored state of the units of these submissions (reviewed, paper received)."""
    ids = sorted(set(submission_ids))
    touched: dict[int, set[int]] = defaultdict(set)
    for start in range(0, len(ids), CHUNK):
        query = select(Submission.campaign_id, Submission.unit_id).where(Submission.id.in_(ids[start : start + CHUNK]))
        for campaign_id, unit_id in bind.execute(query):
            touched[campaign_id].add(unit_id)
    for campaign_id, units in touched.items():
        refresh(bind, campaign_id, units)


def rebuild(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Recompute the state versions from the rows, in SQL (after a bulk load, in the
    migrations; ``summary.rebuild_members`` rebuilds the totals): ``rebuild_versions`` under
    the name ``summary.rebuild_all`` and migration 0009 call."""
    rebuild_versions(bind, campaign_id)


def rebuild_versions(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Recompute ``unit_state_version`` from the rows, in SQL (nothing before migration 0011)."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    if not inspect(connection).has_table(UnitStateVersion.__tablename__):
        return
    where = [] if campaign_id is None else [UnitStateVersion.campaign_id == campaign_id]
    bind.execute(delete(UnitStateVersion).where(*where))
    for cid in _campaigns(bind, campaign_id):
        _store_versions(bind, cid, None)


def _campaigns(bind: Session | Connection, campaign_id: int | None) -> list[int]:
    if campaign_id is not None:
        return [campaign_id]
    return sorted(
        set(bind.scalars(select(Upload.campaign_id).distinct())) | set(bind.scalars(select(Submission.campaign_id).distinct()))
    )


# --- stage totals -----------------------------------------------------------------------


def add_totals(bind: Session | Connection, rows: Iterable[Mapping[str, object]]) -> None:
    """Add ``member_stage_count`` deltas (dicts with campaign_id, unit_id, stage, n) to the totals."""
    per_unit: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for row in rows:
        per_unit[(row["campaign_id"], row["unit_id"])][row["stage"]] += row["n"]  # type: ignore[index,operator]
    wide = [{"campaign_id": c, "unit_id": u, **counts} for (c, u), counts in sorted(per_unit.items()) if any(counts.values())]
    if not wide:
        return
    dialect_insert = postgresql.insert if _bind_dialect(bind) == "postgresql" else sqlite.insert
    table = UnitStageTotal.__table__
    for start in range(0, len(wide), CHUNK):
        statement = dialect_insert(table).values(wide[start : start + CHUNK])
        statement = statement.on_conflict_do_update(
            index_elements=["campaign_id", "unit_id"],
            set_={stage: table.c[stage] + statement.excluded[stage] for stage in STAGES},
        )
        bind.execute(statement)


def _cached_yet(bind: Session | Connection) -> bool:
    """Whether the schema has the totals yet (an older migration's rebuild runs this code
    before migration 0009 made them)."""
    connection = bind.connection() if isinstance(bind, Session) else bind
    return inspect(connection).has_table(UnitStageTotal.__tablename__)


def rebuild_totals(bind: Session | Connection, campaign_id: int | None = None) -> None:
    """Recompute ``unit_stage_total`` from ``member_stage_count`` in SQL."""
    if not _cached_yet(bind):
        return
    where = [] if campaign_id is None else [UnitStageTotal.campaign_id == campaign_id]
    bind.execute(delete(UnitStageTotal).where(*where))
    s = MemberStageCount
    query = select(
        s.campaign_id, s.unit_id, *(func.coalesce(func.sum(case((s.stage == stage, s.n), else_=0)), 0) for stage in STAGES)
    ).group_by(s.campaign_id, s.unit_id)
    if campaign_id is not None:
        query = query.where(s.campaign_id == campaign_id)
    bind.execute(insert(UnitStageTotal).from_select(["campaign_id", "unit_id", *STAGES], query))


# --- reading ----------------------------------------------------------------------------


def stage_counts_at(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """SQL subquery ``mc``: per unit, the members counted per stage at the cut-off: the total
    minus the deltas dated after the cut-off (none for "now")."""
    s, t = MemberStageCount, UnitStageTotal
    recent = (
        select(s.unit_id, *(func.sum(case((s.stage == stage, s.n), else_=0)).label(stage) for stage in STAGES))
        .where(s.campaign_id == campaign_id, s.at > cutoff)
        .group_by(s.unit_id)
        .subquery("recent")
    )
    return (
        select(t.unit_id.label("unit_id"), *((getattr(t, stage) - func.coalesce(recent.c[stage], 0)).label(stage) for stage in STAGES))
        .outerjoin(recent, recent.c.unit_id == t.unit_id)
        .where(t.campaign_id == campaign_id)
        .subquery("mc")
    )


def state_at(campaign_id: int, cutoff: datetime, unit_id: ColumnElement[int]):  # type: ignore[no-untyped-def]
    """The unit ``unit_id``'s state version in force at the cut-off: (the aliased
    ``unit_state_version`` to outer-join, its ON clause, the state columns by name; all NULL
    where the unit had no upload or submission yet). One indexed lookup per unit at any cut-off."""
    version = aliased(UnitStateVersion, name="state_version")
    on = and_(
        version.campaign_id == campaign_id,
        version.unit_id == unit_id,
        version.valid_from <= cutoff,
        or_(version.valid_until.is_(None), version.valid_until > cutoff),
    )
    return version, on, {name: getattr(version, name) for name in STATE_COLUMNS}


def stored_states(session: Session, campaign_id: int) -> dict[int, tuple[object, ...]]:
    """Each unit's current state, its open version (in force since its latest change), as
    unit -> (*STATE_COLUMNS, changed_at: the version's start)."""
    v = UnitStateVersion
    rows = session.execute(
        select(v.unit_id, *(getattr(v, n) for n in STATE_COLUMNS), v.valid_from)
        .where(v.campaign_id == campaign_id, v.valid_until.is_(None))
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def recount_states(session: Session, campaign_id: int) -> dict[int, tuple[object, ...]]:
    """The oracle: every unit's state recomputed from all its rows, as ``stored_states`` gives it."""
    state = computed_state(campaign_id, END_OF_TIME).subquery("state_now")
    changed = _changed_at(campaign_id, None)
    rows = session.execute(
        select(state.c.unit_id, *(state.c[n] for n in STATE_COLUMNS), changed.c.changed_at).join(changed, changed.c.unit_id == state.c.unit_id)
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def stored_versions(session: Session, campaign_id: int) -> list[tuple[object, ...]]:
    """The stored state history as sorted rows (unit_id, valid_from, valid_until, *STATE_COLUMNS)."""
    v = UnitStateVersion
    rows = session.execute(
        select(v.unit_id, v.valid_from, v.valid_until, *(getattr(v, n) for n in STATE_COLUMNS)).where(v.campaign_id == campaign_id)
    )
    return sorted(tuple(row) for row in rows)


def recount_versions(session: Session, campaign_id: int) -> list[tuple[object, ...]]:
    """The oracle for the history: every unit's change times from all its rows, and
    ``computed_state`` at each of them, one query per time (as ``stored_versions`` gives it)."""
    times = _times(campaign_id, None)
    points = sorted({(u, at) for u, at in session.execute(select(times.c.unit_id, times.c.at)) if at is not None})
    rows = []
    for i, (unit, at) in enumerate(points):
        until = points[i + 1][1] if i + 1 < len(points) and points[i + 1][0] == unit else None
        state = session.execute(computed_state(campaign_id, at, [unit])).one()
        rows.append((unit, at, until, *state[1:]))
    return sorted(rows)


def stored_totals(session: Session, campaign_id: int) -> dict[int, tuple[int, ...]]:
    """The totals as unit -> counts per stage, units with all zeros left out."""
    t = UnitStageTotal
    rows = session.execute(select(t.unit_id, *(getattr(t, s) for s in STAGES)).where(t.campaign_id == campaign_id))
    return {row[0]: tuple(row[1:]) for row in rows if any(row[1:])}


def recount_totals(session: Session, campaign_id: int) -> dict[int, tuple[int, ...]]:
    """The oracle for the totals: ``member_stage_count`` summed per unit and stage."""
    s = MemberStageCount
    rows = session.execute(
        select(s.unit_id, *(func.coalesce(func.sum(case((s.stage == st, s.n), else_=0)), 0) for st in STAGES))
        .where(s.campaign_id == campaign_id)
        .group_by(s.unit_id)
    )
    return {row[0]: tuple(int(v) for v in row[1:]) for row in rows if any(row[1:])}


# --- ORM-written rows -------------------------------------------------------------------


@event.listens_for(Session, "after_flush")
def _refresh_orm_rows(session: Session, _context: object) -> None:
    """Uploads, findings, submissions and paper receipts added or changed through the ORM (a
    submission, fixtures, small tools) refresh their units' state in the same flush."""
    touched: dict[int, set[int]] = defaultdict(set)
    upload_ids: set[int] = set()
    submission_ids: set[int] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, (Upload, Submission)):
            touched[obj.campaign_id].add(obj.unit_id)
        elif isinstance(obj, Finding):
            upload_ids.add(obj.upload_id)
        elif isinstance(obj, PaperReceipt):
            submission_ids.add(obj.submission_id)
    if not touched and not upload_ids and not submission_ids:
        return
    connection = session.connection()
    if upload_ids:
        for c, u in connection.execute(select(Upload.campaign_id, Upload.unit_id).where(Upload.id.in_(sorted(upload_ids)))):
            touched[c].add(u)
    if submission_ids:
        for c, u in connection.execute(
            select(Submission.campaign_id, Submission.unit_id).where(Submission.id.in_(sorted(submission_ids)))
        ):
            touched[c].add(u)
    for campaign_id, units in touched.items():
        refresh(connection, campaign_id, units)


__all__ = [
    "STAGES", "STATE_COLUMNS", "add_totals", "computed_state", "computed_states_at", "rebuild", "rebuild_totals",
    "rebuild_versions", "recount_states", "recount_totals", "recount_versions", "refresh", "refresh_submissions",
    "stage_counts_at", "state_at", "stored_states", "stored_totals", "stored_versions",
]
