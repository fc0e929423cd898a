"""Summary tables (data_access.summary): kept by the actions in their own transactions, equal
after every step to a full recount from the member and result rows; the figures built on them
equal the old member-scanning queries (kept here as the oracle)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, and_, case, func, or_, select
from sqlalchemy.orm import Session

from campaign.demo import DemoConfig
from campaign.demo.story import generate_story
from data_access import metrics, summary
from data_access.db import read_session, write_session
from data_access.demo_driver import StoryRun
from data_access.history import live_at
from data_access.models import BankResult, Campaign, Member, MemberStageCount, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.replay import MID, Slice, districts, people_changes, replay  # noqa: F401 (re-exported)

# --- the old queries, kept as the oracle ------------------------------------------------


def count_if(condition: object) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # type: ignore[arg-type]


def old_member_counts(session: Session, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    m = Member
    query = (
        select(
            m.unit_id.label("unit_id"),
            count_if(m.validated_at <= cutoff).label("validated"),
            count_if(m.submitted_at <= cutoff).label("submitted"),
            count_if(m.approved_at <= cutoff).label("approved"),
            count_if(m.sent_at <= cutoff).label("sent_to_bank"),
            count_if(m.produced_at <= cutoff).label("produced"),
            count_if(m.received_at <= cutoff).label("received"),
            count_if(m.distributed_at <= cutoff).label("distributed"),
            count_if(m.delivered_at <= cutoff).label("delivered"),
            count_if(m.activated_at <= cutoff).label("activated"),
            count_if(and_(m.failed_at <= cutoff, or_(m.produced_at.is_(None), m.produced_at > cutoff))).label("failed_open"),
        )
        .where(m.campaign_id == campaign_id, live_at(cutoff, m))
        .group_by(m.unit_id)
    )
    return pd.DataFrame(session.execute(query).mappings().all())


def old_bank_results_received(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    query = (
        select(func.count(), count_if(BankResult.outcome == "produced"))
        .select_from(BankResult)
        .join(Member, Member.id == BankResult.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, BankResult.at <= cutoff, scope.org_filter(OrgUnit))
    )
    received, produced = session.execute(query).one()
    return int(received or 0), int(produced or 0)


def assert_summaries_match(session: Session, campaign_id: int, where: str) -> None:
    assert summary.stored_members(session, campaign_id) == summary.recount_members(session, campaign_id), where
    assert summary.stored_bank_results(session, campaign_id) == summary.recount_bank_results(session, campaign_id), where


def assert_figures_match(session: Session, campaign_id: int, cutoff: datetime) -> None:
    """unit_progress's member counts and bank_results_received equal the old member scans."""
    new = metrics.unit_progress(session, Scope.everything(), campaign_id, cutoff)
    old = old_member_counts(session, campaign_id, cutoff)
    stages = list(summary.SUMMARY_STAGES)
    got = new[["unit_id", *stages]].set_index("unit_id").sort_index()
    want = (
        got[[]].join(old.set_index("unit_id") if not old.empty else pd.DataFrame(columns=stages)).fillna(0).astype(int)
        if not got.empty else got
    )
    pd.testing.assert_frame_equal(got.astype(int), want[stages].astype(int), check_names=False)
    for scope in [Scope.everything(), *districts(session)]:
        assert metrics.bank_results_received(session, scope, campaign_id, cutoff) == old_bank_results_received(
            session, scope, campaign_id, cutoff
        )


def test_random_workflow_keeps_every_summary_equal_to_a_recount(engine: Engine) -> None:
    """The story (uploads with supersessions, submissions, reviews, batches, results, corrections,
    cards) replayed in random slices, with people corrected, moved and withdrawn and a file
    withdrawn in between; after each slice every summary equals a recount, and the figures
    equal the old member scans at the slice's end and at a random earlier time."""

    def check(session: Session, at: Slice) -> None:
        assert_summaries_match(session, at.campaign_id, f"after {at.stop}")
        assert_figures_match(session, at.campaign_id, at.stop)
        assert_figures_match(session, at.campaign_id, at.start + (at.stop - at.start) * at.rng.random())

    changes = replay(engine, seed=3, slices=7, check=check)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(BankResult)) > 0
        assert session.scalar(select(func.count()).select_from(Member).where(Member.superseded_at.is_not(None))) > 0
        assert session.scalar(select(func.count()).select_from(MemberStageCount)) > 0
    assert {"correct_id", "move", "withdraw"} <= set(changes), changes


def test_figures_on_the_demo_equal_the_old_member_scans(demo_engine: Engine) -> None:
    """The bulk-loaded demo (summaries rebuilt in SQL): figures identical to the old queries at
    several cut-offs, and the SQL rebuild equals the Python recount."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert_summaries_match(session, campaign_id, "demo")
        for days in (0, 1, 3, 7, 15, 30):
            assert_figures_match(session, campaign_id, DEMO_NOW - timedelta(days=days))


@pytest.mark.parametrize("keep", [True])
def test_rebuild_equals_incremental(engine: Engine, keep: bool) -> None:
    """After a short story through the actions, rebuilding in SQL gives the same rows."""
    story = generate_story(DEMO_NOW, DemoConfig(seed=8, units=10, members=500))
    with write_session(engine) as session:
        StoryRun(session, story).until()
    with write_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        incremental = summary.stored_members(session, campaign_id)
        banks = summary.stored_bank_results(session, campaign_id)
        summary.rebuild_all(session, campaign_id)
        assert summary.stored_members(session, campaign_id) == incremental
        assert summary.stored_bank_results(session, campaign_id) == banks
        assert keep
