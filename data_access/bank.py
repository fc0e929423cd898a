"""Bank card production as of a cut-off: success per batch / district / unit, failure reasons,
the correction loop and the failures still open; only results with ``at <= cutoff`` count.

Bank success = produced results / results received (as ``metrics.bank_results_received``);
failure rate by reason = failed results with the reason / results received; recovery = failed
members later produced / failed members.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    and_,
    case,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from campaign.masking import mask_id, mask_phone
from data_access import metrics
from data_access.models import (
    BankBatch,
    BankPeopleCount,
    BankResult,
    BankResultCount,
    BatchMemberCount,
    CorrectionCount,
    Member,
    MemberEvent,
    OrgUnit,
)
from data_access.scope import Scope

GROUPS = {"district": "district_id", "area": "area_id", "unit": "id"}



def _in_scope(scope: Scope, campaign_id: int, cutoff: datetime) -> object:
    return and_(Member.campaign_id == campaign_id, BankResult.at <= cutoff, scope.org_filter(OrgUnit))


def _rates(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame.assign(success_rate=pd.Series(dtype=float), failure_rate=pd.Series(dtype=float))
    results = frame["results"].where(frame["results"] > 0)
    return frame.assign(success_rate=frame["produced"] / results, failure_rate=frame["failed"] / results)


def _sum(value: object) -> ColumnElement[int]:
    """SQL: an integer sum, 0 on an empty group."""
    return cast(func.coalesce(func.sum(value), 0), Integer)  # type: ignore[arg-type]


def _results(scope: Scope, campaign_id: int, cutoff: datetime, *keys: ColumnElement[object]):  # type: ignore[no-untyped-def]
    """SELECT over ``bank_result_count`` in the scope up to the cut-off: results, produced,
    failed (and the ``keys``), to be grouped by the caller."""
    rc = BankResultCount
    return (
        select(
            *keys,
            _sum(rc.n).label("results"),
            _sum(case((rc.outcome == "produced", rc.n), else_=0)).label("produced"),
            _sum(case((rc.outcome == "failed", rc.n), else_=0)).label("failed"),
        )
        .join(OrgUnit, OrgUnit.id == rc.unit_id)
        .where(rc.campaign_id == campaign_id, rc.at <= cutoff, scope.org_filter(OrgUnit))
    )


def batches(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """One row per batch sent by the cut-off: its results within the scope and their rates.

    A batch shows when some of its results concern the scope, or when it was sent by a
    district inside the scope (so a batch still waiting for the bank's answer is listed).
    ``people`` equals ``results``: a member has at most one result per batch.
    """
    rc = BankResultCount
    counts = (
        _results(scope, campaign_id, cutoff, rc.batch_id, func.max(rc.at).label("last_result_at"))
        .group_by(rc.batch_id)
        .subquery("counts")
    )
    # The batch's size within the scope (an area sees its own members of a district batch,
    # not the district-wide size next to the area's results).
    member_unit = aliased(OrgUnit)
    bm = BatchMemberCount
    sizes = (
        select(bm.batch_id, _sum(bm.n).label("in_scope"))
        .join(member_unit, member_unit.id == bm.unit_id)
        .where(bm.campaign_id == campaign_id, scope.org_filter(member_unit))
        .group_by(bm.batch_id)
        .having(func.sum(bm.n) > 0)
        .subquery("sizes")
    )
    district = aliased(OrgUnit)
    query = (
        select(
            BankBatch.id.label("batch_id"),
            BankBatch.reference,
            district.name.label("district_name"),
            BankBatch.branch,
            BankBatch.sent_at,
            func.coalesce(sizes.c.in_scope, 0).label("member_count"),
            func.coalesce(counts.c.results, 0).label("results"),
            func.coalesce(counts.c.results, 0).label("people"),
            func.coalesce(counts.c.produced, 0).label("produced"),
            func.coalesce(counts.c.failed, 0).label("failed"),
            counts.c.last_result_at,
        )
        .join(district, district.id == BankBatch.district_id)
        .outerjoin(counts, counts.c.batch_id == BankBatch.id)
        .outerjoin(sizes, sizes.c.batch_id == BankBatch.id)
        .where(
            BankBatch.campaign_id == campaign_id,
            BankBatch.sent_at <= cutoff,
            or_(counts.c.batch_id.is_not(None), sizes.c.batch_id.is_not(None), scope.org_filter(district)),
        )
        .order_by(BankBatch.sent_at.desc(), BankBatch.reference)
    )
    return _rates(pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys())))


def _people(scope: Scope, campaign_id: int, cutoff: datetime, *keys: ColumnElement[object]):  # type: ignore[no-untyped-def]
    """SELECT over ``bank_people_count``: people answered / produced (and the ``keys``)."""
    pc = BankPeopleCount
    return (
        select(
            *keys,
            _sum(case((pc.measure == "answered", pc.n), else_=0)).label("people"),
            _sum(case((pc.measure == "produced", pc.n), else_=0)).label("produced_people"),
        )
        .join(OrgUnit, OrgUnit.id == pc.unit_id)
        .where(pc.campaign_id == campaign_id, pc.at <= cutoff, scope.org_filter(OrgUnit))
    )


def people_answered(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    """(people the bank has answered for, people with a produced card) by the cut-off: results
    are counted per answer (人次: a person who failed and was resubmitted counts twice), these
    per person."""
    people, produced = session.execute(_people(scope, campaign_id, cutoff)).one()
    return int(people or 0), int(produced or 0)


def rates_by(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, level: str) -> pd.DataFrame:
    """Results received, produced, failed and the rates per district, area or unit."""
    if level not in GROUPS:
        raise ValueError(level)
    key = getattr(OrgUnit, GROUPS[level])
    results = _results(scope, campaign_id, cutoff, key.label("org_id")).group_by(key).subquery("results")
    people = _people(scope, campaign_id, cutoff, key.label("org_id")).group_by(key).subquery("people")
    group = aliased(OrgUnit)
    query = (
        select(
            group.id.label("org_id"),
            group.name.label("org_name"),
            results.c.results,
            func.coalesce(people.c.people, 0).label("people"),
            results.c.produced,
            results.c.failed,
        )
        .select_from(results)
        .join(group, group.id == results.c.org_id)
        .outerjoin(people, people.c.org_id == results.c.org_id)
        .where(results.c.results > 0)
        .order_by(group.name)
    )
    return _rates(pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys())))


def failure_reasons(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Failed results per reason, most frequent first, with share, cumulative share (Pareto)
    and rate (failures with the reason / all results received)."""
    rc = BankResultCount
    rows = session.execute(_results(scope, campaign_id, cutoff, rc.reason_code).group_by(rc.reason_code)).all()
    received = sum(int(r.results) for r in rows)
    frame = pd.DataFrame(
        [(r.reason_code or None, int(r.failed)) for r in rows if r.failed], columns=["reason_code", "failed"]
    )
    frame["reason_code"] = frame["reason_code"].fillna("unknown")
    if frame.empty:
        return frame.assign(share=pd.Series(dtype=float), cumulative_share=pd.Series(dtype=float), rate=pd.Series(dtype=float))
    frame = frame.groupby("reason_code", as_index=False, sort=False)["failed"].sum()
    frame = frame.sort_values(["failed", "reason_code"], ascending=[False, True]).reset_index(drop=True)
    total = frame["failed"].sum()
    return frame.assign(
        share=frame["failed"] / total,
        cumulative_share=frame["failed"].cumsum() / total,
        rate=frame["failed"] / received if received else float("nan"),
    )


def _failures(cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per member with a failed result by the cut-off: first / last failure and how many. Read
    from the partial index ``ix_bank_result_failed`` alone (hence the literal), never a result row."""
    return (
        select(
            BankResult.member_id,
            func.min(BankResult.at).label("first_failed_at"),
            func.max(BankResult.at).label("last_failed_at"),
            func.count().label("failures"),
        )
        .where(BankResult.outcome == literal_column("'failed'"), BankResult.at <= cutoff)
        .group_by(BankResult.member_id)
        .subquery("fm")
    )


@dataclass(frozen=True)
class CorrectionLoop:
    """Members who failed at the bank and how far each has come back."""

    failed: int
    corrected: int
    resubmitted: int
    recovered: int
    still_open: int

    @property
    def recovery_rate(self) -> float | None:
        return self.recovered / self.failed if self.failed else None


def correction_loop(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> CorrectionLoop:
    """Failed members → corrected by their unit → resubmitted (a later result came back) →
    produced after the failure; ``still_open`` = failed and not produced. Sums over
    ``correction_count`` (units × times)."""
    cc = CorrectionCount
    measures = ("failed", "corrected", "resubmitted", "recovered", "still_open")
    query = (
        select(*(_sum(case((cc.measure == m, cc.n), else_=0)).label(m) for m in measures))
        .join(OrgUnit, OrgUnit.id == cc.unit_id)
        .where(cc.campaign_id == campaign_id, cc.at <= cutoff, scope.org_filter(OrgUnit))
    )
    failed, corrected, resubmitted, recovered_n, still_open = (int(v or 0) for v in session.execute(query).one())
    return CorrectionLoop(failed, corrected, resubmitted, recovered_n, still_open)


def _read(session: Session, query: Select[Any]) -> pd.DataFrame:
    """The query's rows as a frame (``metrics.frame_of``: over Arrow in a read session)."""
    return metrics.frame_of(session, query)


def _group_names(session: Session, org_ids: list[Any]) -> dict[int, str]:
    """Names of these org nodes (areas and districts: a few hundred), by id."""
    if not org_ids:
        return {}
    wanted = sorted({int(org_id) for org_id in org_ids})
    rows = session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(wanted))).all()
    return {org_id: name for org_id, name in rows}


OPEN_COLUMNS = [
    "member_id", "name", "id_number", "phone", "unit_name", "area_name", "district_name",
    "contact_name", "contact_phone", "reason_code", "reason_text", "failures",
    "first_failed_at", "last_failed_at", "corrected_at", "status", "days_open",
]
DATETIMES = ("first_failed_at", "last_failed_at", "corrected_at")


def open_failures(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, *, full_pii: bool = False
) -> pd.DataFrame:
    """Members whose failure is still open at the cut-off (no card produced since), longest
    open first; ID number and phone masked unless ``full_pii``.

    ``status`` is ``corrected`` when the unit corrected the record after the last failure
    (waiting to go to the bank again), else ``returned`` (waiting for the unit);
    ``days_open`` counts from the member's first failure.
    """
    fm = _failures(cutoff)
    last = aliased(BankResult)
    produced = aliased(BankResult)
    # the latest correction by the cut-off (``member.corrected_at`` keeps only the first one),
    # one probe of the partial index ``ix_member_event_corrected`` per failed member (a joined
    # aggregate: PostgreSQL misjudges the rows before it and recomputes it for every row)
    latest_fix = (
        select(func.max(MemberEvent.at))
        .where(
            MemberEvent.member_id == fm.c.member_id, MemberEvent.kind == literal_column("'corrected'"),
            MemberEvent.at <= cutoff,
        )
        .scalar_subquery()
    )
    # (rows written in bulk without events, as by ``python -m campaign scale``, fall back to it)
    corrected = func.coalesce(latest_fix, case((Member.corrected_at <= cutoff, Member.corrected_at)))
    # no card produced by the cut-off (the partial index ``ix_bank_result_produced``)
    never_produced = ~(
        select(literal_column("1"))
        .where(produced.member_id == fm.c.member_id, produced.outcome == literal_column("'produced'"), produced.at <= cutoff)
        .exists()
    )
    # the area's and district's names are looked up below, not joined: PostgreSQL, expecting one
    # row here, probed the org table twice per failed member (0.1 s of 0.3 s at a city's size)
    query = (
        select(
            Member.id.label("member_id"),
            Member.name,
            Member.id_number,
            Member.phone,
            OrgUnit.name.label("unit_name"),
            OrgUnit.area_id,
            OrgUnit.district_id,
            OrgUnit.contact_name,
            OrgUnit.contact_phone,
            last.reason_code,
            last.reason_text,
            fm.c.failures,
            type_coerce(fm.c.first_failed_at, DateTime).label("first_failed_at"),
            type_coerce(fm.c.last_failed_at, DateTime).label("last_failed_at"),
            type_coerce(corrected, DateTime).label("corrected_at"),
        )
        .select_from(fm)
        .join(Member, Member.id == fm.c.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .join(last, and_(last.member_id == fm.c.member_id, last.at == fm.c.last_failed_at, last.outcome == literal_column("'failed'")))
        # "+ 0": the campaign is checked on each failed member's row, never scanned by its index
        # (the SQLite the Arrow driver bundles, 3.53, otherwise walked a city's 3,000,000 members: 0.6 s)
        .where((Member.campaign_id + 0) == campaign_id, scope.org_filter(OrgUnit), never_produced)
        .order_by(fm.c.first_failed_at, Member.id)
    )
    frame = _read(session, query)  # in a read session over Arrow (``data_access.arrow_read``)
    if frame.empty:
        return pd.DataFrame(columns=OPEN_COLUMNS)
    frame = frame.drop_duplicates("member_id").reset_index(drop=True)
    names = _group_names(session, pd.concat([frame["area_id"], frame["district_id"]]).dropna().unique().tolist())
    frame["area_name"] = frame["area_id"].map(names)
    frame["district_name"] = frame["district_id"].map(names)
    if not full_pii:  # masked on the lists: cheaper than ``Series.map`` on arrow strings
        frame["id_number"] = [mask_id(value) for value in frame["id_number"].tolist()]
        frame["phone"] = [mask_phone(value) for value in frame["phone"].tolist()]
    for column in DATETIMES:  # (a column of NULLs only comes as objects)
        frame[column] = pd.to_datetime(frame[column])
    after_last = frame["corrected_at"].notna() & (frame["corrected_at"] >= frame["last_failed_at"])
    frame["status"] = after_last.map({True: "corrected", False: "returned"})
    frame["days_open"] = (pd.Timestamp(cutoff) - frame["first_failed_at"]).dt.total_seconds() / 86400
    frame["failures"] = frame["failures"].astype(int)
    return frame[OPEN_COLUMNS]
