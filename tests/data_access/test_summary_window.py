"""The milestone cards' window counts (data_access.summary_window): ``member_stage_window`` kept
by the writers in their own transactions, equal after every step of a random replay to a
row-by-row recount; ``metrics.member_milestone_counts`` built on it (and on the units' stage
counts) equals the old member-scanning query (kept here as the oracle) at many cut-offs and
window starts, for everything and for a district."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, case, func, insert, select, update
from sqlalchemy.orm import Session

from campaign.demo import DemoConfig
from campaign.demo.story import generate_story
from data_access import metrics, summary, summary_window
from data_access.actions import people
from data_access.db import downgrade, migrate, read_session, write_session
from data_access.demo_driver import StoryRun
from data_access.history import live_at
from data_access.models import Campaign, Member, MemberStageWindow, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.replay import Slice, districts, replay

# --- the old query, kept as the oracle -------------------------------------------------------


def count_if(condition: object) -> object:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # type: ignore[arg-type]


def old_member_milestone_counts(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, start: datetime) -> dict[str, int]:
    """The old query: every live member row in scope scanned."""
    m = Member
    query = (
        select(
            count_if(m.approved_at <= cutoff).label("approved"),
            count_if(m.sent_at <= cutoff).label("sent"),
            count_if(and_(m.sent_at > start, m.sent_at <= cutoff)).label("sent_recent"),
            count_if(m.produced_at <= cutoff).label("produced"),
            count_if(m.delivered_at <= cutoff).label("delivered"),
            count_if(and_(m.delivered_at > start, m.delivered_at <= cutoff)).label("delivered_recent"),
        )
        .join(OrgUnit, OrgUnit.id == m.unit_id)
        .where(m.campaign_id == campaign_id, live_at(cutoff, m), scope.org_filter(OrgUnit))
    )
    row = session.execute(query).mappings().one()
    return {key: int(value or 0) for key, value in row.items()}


# --- comparing -------------------------------------------------------------------------------


def assert_table_matches(session: Session, campaign_id: int, where: str) -> None:
    assert summary_window.stored(session, campaign_id) == summary_window.recount(session, campaign_id), where


def edge_times(session: Session, campaign_id: int, limit: int = 4) -> list[datetime]:
    """Times where the counts turn: a few corrections / moves (supersessions), withdrawals, new
    rows' collection, sends and deliveries (the latest of each)."""
    m = Member
    times: list[datetime] = []
    for column in (m.superseded_at, m.withdrawn_at, m.sent_at, m.delivered_at):
        times += session.scalars(
            select(column).where(m.campaign_id == campaign_id, column.is_not(None)).distinct().order_by(column.desc()).limit(limit)
        ).all()
    corrected = (
        select(m.collected_at)
        .where(m.campaign_id == campaign_id, m.collected_at.is_not(None), m.sent_at.is_not(None), m.collected_at > m.sent_at)
        .distinct().order_by(m.collected_at.desc()).limit(limit)
    )
    times += session.scalars(corrected).all()
    return sorted(set(times))


def cutoffs_and_starts(stop: datetime, edges: list[datetime]) -> list[tuple[datetime, datetime]]:
    """(cut-off, window start) pairs: the slice's end with the cards' 7-day window, a day and a
    week before, and each edge time exactly, a moment before and after, as a cut-off and as a
    window start."""
    week = timedelta(days=7)
    tick = timedelta(microseconds=1)
    pairs = [(stop, stop - week), (stop - timedelta(days=1), stop - timedelta(days=8)), (stop - week, stop - 2 * week)]
    for t in edges:
        for cutoff in (t - tick, t, t + tick):
            pairs.append((cutoff, cutoff - week))
        for start in (t - tick, t, t + tick):
            pairs.append((max(stop, t + timedelta(days=1)), start))
    return pairs


def assert_counts_match(session: Session, campaign_id: int, pairs: list[tuple[datetime, datetime]], scopes: list[Scope]) -> None:
    for scope in scopes:
        for cutoff, start in pairs:
            new = metrics.member_milestone_counts(session, scope, campaign_id, cutoff, start)
            old = old_member_milestone_counts(session, scope, campaign_id, cutoff, start)
            assert new == old, f"{scope.root_path or 'all'} at {cutoff} from {start}"


# --- the tests -------------------------------------------------------------------------------


def test_random_workflow_keeps_the_window_table_equal_to_a_recount(engine: Engine) -> None:
    """The story in random slices with people corrected, moved and withdrawn and a file
    withdrawn between them: after each slice the table equals the row-by-row recount and the
    milestone counts equal the old query at the slice's end, before and after corrections,
    withdrawals, sends and deliveries, with window starts on them, for everything and a
    district; at the end the SQL rebuild gives the rows the writers kept."""
    seen = {"windows": 0}

    def check(session: Session, at: Slice) -> None:
        assert_table_matches(session, at.campaign_id, f"after {at.stop}")
        pairs = cutoffs_and_starts(at.stop, edge_times(session, at.campaign_id, limit=3))
        earlier = at.start + (at.stop - at.start) * at.rng.random()
        pairs.append((earlier, earlier - timedelta(days=7)))
        assert_counts_match(session, at.campaign_id, pairs, [Scope.everything(), *districts(session)[:1]])
        seen["windows"] += sum(
            metrics.member_milestone_counts(session, Scope.everything(), at.campaign_id, c, s)["sent_recent"] for c, s in pairs
        )

    changes = replay(engine, seed=17, slices=6, check=check)
    assert {"correct_id", "move", "withdraw"} <= set(changes), changes
    assert seen["windows"] > 0  # the window counts were not all zero
    with write_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        kept = summary_window.stored(session, campaign_id)
        assert {stage for _u, stage, *_ in kept} == set(summary_window.STAGES)
        assert any(until != summary_window.FOREVER for *_, until in kept)  # superseded or withdrawn rows
        summary.rebuild_all(session, campaign_id)
        assert summary_window.stored(session, campaign_id) == kept


def test_counts_on_the_demo_equal_the_old_query(demo_engine: Engine) -> None:
    """The bulk-loaded demo (table rebuilt by ``rebuild_all``): the table equals the recount and
    the counts the old query's at several cut-offs and window starts, for everything and every
    district."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert_table_matches(session, campaign_id, "demo")
        assert session.scalar(select(func.count()).select_from(MemberStageWindow)) > 0
        pairs = [(DEMO_NOW - timedelta(days=d), DEMO_NOW - timedelta(days=d + 7)) for d in (0, 1, 3, 7, 15, 30)]
        pairs += cutoffs_and_starts(DEMO_NOW, edge_times(session, campaign_id, limit=2))
        assert_counts_match(session, campaign_id, pairs, [Scope.everything(), *districts(session)])
        total = metrics.member_milestone_counts(session, Scope.everything(), campaign_id, DEMO_NOW, DEMO_NOW - timedelta(days=7))
        assert total["sent"] > 0 and total["delivered"] > 0 and total["sent_recent"] + total["delivered_recent"] > 0, total


def test_a_row_collected_after_it_was_sent(demo_engine: Engine) -> None:
    """A sent (and delivered) member's row superseded by a new row that keeps the stage times
    but is collected later (as ``actions.people`` copies rows; the actions refuse that once a
    member is at the bank, the table must not rely on it): once through the writers' path
    (``snapshot``/``changed``, ``add_members``), once through the ORM flush hook. The table
    equals the recount and the counts the old query's around the send, the new collection and
    the delivery, as cut-offs and as window starts."""
    with write_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        sent = session.scalars(
            select(Member).where(
                Member.campaign_id == campaign_id, Member.sent_at.is_not(None), Member.delivered_at.is_not(None),
                Member.superseded_at.is_(None), Member.withdrawn_at.is_(None),
            ).order_by(Member.id).limit(2)
        ).all()
        assert len(sent) == 2
        edges: list[datetime] = []
        for k, old in enumerate(sent):
            at = old.sent_at + timedelta(hours=5 if k else 30)  # type: ignore[operator]
            edges += [old.sent_at, old.delivered_at, at]  # type: ignore[list-item]
            values = {c.key: getattr(old, c.key) for c in Member.__table__.columns if c.key not in people._NOT_COPIED}
            values["collected_at"] = at
            if k == 0:  # the writers' path
                before = summary.snapshot(session, [old.id])
                session.execute(update(Member).where(Member.id == old.id).values(superseded_at=at))
                summary.changed(session, [old.id], before)
                new_id = session.scalar(insert(Member).values(**values).returning(Member.id))
                summary.add_members(session, [int(new_id)])  # type: ignore[arg-type]
            else:  # the ORM flush hook
                old.superseded_at = at
                session.flush()
                session.add(Member(**values))
                session.flush()
    with read_session(demo_engine) as session:
        assert_table_matches(session, campaign_id, "copied rows")
        kept = summary_window.stored(session, campaign_id)
        assert sum(1 for _u, _s, reached, start, _t in kept if start != reached) >= 2
        pairs = cutoffs_and_starts(max(edges) + timedelta(days=1), sorted(set(edges)))
        assert_counts_match(session, campaign_id, pairs, [Scope.everything(), *districts(session)])


def test_the_migration_fills_the_table(demo_engine: Engine) -> None:
    """Down to 0009 (no table) and up again: migration 0010 fills it from the member rows."""
    downgrade(demo_engine, "0009")
    migrate(demo_engine)
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert summary_window.stored(session, campaign_id)
        assert_table_matches(session, campaign_id, "migrated")


def test_the_city_generator_fills_the_table(engine: Engine) -> None:
    """``python -m campaign scale``'s bulk path (``load_city``, then ``rebuild_all``)."""
    from data_access.loader import load_city

    load_city(engine, DemoConfig(seed=11, members=2_000, units=40), DEMO_NOW)
    with read_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert summary_window.stored(session, campaign_id)
        assert_table_matches(session, campaign_id, "city")
        pairs = [(DEMO_NOW - timedelta(days=d), DEMO_NOW - timedelta(days=d + 7)) for d in (0, 2, 9)]
        assert_counts_match(session, campaign_id, pairs, [Scope.everything(), *districts(session)[:1]])


def test_a_short_story_through_the_actions_equals_the_rebuild(engine: Engine) -> None:
    """After a short story through the actions (no people changes), ``rebuild_all`` gives the rows."""
    story = generate_story(DEMO_NOW, DemoConfig(seed=8, units=10, members=500))
    with write_session(engine) as session:
        StoryRun(session, story).until()
    with write_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        kept = summary_window.stored(session, campaign_id)
        assert kept
        summary.rebuild_all(session, campaign_id)
        assert summary_window.stored(session, campaign_id) == kept
