"""More summary tables (data_access.summary_more): findings, cards, bank people, the correction
loop and batch sizes, kept by the writers in their own transactions, equal after every step of a
random replay to a row-by-row recount; the validation, bank and distribution figures built on
them equal the old row-scanning queries (kept here as the oracle), frame for frame."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from campaign.demo import DemoConfig
from campaign.demo.story import generate_story
from data_access import bank, distribution, summary_more, validation_stats
from data_access.db import read_session, write_session
from data_access.demo_driver import StoryRun
from data_access.models import (
    BankBatch,
    BankBatchMember,
    BankResult,
    Campaign,
    CardMovement,
    CorrectionCount,
    FindingCount,
    Member,
    OrgUnit,
    Upload,
)
from data_access.scope import Scope
from data_access.validation_stats import finding_life, local_day
from tests.conftest import DEMO_NOW
from tests.data_access.replay import Slice, districts, replay
from tests.data_access.test_open_failures_oracle import old_open_failures as before_0012

# --- the old queries, kept as the oracle ------------------------------------------------


def count_if(condition: object) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # type: ignore[arg-type]


def _is_open(life, cutoff):  # type: ignore[no-untyped-def]
    return or_(life.c.closed_at.is_(None), life.c.closed_at > cutoff)


def old_by_code(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    life = finding_life(campaign_id, cutoff)
    unit = aliased(OrgUnit)
    is_open = _is_open(life, cutoff)
    query = (
        select(
            life.c.code, life.c.severity, func.count().label("raised"), count_if(is_open).label("open"),
            func.count(func.distinct(case((is_open, life.c.unit_id), else_=None))).label("units_open"),
        )
        .join(unit, unit.id == life.c.unit_id)
        .where(scope.org_filter(unit))
        .group_by(life.c.code, life.c.severity)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["code", "severity", "raised", "open", "units_open"])
    if frame.empty:
        return frame
    return frame.sort_values(["open", "raised", "code"], ascending=[False, False, True]).reset_index(drop=True)


def old_by_unit(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    life = finding_life(campaign_id, cutoff)
    unit = aliased(OrgUnit)
    area = aliased(OrgUnit)
    is_open = _is_open(life, cutoff)
    open_errors = count_if(and_(is_open, life.c.severity == "error"))
    open_warnings = count_if(and_(is_open, life.c.severity == "warning"))
    uploads = (
        select(Upload.unit_id, func.count().label("uploads"), func.max(Upload.uploaded_at).label("last_upload_at"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("unit_uploads")
    )
    query = (
        select(
            unit.id.label("unit_id"), unit.name.label("unit_name"), area.name.label("area_name"), unit.contact_name,
            open_errors.label("open_errors"), open_warnings.label("open_warnings"),
            func.max(uploads.c.uploads).label("uploads"), func.max(uploads.c.last_upload_at).label("last_upload_at"),
        )
        .select_from(life)
        .join(unit, unit.id == life.c.unit_id)
        .join(area, area.id == unit.area_id, isouter=True)
        .join(uploads, uploads.c.unit_id == unit.id)
        .where(scope.org_filter(unit), is_open)
        .group_by(unit.id, unit.name, area.name, unit.contact_name)
        .order_by(open_errors.desc(), open_warnings.desc(), unit.code)
    )
    columns = ["unit_id", "unit_name", "area_name", "contact_name", "open_errors", "open_warnings", "uploads", "last_upload_at"]
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def old_daily_trend(session: Session, scope: Scope, campaign_id: int, cutoff: datetime,
                    severity: str | None = "error", code: str | None = None) -> pd.DataFrame:
    dialect = session.get_bind().dialect.name
    life = finding_life(campaign_id, cutoff)
    unit = aliased(OrgUnit)
    conditions = [scope.org_filter(unit)]
    if severity:
        conditions.append(life.c.severity == severity)
    if code:
        conditions.append(life.c.code == code)

    def per_day(column, extra=None):  # type: ignore[no-untyped-def]
        day = local_day(column, dialect).label("day")
        query = (
            select(day, func.count().label("n")).select_from(life).join(unit, unit.id == life.c.unit_id)
            .where(*conditions, *([extra] if extra is not None else [])).group_by(day)
        )
        return pd.Series({pd.Timestamp(d).date(): int(n) for d, n in session.execute(query).all()}, dtype="int64")

    raised = per_day(life.c.raised_at)
    closed = per_day(life.c.closed_at, life.c.closed_at <= cutoff)
    if raised.empty:
        return pd.DataFrame({"day": [], "raised": [], "closed": [], "open": []})
    days = pd.date_range(min(raised.index), validation_stats.utc_to_local(cutoff).date(), freq="D").date
    frame = pd.DataFrame({"day": days})
    frame["raised"] = frame["day"].map(raised).fillna(0).astype("int64")
    frame["closed"] = frame["day"].map(closed).fillna(0).astype("int64")
    frame["open"] = frame["raised"].cumsum() - frame["closed"].cumsum()
    return frame


def _bank_scope(scope: Scope, campaign_id: int, cutoff: datetime) -> object:
    return and_(Member.campaign_id == campaign_id, BankResult.at <= cutoff, scope.org_filter(OrgUnit))


def old_batches(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    counts = (
        select(
            BankResult.batch_id, func.count().label("results"), func.count(func.distinct(BankResult.member_id)).label("people"),
            count_if(BankResult.outcome == "produced").label("produced"), count_if(BankResult.outcome == "failed").label("failed"),
            func.max(BankResult.at).label("last_result_at"),
        )
        .join(Member, Member.id == BankResult.member_id).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(_bank_scope(scope, campaign_id, cutoff)).group_by(BankResult.batch_id).subquery("counts")  # type: ignore[arg-type]
    )
    member_unit = aliased(OrgUnit)
    sizes = (
        select(BankBatchMember.batch_id, func.count().label("in_scope"))
        .join(Member, Member.id == BankBatchMember.member_id).join(member_unit, member_unit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, scope.org_filter(member_unit))
        .group_by(BankBatchMember.batch_id).subquery("sizes")
    )
    district = aliased(OrgUnit)
    query = (
        select(
            BankBatch.id.label("batch_id"), BankBatch.reference, district.name.label("district_name"), BankBatch.branch,
            BankBatch.sent_at, func.coalesce(sizes.c.in_scope, 0).label("member_count"),
            func.coalesce(counts.c.results, 0).label("results"), func.coalesce(counts.c.people, 0).label("people"),
            func.coalesce(counts.c.produced, 0).label("produced"), func.coalesce(counts.c.failed, 0).label("failed"),
            counts.c.last_result_at,
        )
        .join(district, district.id == BankBatch.district_id)
        .outerjoin(counts, counts.c.batch_id == BankBatch.id).outerjoin(sizes, sizes.c.batch_id == BankBatch.id)
        .where(
            BankBatch.campaign_id == campaign_id, BankBatch.sent_at <= cutoff,
            or_(counts.c.batch_id.is_not(None), sizes.c.batch_id.is_not(None), scope.org_filter(district)),
        )
        .order_by(BankBatch.sent_at.desc(), BankBatch.reference)
    )
    return bank._rates(pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys())))


def old_people_answered(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    query = (
        select(
            func.count(func.distinct(BankResult.member_id)),
            func.count(func.distinct(case((BankResult.outcome == "produced", BankResult.member_id)))),
        )
        .select_from(BankResult).join(Member, Member.id == BankResult.member_id).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(_bank_scope(scope, campaign_id, cutoff))  # type: ignore[arg-type]
    )
    people, produced = session.execute(query).one()
    return int(people or 0), int(produced or 0)


def old_rates_by(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, level: str) -> pd.DataFrame:
    group = aliased(OrgUnit)
    key = getattr(OrgUnit, bank.GROUPS[level])
    query = (
        select(
            group.id.label("org_id"), group.name.label("org_name"), func.count().label("results"),
            func.count(func.distinct(BankResult.member_id)).label("people"),
            count_if(BankResult.outcome == "produced").label("produced"), count_if(BankResult.outcome == "failed").label("failed"),
        )
        .select_from(BankResult).join(Member, Member.id == BankResult.member_id).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .join(group, group.id == key).where(_bank_scope(scope, campaign_id, cutoff))  # type: ignore[arg-type]
        .group_by(group.id, group.name).order_by(group.name)
    )
    return bank._rates(pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys())))


def old_failure_reasons(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    base = (
        select(func.count()).select_from(BankResult).join(Member, Member.id == BankResult.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id).where(_bank_scope(scope, campaign_id, cutoff))  # type: ignore[arg-type]
    )
    query = (
        select(BankResult.reason_code, func.count().label("failed"))
        .join(Member, Member.id == BankResult.member_id).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(_bank_scope(scope, campaign_id, cutoff), BankResult.outcome == "failed")  # type: ignore[arg-type]
        .group_by(BankResult.reason_code)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=["reason_code", "failed"])
    frame["reason_code"] = frame["reason_code"].fillna("unknown")
    received = session.scalar(base) or 0
    if frame.empty:
        return frame.assign(share=pd.Series(dtype=float), cumulative_share=pd.Series(dtype=float), rate=pd.Series(dtype=float))
    frame = frame.sort_values(["failed", "reason_code"], ascending=[False, True]).reset_index(drop=True)
    total = frame["failed"].sum()
    return frame.assign(share=frame["failed"] / total, cumulative_share=frame["failed"].cumsum() / total,
                        rate=frame["failed"] / received if received else float("nan"))


def old_correction_loop(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> bank.CorrectionLoop:
    failed_at = case((BankResult.outcome == "failed", BankResult.at))
    produced_at = case((BankResult.outcome == "produced", BankResult.at))
    fm = (
        select(
            BankResult.member_id, func.min(failed_at).label("first_failed_at"), func.max(produced_at).label("produced_at"),
            func.max(BankResult.at).label("last_result_at"),
        )
        .join(Member, Member.id == BankResult.member_id).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(_bank_scope(scope, campaign_id, cutoff))  # type: ignore[arg-type]
        .group_by(BankResult.member_id).having(func.min(failed_at).is_not(None)).subquery("fm")
    )
    recovered = and_(fm.c.produced_at.is_not(None), fm.c.produced_at > fm.c.first_failed_at)
    query = (
        select(
            func.count(),
            count_if(and_(Member.corrected_at <= cutoff, Member.corrected_at >= fm.c.first_failed_at)),
            count_if(fm.c.last_result_at > fm.c.first_failed_at), count_if(recovered), count_if(fm.c.produced_at.is_(None)),
        )
        .select_from(fm).join(Member, Member.id == fm.c.member_id)
    )
    return bank.CorrectionLoop(*(int(v or 0) for v in session.execute(query).one()))


def old_open_failures(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """The worklist as before the 0012 indexes (test_open_failures_oracle keeps that code)."""
    return before_0012(session, scope, campaign_id, cutoff)


def old_unit_findings(session: Session, scope: Scope, campaign_id: int, unit_id: int, cutoff: datetime) -> pd.DataFrame:
    """The drill-down as before: the finding life of every upload of the campaign."""
    life = validation_stats.finding_life
    validation_stats.finding_life = lambda c, t, _unit=None: life(c, t)  # type: ignore[assignment]
    try:
        return validation_stats.unit_findings(session, scope, campaign_id, unit_id, cutoff, open_only=False)
    finally:
        validation_stats.finding_life = life  # type: ignore[assignment]


def old_waiting_cards(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """One row per waiting member (the old shape)."""
    area = aliased(OrgUnit)
    district = aliased(OrgUnit)
    query = (
        select(
            Member.id.label("member_id"), OrgUnit.id.label("unit_id"), OrgUnit.name.label("unit_name"),
            area.name.label("area_name"), district.name.label("district_name"), Member.received_at,
        )
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .outerjoin(area, area.id == OrgUnit.area_id).outerjoin(district, district.id == OrgUnit.district_id)
        .where(
            Member.campaign_id == campaign_id, scope.org_filter(OrgUnit), Member.received_at <= cutoff,
            or_(Member.distributed_at.is_(None), Member.distributed_at > cutoff),
        )
        .order_by(Member.received_at, Member.id)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=list(query.selected_columns.keys()))
    frame["received_at"] = pd.to_datetime(frame["received_at"])
    frame["days_waiting"] = (pd.Timestamp(cutoff) - frame["received_at"]).dt.total_seconds() / 86400
    frame["age_bucket"] = [distribution.age_bucket(days) for days in frame["days_waiting"]]
    return frame


def old_waiting_by_unit(waiting: pd.DataFrame) -> pd.DataFrame:
    if waiting.empty:
        return pd.DataFrame(columns=["unit_id", "unit_name", "area_name", "district_name", "cards", "oldest_days"])
    return (
        waiting.groupby(["unit_id", "unit_name", "area_name", "district_name"], as_index=False, dropna=False)
        .agg(cards=("member_id", "count"), oldest_days=("days_waiting", "max"))
        .sort_values("oldest_days", ascending=False)
        .reset_index(drop=True)
    )


# --- comparing -------------------------------------------------------------------------------


def same_frame(new: pd.DataFrame, old: pd.DataFrame, what: str) -> None:
    if new.empty and old.empty:
        assert list(new.columns) == list(old.columns), what
        return
    pd.testing.assert_frame_equal(new, old, obj=what)


def assert_figures_match(session: Session, campaign_id: int, cutoff: datetime, scopes: list[Scope]) -> None:
    """Every validation, bank and distribution figure equals the old query's at the cut-off."""
    for scope in scopes:
        where = f"{scope.root_path or 'all'} at {cutoff}"
        v = validation_stats
        same_frame(v.by_code(session, scope, campaign_id, cutoff), old_by_code(session, scope, campaign_id, cutoff), f"by_code {where}")
        units = v.by_unit(session, scope, campaign_id, cutoff)
        same_frame(units, old_by_unit(session, scope, campaign_id, cutoff), f"by_unit {where}")
        for unit_id in units["unit_id"].head(3):
            same_frame(
                v.unit_findings(session, scope, campaign_id, unit_id, cutoff, open_only=False),
                old_unit_findings(session, scope, campaign_id, unit_id, cutoff), f"unit_findings {unit_id} {where}",
            )
        for severity, code in (("error", None), ("warning", None), (None, None), (None, "ID_CHECKSUM")):
            same_frame(
                v.daily_trend(session, scope, campaign_id, cutoff, severity, code),
                old_daily_trend(session, scope, campaign_id, cutoff, severity, code), f"daily_trend {severity} {code} {where}",
            )
        same_frame(bank.batches(session, scope, campaign_id, cutoff), old_batches(session, scope, campaign_id, cutoff), f"batches {where}")
        assert bank.people_answered(session, scope, campaign_id, cutoff) == old_people_answered(session, scope, campaign_id, cutoff), where
        for level in bank.GROUPS:
            same_frame(
                bank.rates_by(session, scope, campaign_id, cutoff, level), old_rates_by(session, scope, campaign_id, cutoff, level),
                f"rates_by {level} {where}",
            )
        same_frame(
            bank.failure_reasons(session, scope, campaign_id, cutoff), old_failure_reasons(session, scope, campaign_id, cutoff),
            f"failure_reasons {where}",
        )
        assert bank.correction_loop(session, scope, campaign_id, cutoff) == old_correction_loop(session, scope, campaign_id, cutoff), where
        same_frame(
            bank.open_failures(session, scope, campaign_id, cutoff), old_open_failures(session, scope, campaign_id, cutoff),
            f"open_failures {where}",
        )
        new = distribution.waiting_cards(session, scope, campaign_id, cutoff)
        old = old_waiting_cards(session, scope, campaign_id, cutoff)
        grouped = (
            old.groupby(["unit_id", "unit_name", "area_name", "district_name", "received_at"], as_index=False, dropna=False, sort=False)
            .agg(cards=("member_id", "count"), days_waiting=("days_waiting", "first"), age_bucket=("age_bucket", "first"))
        )
        key = ["received_at", "unit_id"]
        same_frame(
            new.sort_values(key).reset_index(drop=True),
            grouped.sort_values(key).reset_index(drop=True)[list(new.columns)] if not grouped.empty else old[[]].assign(**{c: [] for c in new.columns}),
            f"waiting_cards {where}",
        )
        same_frame(distribution.age_buckets(new), distribution.age_buckets(old), f"age_buckets {where}")
        same_frame(distribution.waiting_by_unit(new), old_waiting_by_unit(old), f"waiting_by_unit {where}")


def assert_summaries_match(session: Session, campaign_id: int, where: str) -> None:
    want = summary_more.recount(session, campaign_id)
    for name in summary_more.TABLES:
        assert summary_more.stored(session, name, campaign_id) == want[name], f"{name} {where}"


# --- the tests -------------------------------------------------------------------------------


def test_random_workflow_keeps_every_summary_equal_to_a_recount(engine: Engine) -> None:
    """The story (uploads superseding uploads, submissions, reviews, batches, results,
    corrections, cards) replayed in random slices, with people corrected, moved and withdrawn
    and a file withdrawn in between: after each slice every table equals the row-by-row
    recount, and the figures equal the old queries at the slice's end and at an earlier time."""

    def check(session: Session, at: Slice) -> None:
        assert_summaries_match(session, at.campaign_id, f"after {at.stop}")
        scopes = [Scope.everything(), *districts(session)[:1]]
        assert_figures_match(session, at.campaign_id, at.stop, scopes)
        assert_figures_match(session, at.campaign_id, at.start + (at.stop - at.start) * at.rng.random(), scopes[:1])

    changes = replay(engine, seed=11, slices=6, check=check)
    with read_session(engine) as session:
        for model in (FindingCount, CorrectionCount):
            assert session.scalar(select(func.count()).select_from(model)) > 0, model
        assert session.scalar(select(func.count()).select_from(CardMovement)) > 0
        for measure in ("corrected", "recovered", "still_open"):
            assert session.scalar(select(func.count()).select_from(CorrectionCount).where(CorrectionCount.measure == measure)) > 0
        assert session.scalar(select(func.count()).select_from(FindingCount).where(FindingCount.open < 0)) > 0
        assert session.scalar(select(func.count()).select_from(Member).where(Member.corrected_at.is_not(None))) > 0
    assert {"correct_id", "move", "withdraw"} <= set(changes), changes


def test_figures_on_the_demo_equal_the_old_queries(demo_engine: Engine) -> None:
    """The bulk-loaded demo (tables rebuilt by ``rebuild_all``): every table equals the recount,
    and every figure the old query's, at several cut-offs, for everything and each district."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert_summaries_match(session, campaign_id, "demo")
        scopes = [Scope.everything(), *districts(session)]
        for days in (0, 1, 3, 7, 15, 30):
            assert_figures_match(session, campaign_id, DEMO_NOW - timedelta(days=days), scopes)


@pytest.mark.parametrize("seed", [8])
def test_rebuild_equals_incremental(engine: Engine, seed: int) -> None:
    """After a short story through the actions, ``rebuild_all`` gives the same rows."""
    story = generate_story(DEMO_NOW, DemoConfig(seed=seed, units=10, members=500))
    with write_session(engine) as session:
        StoryRun(session, story).until()
    with write_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        incremental = {name: summary_more.stored(session, name, campaign_id) for name in summary_more.TABLES}
        assert all(incremental.values())
        from data_access.summary import rebuild_all

        rebuild_all(session, campaign_id)
        for name in summary_more.TABLES:
            assert summary_more.stored(session, name, campaign_id) == incremental[name], name


def test_the_city_generator_fills_the_tables_as_a_recount(engine: Engine) -> None:
    """``python -m campaign scale``'s bulk path (``load_city``, then ``rebuild_all``): every
    table equals the row-by-row recount, and the figures the old queries'."""
    from data_access.loader import load_city

    load_city(engine, DemoConfig(seed=11, members=2_000, units=40), DEMO_NOW)
    with read_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert_summaries_match(session, campaign_id, "city")
        assert_figures_match(session, campaign_id, DEMO_NOW, [Scope.everything(), *districts(session)[:1]])
