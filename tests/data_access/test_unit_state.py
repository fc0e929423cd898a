"""Per-unit state (data_access.unit_state): the stored totals, state versions and current states
(each unit's open version) equal a full recompute after every step of a random replay, and
unit_progress, headline and the submissions board built on them equal the old queries (kept here
as the oracle) exactly, column, dtype and value, at any cut-off. Migration 0013 dropped the old
current-state table without changing a figure."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, MetaData, Table, and_, case, func, inspect, literal, or_, select
from sqlalchemy.orm import Session, aliased

from data_access import metrics, submissions, summary, unit_state
from data_access.chase import last_chases
from data_access.db import downgrade, migrate, read_session, write_session
from data_access.models import Campaign, Finding, MemberStageCount, OrgUnit, PaperReceipt, Submission, Upload
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.replay import Slice, replay
from tests.data_access.test_summary import districts

# --- the old queries, kept as the oracle ------------------------------------------------


def old_stage_counts(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    s = MemberStageCount
    return (
        select(
            s.unit_id.label("unit_id"),
            *(
                func.coalesce(func.sum(case((s.stage == stage, s.n), else_=0)), 0).label(stage)
                for stage in summary.SUMMARY_STAGES
            ),
        )
        .where(s.campaign_id == campaign_id, s.at <= cutoff)
        .group_by(s.unit_id)
        .subquery("mc")
    )


def old_latest_upload(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per unit: rows and open errors of the latest upload at the cut-off, and first-try cleanliness."""
    ranked = (
        select(
            Upload.id,
            Upload.unit_id,
            Upload.rows,
            Upload.error_count,
            Upload.attempt,
            func.row_number().over(partition_by=Upload.unit_id, order_by=Upload.uploaded_at.desc()).label("rn"),
        )
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .subquery("ranked")
    )
    first_upload_at = (
        select(Upload.unit_id, func.min(Upload.uploaded_at).label("first_at"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("first_up")
    )
    first = aliased(Upload)
    first_clean = (
        select(first.unit_id, case((first.error_count == 0, 1), else_=0).label("first_clean"))
        .join(first_upload_at, and_(first_upload_at.c.unit_id == first.unit_id, first_upload_at.c.first_at == first.uploaded_at))
        .subquery("first_clean")
    )
    attempts = (
        select(Upload.unit_id, func.count().label("uploads"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("attempts")
    )
    open_errors = (
        select(Finding.upload_id, func.count().label("open_errors"))
        .where(Finding.severity == "error", or_(Finding.resolved_at.is_(None), Finding.resolved_at > cutoff))
        .group_by(Finding.upload_id)
        .subquery("open_err")
    )
    return (
        select(
            ranked.c.unit_id,
            ranked.c.rows.label("collected"),
            func.coalesce(open_errors.c.open_errors, 0).label("open_errors"),
            func.coalesce(first_clean.c.first_clean, 0).label("first_clean"),
            attempts.c.uploads,
        )
        .outerjoin(open_errors, open_errors.c.upload_id == ranked.c.id)
        .outerjoin(first_clean, first_clean.c.unit_id == ranked.c.unit_id)
        .outerjoin(attempts, attempts.c.unit_id == ranked.c.unit_id)
        .where(ranked.c.rn == 1)
        .subquery("latest")
    )


def old_submission_state(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per unit: first submission time, whether the latest one is returned, approved, pending."""
    # Paper as received by the cut-off: the latest receipt recorded by then (the submission's
    # paper_* columns cache the latest receipt of all; rows loaded in bulk have no receipts).
    receipts = (
        select(
            PaperReceipt.submission_id,
            PaperReceipt.sheet,
            PaperReceipt.unit_form,
            PaperReceipt.id_copies,
            PaperReceipt.consents,
            func.row_number().over(
                partition_by=PaperReceipt.submission_id, order_by=(PaperReceipt.at.desc(), PaperReceipt.id.desc())
            ).label("rn"),
        )
        .where(PaperReceipt.at <= cutoff)
        .subquery("receipts")
    )
    latest = aliased(receipts, name="latest_receipt")
    any_receipt = select(PaperReceipt.id).where(PaperReceipt.submission_id == Submission.id).exists()
    members = func.coalesce(Submission.member_count, 0)

    def shortfall(needed: object, received: object) -> object:
        return case((latest.c.submission_id.is_not(None), case((needed > received, needed - received), else_=0)))

    def paper(received: object, cached: object) -> object:
        return case((latest.c.submission_id.is_not(None), received), (any_receipt, literal(False)), else_=cached)

    ranked = (
        select(
            Submission.unit_id,
            Submission.submitted_at,
            Submission.on_time,
            case((Submission.reviewed_at <= cutoff, Submission.outcome), else_=literal("pending")).label("outcome"),
            case((Submission.reviewed_at <= cutoff, Submission.reviewed_at)).label("reviewed_at"),
            paper(latest.c.sheet, Submission.paper_sheet).label("paper_sheet"),
            paper(latest.c.unit_form, Submission.paper_unit_form).label("paper_unit_form"),
            paper(latest.c.id_copies >= 2 * members, Submission.paper_id_copies).label("paper_id_copies"),
            paper(latest.c.consents >= members, Submission.paper_consents).label("paper_consents"),
            # how many are still missing, where a receipt counted them (None: not counted)
            shortfall(2 * members, latest.c.id_copies).label("id_copies_missing"),
            shortfall(members, latest.c.consents).label("consents_missing"),
            func.row_number().over(partition_by=Submission.unit_id, order_by=Submission.submitted_at.desc()).label("rn"),
        )
        .outerjoin(latest, and_(latest.c.submission_id == Submission.id, latest.c.rn == 1))
        .where(Submission.campaign_id == campaign_id, Submission.submitted_at <= cutoff)
        .subquery("sranked")
    )
    returned_by_cutoff = and_(Submission.outcome == "returned", Submission.reviewed_at <= cutoff)
    firsts = (
        select(
            Submission.unit_id,
            func.min(Submission.submitted_at).label("first_submitted_at"),
            # the first submission that was not returned (by the cut-off): what the on-time rate counts
            func.min(case((returned_by_cutoff, None), else_=Submission.submitted_at)).label("kept_submitted_at"),
        )
        .where(Submission.campaign_id == campaign_id, Submission.submitted_at <= cutoff)
        .group_by(Submission.unit_id)
        .subquery("sfirst")
    )
    return (
        select(
            ranked.c.unit_id,
            firsts.c.first_submitted_at,
            firsts.c.kept_submitted_at,
            ranked.c.submitted_at.label("last_submitted_at"),
            case((ranked.c.outcome == "approved", ranked.c.reviewed_at)).label("approved_at"),
            ranked.c.outcome,
            ranked.c.paper_sheet,
            ranked.c.paper_unit_form,
            ranked.c.paper_id_copies,
            ranked.c.paper_consents,
            ranked.c.id_copies_missing,
            ranked.c.consents_missing,
        )
        .join(firsts, firsts.c.unit_id == ranked.c.unit_id)
        .where(ranked.c.rn == 1)
        .subquery("sstate")
    )


def old_unit_progress(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """One row per unit in scope with everything the progress pages need about it."""
    unit = aliased(OrgUnit)
    district = aliased(OrgUnit)
    area = aliased(OrgUnit)
    due = metrics.unit_deadlines(campaign_id, cutoff=cutoff).subquery("dl")
    mc = old_stage_counts(campaign_id, cutoff)
    latest = old_latest_upload(campaign_id, cutoff)
    sstate = old_submission_state(campaign_id, cutoff)
    status = case(
        (sstate.c.outcome == "approved", literal("approved")),
        (sstate.c.outcome == "returned", literal("returned")),
        (sstate.c.unit_id.is_not(None), literal("submitted")),
        (latest.c.unit_id.is_(None), literal("not_started")),
        (latest.c.open_errors > 0, literal("errors")),
        else_=literal("clean"),
    )
    query = (
        select(
            unit.id.label("unit_id"),
            unit.code,
            unit.name.label("unit_name"),
            unit.card_unit_name,
            unit.district_id,
            district.name.label("district_name"),
            unit.area_id,
            area.name.label("area_name"),
            area.liaison_name,
            area.liaison_phone,
            unit.contact_name,
            unit.contact_phone,
            unit.expected_members,
            due.c.due_at,
            status.label("status"),
            sstate.c.first_submitted_at,
            sstate.c.last_submitted_at,
            sstate.c.kept_submitted_at,
            sstate.c.approved_at,
            sstate.c.paper_sheet,
            sstate.c.paper_unit_form,
            sstate.c.paper_id_copies,
            sstate.c.paper_consents,
            sstate.c.id_copies_missing,
            sstate.c.consents_missing,
            func.coalesce(latest.c.collected, 0).label("collected"),
            func.coalesce(latest.c.open_errors, 0).label("open_errors"),
            func.coalesce(latest.c.uploads, 0).label("uploads"),
            latest.c.first_clean,
            *(func.coalesce(col, 0).label(col.name) for col in mc.c if col.name != "unit_id"),
        )
        .join(due, due.c.unit_id == unit.id, isouter=True)
        .join(district, district.id == unit.district_id, isouter=True)
        .join(area, area.id == unit.area_id, isouter=True)
        .join(mc, mc.c.unit_id == unit.id, isouter=True)
        .join(latest, latest.c.unit_id == unit.id, isouter=True)
        .join(sstate, sstate.c.unit_id == unit.id, isouter=True)
        .where(unit.level == "unit", scope.org_filter(unit))
        .order_by(unit.code)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all())
    if frame.empty:
        return frame
    return metrics.with_deadline_flags(frame, cutoff)


def old_submission_board(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, risk_days: int = metrics.AT_RISK_DAYS
) -> pd.DataFrame:
    """``metrics.unit_progress`` plus what the submissions page adds: extension flag and note,
    return reason, missing paper materials, members outstanding, at-risk flag, last chase."""
    units = old_unit_progress(session, scope, campaign_id, cutoff)
    if units.empty:
        return units
    board = (
        units.merge(submissions._extensions(session, scope, campaign_id, cutoff), on="unit_id", how="left")
        .merge(submissions._return_reasons(session, scope, campaign_id, cutoff), on="unit_id", how="left")
        .merge(last_chases(session, scope, cutoff), on="unit_id", how="left")
    )
    board["extended"] = board["extended"].eq(True)
    if risk_days != metrics.AT_RISK_DAYS:
        board["at_risk"] = metrics.at_risk(board, cutoff, risk_days)
    board["missing_materials"] = board.apply(submissions.missing_materials, axis=1)
    board["members_outstanding"] = (board["expected_members"] - board["submitted"]).clip(lower=0).astype("int64")
    board["chases"] = board["chases"].fillna(0).astype("int64")
    return board

def old_headline(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> metrics.Headline:
    units = old_unit_progress(session, scope, campaign_id, cutoff)
    return metrics.headline_of(units, *metrics.bank_results_received(session, scope, campaign_id, cutoff))


# --- checks ------------------------------------------------------------------------------


def scopes(session: Session) -> list[Scope]:
    return [Scope.everything(), *districts(session)[:2]]


def assert_same_figures(session: Session, campaign_id: int, cutoff: datetime) -> None:
    """unit_progress, headline and submission_board equal the old ones exactly."""
    for scope in scopes(session):
        where = f"{scope} at {cutoff}"
        new = metrics.unit_progress(session, scope, campaign_id, cutoff)
        old = old_unit_progress(session, scope, campaign_id, cutoff)
        pd.testing.assert_frame_equal(new, old, obj=where)
        assert metrics.headline(session, scope, campaign_id, cutoff) == old_headline(session, scope, campaign_id, cutoff), where
        board = submissions.submission_board(session, scope, campaign_id, cutoff)
        pd.testing.assert_frame_equal(board, old_submission_board(session, scope, campaign_id, cutoff), obj=where)
        shared = submissions.submission_board(session, scope, campaign_id, cutoff, units=new)
        pd.testing.assert_frame_equal(shared, board, obj=where)


def assert_caches_match(session: Session, campaign_id: int, where: str) -> None:
    assert unit_state.stored_totals(session, campaign_id) == unit_state.recount_totals(session, campaign_id), where
    assert unit_state.stored_states(session, campaign_id) == unit_state.recount_states(session, campaign_id), where
    assert unit_state.stored_versions(session, campaign_id) == unit_state.recount_versions(session, campaign_id), where


def assert_counts_match(session: Session, campaign_id: int, cutoffs: list[datetime]) -> None:
    """Totals minus the later deltas equal the sum of the deltas up to the cut-off."""
    for cutoff in cutoffs:
        new = session.execute(select(summary.stage_counts(campaign_id, cutoff))).all()
        old = session.execute(select(old_stage_counts(campaign_id, cutoff))).all()
        nonzero = {row[0]: tuple(row[1:]) for row in new if any(row[1:])}
        assert nonzero == {row[0]: tuple(row[1:]) for row in old if any(row[1:])}, cutoff


# --- tests -------------------------------------------------------------------------------


def test_demo_figures_equal_the_old_queries(demo_engine: Engine) -> None:
    """The bulk-loaded demo (caches rebuilt in SQL): identical frames at past days, between
    steps and now, for the city and for districts."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert_caches_match(session, campaign_id, "demo")
        cutoffs = [DEMO_NOW - timedelta(days=d, hours=h) for d, h in ((0, 0), (1, 0), (7, 0), (3, 5), (12, 17), (30, 0), (90, 0))]
        assert_counts_match(session, campaign_id, cutoffs)
        for cutoff in cutoffs:
            assert_same_figures(session, campaign_id, cutoff)


def test_random_replay_keeps_the_caches_equal_to_a_recompute(engine: Engine) -> None:
    """The mid-size story in random slices, with corrections, moves, withdrawals and a
    withdrawn file between them: after each slice the stored unit states and totals equal a
    full recompute, and the figures equal the old queries at the slice's end, a day and a week
    before it and at a random earlier time."""
    def check(session: Session, at: Slice) -> None:
        assert_caches_match(session, at.campaign_id, f"after {at.stop}")
        earlier = at.start + (at.stop - at.start) * at.rng.random()
        cutoffs = [at.stop, at.stop - timedelta(days=1), at.stop - timedelta(days=7), earlier]
        assert_counts_match(session, at.campaign_id, cutoffs)
        for cutoff in cutoffs:
            assert_same_figures(session, at.campaign_id, cutoff)

    replay(engine, 11, 6, check)  # asserts a file was withdrawn
    with write_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        states, totals = unit_state.stored_states(session, campaign_id), unit_state.stored_totals(session, campaign_id)
        versions = unit_state.stored_versions(session, campaign_id)
        assert states and totals and len(versions) > len(states)
        summary.rebuild_all(session, campaign_id)  # the SQL rebuild gives what the writers kept
        assert unit_state.stored_states(session, campaign_id) == states
        assert unit_state.stored_versions(session, campaign_id) == versions
        assert unit_state.stored_totals(session, campaign_id) == totals


def test_orm_written_rows_refresh_the_state(demo_engine: Engine) -> None:
    """A finding resolved and a paper receipt added through the ORM (fixtures, small tools)
    refresh their unit's stored state in the same flush."""
    with write_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        finding = session.scalars(
            select(Finding).join(Upload, Upload.id == Finding.upload_id)
            .where(Finding.severity == "error", Finding.resolved_at.is_(None)).order_by(Finding.id)
        ).first()
        assert finding is not None
        finding.resolved_at = DEMO_NOW + timedelta(hours=1)
        sub = session.scalars(select(Submission).order_by(Submission.id)).first()
        assert sub is not None
        session.add(PaperReceipt(submission_id=sub.id, sheet=True, unit_form=False, id_copies=1, consents=0, by="t", at=DEMO_NOW + timedelta(hours=2)))
        session.flush()
        assert_caches_match(session, campaign_id, "after ORM writes")
        for cutoff in (DEMO_NOW, DEMO_NOW + timedelta(hours=1), DEMO_NOW + timedelta(hours=3)):
            assert_same_figures(session, campaign_id, cutoff)


def test_migration_0013_drops_the_old_table_and_no_figure_changes(demo_engine: Engine) -> None:
    """Down to 0012: the old current-state table is back, filled from the open versions with
    what a recount gives; up to the head again (an existing 0012 database migrated): it is gone,
    and unit_progress, headline and the board are what they were, and equal the old queries."""
    cutoffs = [DEMO_NOW, DEMO_NOW - timedelta(days=7)]

    def figures() -> list[tuple[pd.DataFrame, metrics.Headline]]:
        with read_session(demo_engine) as session:
            return [
                (metrics.unit_progress(session, scope, campaign_id, cutoff), metrics.headline(session, scope, campaign_id, cutoff))
                for scope in scopes(session)
                for cutoff in cutoffs
            ]

    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
    assert not inspect(demo_engine).has_table("unit_state")
    before = figures()
    downgrade(demo_engine, "0012")
    with read_session(demo_engine) as session:
        old = Table("unit_state", MetaData(), autoload_with=session.connection())
        rows = session.execute(
            select(old.c.unit_id, *(old.c[n] for n in (*unit_state.STATE_COLUMNS, "changed_at"))).where(old.c.campaign_id == campaign_id)
        )
        stored = {row[0]: tuple(row[1:]) for row in rows}
        assert stored and stored == unit_state.recount_states(session, campaign_id)
        assert {ix["name"] for ix in inspect(session.connection()).get_indexes("unit_state")} == {"ix_unit_state_changed"}
    migrate(demo_engine)
    assert not inspect(demo_engine).has_table("unit_state")
    for (units, headline), (units_before, headline_before) in zip(figures(), before, strict=True):
        pd.testing.assert_frame_equal(units, units_before)
        assert headline == headline_before
    with read_session(demo_engine) as session:
        assert_caches_match(session, campaign_id, "migrated to the head")
        for cutoff in cutoffs:
            assert_same_figures(session, campaign_id, cutoff)
