"""More summary tables: findings, cards, bank people, the correction loop and batch sizes as
sums over units × times, never over findings, members, results or movements.

Each table holds, per campaign and unit (plus its own keys), ``n`` added at a time: a figure at
a cut-off is ``sum(n) where at <= cutoff``, exactly what the old row-scanning query gave.

- ``finding_count`` (code, severity, at; a column per measure): ``raised`` +n at the upload's
  time, ``closed`` +n when the finding closes, ``open`` +n at the upload and -n when it closes; it closes
  (``validation_stats.finding_life``) at the earliest of: resolved, the next upload of the same
  unit and part, and for a warning the unit's first submission at or after the upload.
- ``card_step_count`` (step, at): card movement rows.
- ``card_wait_count`` (received_at, at): +n at ``member.received_at``, -n at ``distributed_at``.
- ``bank_people_count`` (measure, at): member rows with a first result (``answered``) / first
  produced result (``produced``) at that time.
- ``correction_count`` (measure, at): per member with a failure (``bank.correction_loop``):
  ``failed`` at the first failure, ``corrected`` at ``member.corrected_at`` if not before it,
  ``resubmitted`` / ``recovered`` at the first result / production after it, ``still_open``
  from the first failure until the first production.
- ``batch_member_count`` (batch): ``bank_batch_member`` rows (no time: the old query had none).

Writers keep them in their own transaction by *refreshing the units they touched*: the unit's
rows are recomputed (``fresh``: bounded by the unit, grouped in SQL) and the difference to what
is stored is added (``refresh_units``). ``actions.base.add_events`` does it for the member
events that matter, ``uploads`` after storing findings, and an ``after_flush`` hook for rows
added through the ORM (a submission, fixtures). ``rebuild`` recomputes everything (migration,
bulk loads); ``recount`` is the independent per-row oracle the tests compare with.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from data_access.models import (
    BankBatchMember,
    BankPeopleCount,
    BankResult,
    BatchMemberCount,
    Campaign,
    CardMovement,
    CardStepCount,
    CardWaitCount,
    CorrectionCount,
    Finding,
    FindingCount,
    Member,
    OrgUnit,
    Submission,
    Upload,
)

CHUNK = 500
Bind = Session | Connection
Counts = dict[tuple[Any, ...], int]  # (unit_id, *keys) -> n


def _chunks(units: Sequence[int] | None) -> Iterator[Sequence[int] | None]:
    if units is None:
        yield None
        return
    ids = sorted(set(units))
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _add(into: Counts, key: tuple[Any, ...], n: int) -> None:
    into[key] = into.get(key, 0) + n


# --- what the rows say (grouped in SQL, bounded by the units asked for) ----------------------


def fresh_findings(bind: Bind, campaign_id: int, units: Sequence[int] | None = None) -> Counts:
    """(unit, code, severity, measure, at) -> n from the upload, submission and finding rows."""
    found: Counts = {}
    for chunk in _chunks(units):
        where_u = [Upload.campaign_id == campaign_id] + ([Upload.unit_id.in_(chunk)] if chunk is not None else [])
        uploads = bind.execute(
            select(Upload.id, Upload.unit_id, Upload.part, Upload.uploaded_at).where(*where_u)
        ).all()
        if not uploads:
            continue
        where_s = [Submission.campaign_id == campaign_id] + ([Submission.unit_id.in_(chunk)] if chunk is not None else [])
        submitted: dict[int, list[datetime]] = defaultdict(list)
        for unit_id, at in bind.execute(select(Submission.unit_id, Submission.submitted_at).where(*where_s)):
            submitted[unit_id].append(at)
        # per upload: the next upload of the same unit and part, the first submission at or after it
        upload_info: dict[int, tuple[int, datetime, datetime | None, datetime | None]] = {}
        by_list: dict[tuple[int, str], list[tuple[datetime, int]]] = defaultdict(list)
        for upload_id, unit_id, part, at in uploads:
            by_list[(unit_id, part)].append((at, upload_id))
        for (unit_id, _part), seq in by_list.items():
            seq.sort()
            for k, (at, upload_id) in enumerate(seq):
                next_at = seq[k + 1][0] if k + 1 < len(seq) else None
                after = [s for s in submitted.get(unit_id, ()) if s >= at]
                upload_info[upload_id] = (unit_id, at, next_at, min(after) if after else None)
        rows = bind.execute(
            select(Finding.upload_id, Finding.code, Finding.severity, Finding.resolved_at, func.count())
            .join(Upload, Upload.id == Finding.upload_id)
            .where(*where_u)
            .group_by(Finding.upload_id, Finding.code, Finding.severity, Finding.resolved_at)
        )
        for upload_id, code, severity, resolved, n in rows:
            unit_id, raised, next_at, submitted_at = upload_info[upload_id]
            ends = [t for t in (resolved, next_at, submitted_at if severity == "warning" else None) if t is not None]
            closed = min(ends) if ends else None
            _add(found, (unit_id, code, severity, "raised", raised), n)
            if closed is not None:
                _add(found, (unit_id, code, severity, "closed", closed), n)
            if closed is None or closed > raised:
                _add(found, (unit_id, code, severity, "open", raised), n)
                if closed is not None:
                    _add(found, (unit_id, code, severity, "open", closed), -n)
    return found


def _member_where(campaign_id: int, chunk: Sequence[int] | None) -> list[Any]:
    return [Member.campaign_id == campaign_id] + ([Member.unit_id.in_(chunk)] if chunk is not None else [])


def fresh_card_steps(bind: Bind, campaign_id: int, units: Sequence[int] | None = None) -> Counts:
    """(unit, step, at) -> card movement rows."""
    found: Counts = {}
    for chunk in _chunks(units):
        rows = bind.execute(
            select(Member.unit_id, CardMovement.step, CardMovement.at, func.count())
            .join(Member, Member.id == CardMovement.member_id)
            .where(*_member_where(campaign_id, chunk))
            .group_by(Member.unit_id, CardMovement.step, CardMovement.at)
        )
        for unit_id, step, at, n in rows:
            _add(found, (unit_id, step, at), n)
    return found


def fresh_card_waits(bind: Bind, campaign_id: int, units: Sequence[int] | None = None) -> Counts:
    """(unit, received_at, at) -> n: +n when received, -n when handed to the unit."""
    found: Counts = {}
    for chunk in _chunks(units):
        rows = bind.execute(
            select(Member.unit_id, Member.received_at, Member.distributed_at, func.count())
            .where(*_member_where(campaign_id, chunk), Member.received_at.is_not(None))
            .group_by(Member.unit_id, Member.received_at, Member.distributed_at)
        )
        for unit_id, received, distributed, n in rows:
            if distributed is not None and distributed <= received:
                continue  # never waiting at any cut-off
            _add(found, (unit_id, received, received), n)
            if distributed is not None:
                _add(found, (unit_id, received, distributed), -n)
    return found


def _member_results(bind: Bind, campaign_id: int, chunk: Sequence[int] | None) -> Iterator[tuple[int, datetime | None, list[tuple[str, datetime]]]]:
    """(unit, corrected_at, [(outcome, at)...]) per member row with results."""
    rows = bind.execute(
        select(Member.id, Member.unit_id, Member.corrected_at, BankResult.outcome, BankResult.at)
        .join(BankResult, BankResult.member_id == Member.id)
        .where(*_member_where(campaign_id, chunk))
        .order_by(Member.id)
    )
    current: int | None = None
    unit_id, corrected, results = 0, None, []
    for member_id, unit, fixed, outcome, at in rows:
        if member_id != current:
            if current is not None:
                yield unit_id, corrected, results
            current, unit_id, corrected, results = member_id, unit, fixed, []
        results.append((outcome, at))
    if current is not None:
        yield unit_id, corrected, results


def _person_counts(unit_id: int, corrected: datetime | None, results: list[tuple[str, datetime]],
                   people: Counts, loop: Counts) -> None:
    _add(people, (unit_id, "answered", min(at for _o, at in results)), 1)
    produced = [at for o, at in results if o == "produced"]
    if produced:
        _add(people, (unit_id, "produced", min(produced)), 1)
    failed = [at for o, at in results if o == "failed"]
    if not failed:
        return
    first = min(failed)
    _add(loop, (unit_id, "failed", first), 1)
    if corrected is not None and corrected >= first:
        _add(loop, (unit_id, "corrected", corrected), 1)
    later = [at for _o, at in results if at > first]
    if later:
        _add(loop, (unit_id, "resubmitted", min(later)), 1)
    produced_later = [at for at in produced if at > first]
    if produced_later:
        _add(loop, (unit_id, "recovered", min(produced_later)), 1)
    first_produced = min(produced) if produced else None
    if first_produced is None or first_produced > first:
        _add(loop, (unit_id, "still_open", first), 1)
        if first_produced is not None:
            _add(loop, (unit_id, "still_open", first_produced), -1)


def fresh_bank(bind: Bind, campaign_id: int, units: Sequence[int] | None = None) -> tuple[Counts, Counts]:
    """(people: (unit, measure, at) -> n, loop: (unit, measure, at) -> n) from the result rows."""
    people: Counts = {}
    loop: Counts = {}
    for chunk in _chunks(units):
        for unit_id, corrected, results in _member_results(bind, campaign_id, chunk):
            _person_counts(unit_id, corrected, results, people, loop)
    return people, loop


def fresh_batch_members(bind: Bind, campaign_id: int, units: Sequence[int] | None = None) -> Counts:
    """(unit, batch) -> batch member rows."""
    found: Counts = {}
    for chunk in _chunks(units):
        rows = bind.execute(
            select(Member.unit_id, BankBatchMember.batch_id, func.count())
            .join(Member, Member.id == BankBatchMember.member_id)
            .where(*_member_where(campaign_id, chunk))
            .group_by(Member.unit_id, BankBatchMember.batch_id)
        )
        for unit_id, batch_id, n in rows:
            _add(found, (unit_id, batch_id), n)
    return found


# --- the tables: their keys and how to compute them ------------------------------------------

FINDINGS = "findings"
FINDING_MEASURES = ("raised", "closed", "open")
MEMBER_TABLES = ("card_steps", "card_waits", "bank_people", "corrections", "batch_members")
# Member event kind -> the tables whose rows come with it (``actions.base.add_events`` refreshes
# those of the events' units): a batch's members, results, card movements and the received /
# distributed / corrected times, a member row copied into another unit (with its card times).
TABLES_AFTER_EVENT: dict[str, tuple[str, ...]] = {
    "collected": ("card_waits",),
    "sent_to_bank": ("batch_members",),
    "produced": ("bank_people", "corrections"),
    "failed": ("bank_people", "corrections"),
    "corrected": ("corrections",),
    "received": ("card_steps", "card_waits"),
    "distributed": ("card_steps", "card_waits"),
    "delivered": ("card_steps",),
    "activated": ("card_steps",),
}
TABLES: dict[str, tuple[type, tuple[str, ...]]] = {  # name -> (model, keys after unit_id)
    FINDINGS: (FindingCount, ("code", "severity", "measure", "at")),
    "card_steps": (CardStepCount, ("step", "at")),
    "card_waits": (CardWaitCount, ("received_at", "at")),
    "bank_people": (BankPeopleCount, ("measure", "at")),
    "corrections": (CorrectionCount, ("measure", "at")),
    "batch_members": (BatchMemberCount, ("batch_id",)),
}


def fresh(bind: Bind, campaign_id: int, units: Sequence[int] | None, names: Iterable[str]) -> dict[str, Counts]:
    """What the rows say for these tables, restricted to the units (None: all)."""
    wanted = set(names)
    found: dict[str, Counts] = {}
    simple: dict[str, Callable[[Bind, int, Sequence[int] | None], Counts]] = {
        FINDINGS: fresh_findings, "card_steps": fresh_card_steps, "card_waits": fresh_card_waits,
        "batch_members": fresh_batch_members,
    }
    for name, compute in simple.items():
        if name in wanted:
            found[name] = compute(bind, campaign_id, units)
    if wanted & {"bank_people", "corrections"}:
        found["bank_people"], found["corrections"] = fresh_bank(bind, campaign_id, units)
    return {name: {k: n for k, n in counts.items() if n} for name, counts in found.items() if name in wanted}


def stored(bind: Bind, name: str, campaign_id: int, units: Sequence[int] | None = None) -> Counts:
    """The table's rows as (unit, *keys) -> n without zeros (``finding_count``'s measure
    columns as a ``measure`` key)."""
    model, keys = TABLES[name]
    found: Counts = {}
    pivoted = name == FINDINGS
    for chunk in _chunks(units):
        where = [model.campaign_id == campaign_id]  # type: ignore[attr-defined]
        if chunk is not None:
            where.append(model.unit_id.in_(chunk))  # type: ignore[attr-defined]
        if pivoted:
            columns = [FindingCount.unit_id, FindingCount.code, FindingCount.severity, FindingCount.at,
                       *(getattr(FindingCount, m) for m in FINDING_MEASURES)]
            for unit_id, code, severity, at, *values in bind.execute(select(*columns).where(*where)):
                for measure, n in zip(FINDING_MEASURES, values, strict=True):
                    if n:
                        found[(unit_id, code, severity, measure, at)] = n
            continue
        columns = [model.unit_id, *(getattr(model, k) for k in keys), model.n]  # type: ignore[attr-defined]
        for row in bind.execute(select(*columns).where(*where, model.n != 0)):  # type: ignore[attr-defined]
            found[tuple(row[:-1])] = row[-1]
    return found


def _dialect(bind: Bind) -> str:
    return bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name


def _add_rows(bind: Bind, name: str, campaign_id: int, delta: Counts) -> None:
    """Add ``delta`` to the table (upsert n = n + delta; ``finding_count`` holds its measures
    as columns of one row per unit, code, severity and time)."""
    model, keys = TABLES[name]
    values = ["n"]
    if name == FINDINGS:
        keys, values = ("code", "severity", "at"), list(FINDING_MEASURES)
        merged: dict[tuple[Any, ...], dict[str, int]] = defaultdict(lambda: dict.fromkeys(FINDING_MEASURES, 0))
        for (unit_id, code, severity, measure, at), n in delta.items():
            merged[(unit_id, code, severity, at)][measure] += n
        pairs = [(key, counts) for key, counts in merged.items() if any(counts.values())]
    else:
        pairs = [(key, {"n": n}) for key, n in delta.items() if n]
    rows = [
        {"campaign_id": campaign_id, "unit_id": key[0], **dict(zip(keys, key[1:], strict=True)), **counts}
        for key, counts in sorted(pairs, key=lambda item: tuple(str(v) for v in item[0]))
    ]
    if not rows:
        return
    dialect_insert = postgresql.insert if _dialect(bind) == "postgresql" else sqlite.insert
    statement = dialect_insert(model)
    statement = statement.on_conflict_do_update(  # one statement for every row: compiled once, cached
        index_elements=["campaign_id", "unit_id", *keys],
        set_={v: getattr(model, v) + getattr(statement.excluded, v) for v in values},
    )
    for start in range(0, len(rows), CHUNK * 10):
        bind.execute(statement, rows[start : start + CHUNK * 10])


def refresh_units(bind: Bind, campaign_id: int, units: Iterable[int], names: Iterable[str] = tuple(TABLES)) -> None:
    """Bring these units' rows of the named tables up to date with the rows (in the caller's
    transaction): the difference between what the rows say and what is stored is added."""
    unit_ids = sorted(set(units))
    if not unit_ids:
        return
    if _dialect(bind) == "postgresql":
        # Two transactions refreshing one unit (two batches' results, say) must not read the
        # rows before the other's commit and the stored counts after it: the second waits.
        for chunk in _chunks(unit_ids):
            bind.execute(select(OrgUnit.id).where(OrgUnit.id.in_(chunk)).order_by(OrgUnit.id).with_for_update())
    names = tuple(names)
    now = fresh(bind, campaign_id, unit_ids, names)
    for name in names:
        delta = dict(now[name])
        for key, n in stored(bind, name, campaign_id, unit_ids).items():
            delta[key] = delta.get(key, 0) - n
        _add_rows(bind, name, campaign_id, delta)


def rebuild(bind: Bind, campaign_id: int | None = None) -> None:
    """Every table recomputed from the rows (after a bulk load, in a migration)."""
    campaigns = [campaign_id] if campaign_id is not None else list(bind.execute(select(Campaign.id)).scalars())
    for model, _keys in TABLES.values():
        where = [] if campaign_id is None else [model.campaign_id == campaign_id]  # type: ignore[attr-defined]
        bind.execute(delete(model).where(*where))
    for campaign in campaigns:
        for name, counts in fresh(bind, campaign, None, TABLES).items():
            _add_rows(bind, name, campaign, counts)


# --- rows written through the ORM (session.add: a submission, an upload, fixtures) -------------


def _units_of_members(connection: Connection, member_ids: set[int]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    ids = sorted(member_ids)
    for start in range(0, len(ids), CHUNK):
        found.update(
            (c, u) for c, u in connection.execute(
                select(Member.campaign_id, Member.unit_id).where(Member.id.in_(ids[start : start + CHUNK]))
            )
        )
    return found


def orm_rows_flushed(session: Session) -> None:
    """After a flush: refresh the units whose uploads, findings, submissions, members, results,
    card movements or batch members were added or changed through the ORM."""
    touched = [o for o in (*session.new, *session.dirty)
               if isinstance(o, Upload | Finding | Submission | Member | BankResult | CardMovement | BankBatchMember)]
    if not touched:
        return
    connection = session.connection()
    finding_units: set[tuple[int, int]] = set()
    member_units: set[tuple[int, int]] = set()
    members: set[int] = set()
    uploads: set[int] = set()
    for o in touched:
        if isinstance(o, Upload | Submission):
            finding_units.add((o.campaign_id, o.unit_id))
        elif isinstance(o, Finding):
            uploads.add(o.upload_id)
        elif isinstance(o, Member):
            member_units.add((o.campaign_id, o.unit_id))
        else:
            members.add(o.member_id)
    if uploads:
        finding_units.update(
            (c, u) for c, u in connection.execute(
                select(Upload.campaign_id, Upload.unit_id).where(Upload.id.in_(sorted(uploads)))
            )
        )
    member_units |= _units_of_members(connection, members)
    for names, pairs in ((FINDINGS,), finding_units), (MEMBER_TABLES, member_units):
        by_campaign: dict[int, set[int]] = defaultdict(set)
        for campaign_id, unit_id in pairs:
            by_campaign[campaign_id].add(unit_id)
        for campaign_id, unit_ids in by_campaign.items():
            refresh_units(connection, campaign_id, unit_ids, names)


# --- the oracle: every row on its own, in Python ----------------------------------------------


def recount(session: Session, campaign_id: int) -> dict[str, Counts]:
    """Every table recounted row by row (not grouped, not by unit), without zeros: the tests
    compare it with ``stored``."""
    out: dict[str, Counts] = {name: {} for name in TABLES}
    uploads = session.execute(
        select(Upload.id, Upload.unit_id, Upload.part, Upload.uploaded_at).where(Upload.campaign_id == campaign_id)
    ).all()
    subs = session.execute(select(Submission.unit_id, Submission.submitted_at).where(Submission.campaign_id == campaign_id)).all()
    info = {u.id: u for u in uploads}
    for upload_id, code, severity, resolved in session.execute(
        select(Finding.upload_id, Finding.code, Finding.severity, Finding.resolved_at)
        .join(Upload, Upload.id == Finding.upload_id).where(Upload.campaign_id == campaign_id)
    ):
        up = info[upload_id]
        later = [(u.uploaded_at, u.id) for u in uploads
                 if u.unit_id == up.unit_id and u.part == up.part and (u.uploaded_at, u.id) > (up.uploaded_at, up.id)]
        candidates = [resolved, min(later)[0] if later else None]
        if severity == "warning":
            candidates.append(min((s for u, s in subs if u == up.unit_id and s >= up.uploaded_at), default=None))
        closed = min((c for c in candidates if c is not None), default=None)
        base = (up.unit_id, code, severity)
        _add(out[FINDINGS], (*base, "raised", up.uploaded_at), 1)
        if closed is not None:
            _add(out[FINDINGS], (*base, "closed", closed), 1)
        if closed is None or closed > up.uploaded_at:
            _add(out[FINDINGS], (*base, "open", up.uploaded_at), 1)
            if closed is not None:
                _add(out[FINDINGS], (*base, "open", closed), -1)
    for unit_id, step, at in session.execute(
        select(Member.unit_id, CardMovement.step, CardMovement.at).join(Member, Member.id == CardMovement.member_id)
        .where(Member.campaign_id == campaign_id)
    ):
        _add(out["card_steps"], (unit_id, step, at), 1)
    members = session.execute(
        select(Member.id, Member.unit_id, Member.received_at, Member.distributed_at, Member.corrected_at)
        .where(Member.campaign_id == campaign_id)
    ).all()
    for _id, unit_id, received, distributed, _fixed in members:
        if received is not None and (distributed is None or distributed > received):
            _add(out["card_waits"], (unit_id, received, received), 1)
            if distributed is not None:
                _add(out["card_waits"], (unit_id, received, distributed), -1)
    results: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for member_id, outcome, at in session.execute(select(BankResult.member_id, BankResult.outcome, BankResult.at)):
        results[member_id].append((outcome, at))
    for member_id, unit_id, _r, _d, fixed in members:
        if results.get(member_id):
            _person_counts(unit_id, fixed, results[member_id], out["bank_people"], out["corrections"])
    unit_of = {row.id: row.unit_id for row in members}
    for member_id, batch_id in session.execute(select(BankBatchMember.member_id, BankBatchMember.batch_id)):
        if member_id in unit_of:
            _add(out["batch_members"], (unit_of[member_id], batch_id), 1)
    return {name: {k: n for k, n in counts.items() if n} for name, counts in out.items()}


__all__ = [
    "FINDINGS", "MEMBER_TABLES", "TABLES", "TABLES_AFTER_EVENT", "fresh", "orm_rows_flushed", "rebuild", "recount", "refresh_units", "stored",
]
