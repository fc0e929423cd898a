"""Big frames read over Arrow (data_access.arrow_read): a read session's unit_progress and
headline equal, value for value and dtype for dtype, what the same queries give through
SQLAlchemy's rows; a write session never reads that way (it must see its own rows)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Boolean, DateTime, Engine, Integer, case, literal, select
from sqlalchemy.engine import make_url

from data_access import arrow_read, chase, metrics, submissions, validation_stats
from data_access.db import get_engine, migrate, read_session, write_session
from data_access.models import Campaign, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.replay import districts


def _cutoffs() -> list[datetime]:
    return [DEMO_NOW, DEMO_NOW - timedelta(days=1), DEMO_NOW - timedelta(days=7), DEMO_NOW - timedelta(days=40)]


def _both(session, read, *args):  # type: ignore[no-untyped-def]
    """(over Arrow, through SQLAlchemy's rows) of one read: ``read(session, *args)``."""
    assert session.info[arrow_read.ARROW_READS]
    fast = read(session, *args)
    session.info[arrow_read.ARROW_READS] = False
    try:
        slow = read(session, *args)
    finally:
        session.info[arrow_read.ARROW_READS] = True
    return fast, slow


def test_unit_progress_and_headline_over_arrow_equal_the_rows(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalar(select(Campaign.id))
        scopes = [Scope.everything(), *districts(session)[:2]]
        for scope in scopes:
            for cutoff in _cutoffs():
                fast, slow = _both(session, metrics.unit_progress, scope, campaign_id, cutoff)
                assert len(fast) > 0
                pd.testing.assert_frame_equal(fast, slow)
                # the overview's current headline: headline_of the whole frame it has just loaded
                received = metrics.bank_results_received(session, scope, campaign_id, cutoff)
                assert metrics.headline_of(fast, *received) == metrics.headline(session, scope, campaign_id, cutoff)
                narrow = [*metrics.HEADLINE_COLUMNS, "approved_at", "paper_sheet"]
                fast, slow = _both(session, metrics.unit_progress, scope, campaign_id, cutoff, narrow)
                pd.testing.assert_frame_equal(fast, slow)
                fast, slow = _both(session, metrics.headline, scope, campaign_id, cutoff)
                assert fast == slow
        # a scope with no unit at all: both empty
        nowhere = Scope(root_id=999999, root_path="/999999/")
        fast, slow = _both(session, metrics.unit_progress, nowhere, campaign_id, DEMO_NOW)
        assert fast.empty and slow.empty
        fast, slow = _both(session, metrics.headline, nowhere, campaign_id, DEMO_NOW)
        assert fast == slow


def test_column_types_match_sqlalchemys_values(demo_engine: Engine) -> None:
    """Dates after a run of NULLs, bools with and without NULLs, a column of NULLs only, integers
    with a NULL: the dtypes pandas gives SQLAlchemy's values."""
    late = datetime(2026, 11, 3, 9, 30, 15, 250000)
    with read_session(demo_engine) as session:
        last = session.scalar(select(OrgUnit.id).order_by(OrgUnit.id.desc()).limit(1))
        query = select(
            OrgUnit.id,
            case((OrgUnit.id == last, literal(late, DateTime)), else_=literal(None, DateTime)).label("late_date"),
            case((OrgUnit.id % 2 == 0, literal(True, Boolean)), else_=literal(False, Boolean)).label("even"),
            case((OrgUnit.id % 3 == 0, literal(None, Boolean)), (OrgUnit.id % 3 == 1, literal(True, Boolean)), else_=literal(False, Boolean)).label("maybe"),
            literal(None, DateTime).label("never"),
            case((OrgUnit.id == last, literal(None, Integer)), else_=OrgUnit.id).label("gap"),
        ).order_by(OrgUnit.id)
        fast = arrow_read.frame(session, query)
        assert fast is not None
        slow = metrics.frame_of(session, query)
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["late_date"].iloc[-1] == pd.Timestamp(late) and fast["late_date"].iloc[:-1].isna().all()
    assert fast["even"].dtype == bool and fast["maybe"].dtype == object
    assert fast["never"].tolist() == [None] * len(fast)


def test_a_write_session_reads_its_own_rows(demo_engine: Engine) -> None:
    with write_session(demo_engine) as session:
        assert arrow_read.frame(session, select(OrgUnit.id)) is None
        campaign_id = session.scalar(select(Campaign.id))
        units = metrics.unit_progress(session, Scope.everything(), campaign_id, DEMO_NOW)
        assert len(units) > 0


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_sqlite_is_read_the_usual_way(url: str) -> None:
    assert arrow_read._target(make_url(url)) is None


def test_a_sqlite_file_with_an_awkward_name_is_read(tmp_path: Path) -> None:
    """The file's path goes into a URI: a space, "?", "#", "%" and Chinese in it still name the file."""
    folder = tmp_path / "工会 #1 ?50%"
    folder.mkdir()
    engine = get_engine(f"sqlite:///{folder / '活动.db'}")
    migrate(engine)
    with read_session(engine) as session:
        fast = arrow_read.frame(session, select(OrgUnit.id, OrgUnit.code))
    assert fast is not None and fast.empty  # the new, empty database, not an error or another file
    arrow_read.close_all()
    engine.dispose()


def test_the_submissions_chase_and_validation_loaders_over_arrow_equal_the_rows(demo_engine: Engine) -> None:
    """Every frame ``metrics.rows_frame`` reads (extensions, return reasons, chases, open bank
    failures, findings) is the same over Arrow as from SQLAlchemy's rows, chases included."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalar(select(Campaign.id))
        units = session.scalars(select(OrgUnit.id).where(OrgUnit.level == "unit").order_by(OrgUnit.id)).all()
    with write_session(demo_engine) as session:
        for i, unit_id in enumerate(units[:6]):
            chase.record_chase(
                session, Scope.everything(), unit_id, at=DEMO_NOW - timedelta(hours=30 - 4 * i), by="liaison1",
                channel=chase.CHASE_CHANNELS[i % len(chase.CHASE_CHANNELS)], note=f"第{i}次联系",
                promised_date=(DEMO_NOW + timedelta(days=i)).date() if i % 2 else None,
            )
    with read_session(demo_engine) as session:
        for scope in [Scope.everything(), *districts(session)[:1]]:
            for cutoff in _cutoffs()[:3]:
                for read in (submissions.submission_board, chase.chase_sheet, validation_stats.by_code, validation_stats.by_unit):
                    fast, slow = _both(session, read, scope, campaign_id, cutoff)
                    pd.testing.assert_frame_equal(fast, slow)
                fast, slow = _both(session, validation_stats.daily_trend, scope, campaign_id, cutoff)
                pd.testing.assert_frame_equal(fast, slow)
                fast, slow = _both(session, validation_stats.yield_summary, scope, campaign_id, cutoff)
                pd.testing.assert_frame_equal(fast.attempts, slow.attempts)
                assert (fast.units_uploaded, fast.clean_first_try, fast.units_clean) == (slow.units_uploaded, slow.clean_first_try, slow.units_clean)
                for read in (chase.last_chases, chase.contacted_on_day):
                    fast, slow = _both(session, read, scope, cutoff)
                    pd.testing.assert_frame_equal(fast, slow)
        fast, _slow = _both(session, chase.last_chases, Scope.everything(), DEMO_NOW)
        assert set(units[:6]) <= set(fast["unit_id"]) and fast["last_promised_date"].notna().sum() >= 3


def test_a_later_read_sees_what_was_committed_since(demo_engine: Engine) -> None:
    """The Arrow connections are pooled: one must not keep the snapshot of its last read."""
    with read_session(demo_engine) as session:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.level == "unit").order_by(OrgUnit.id.desc()).limit(1))
        before = chase.last_chases(session, Scope.everything(), DEMO_NOW + timedelta(days=1))
    with write_session(demo_engine) as session:
        chase.record_chase(session, Scope.everything(), unit_id, at=DEMO_NOW, by="liaison1", channel=chase.CHASE_CHANNELS[0], note="再次联系")
    with read_session(demo_engine) as session:
        after = chase.last_chases(session, Scope.everything(), DEMO_NOW + timedelta(days=1))
    counted = dict(zip(before["unit_id"], before["chases"], strict=True))
    assert after.set_index("unit_id").at[unit_id, "chases"] == counted.get(unit_id, 0) + 1


def test_an_idle_connection_gone_bad_is_replaced(demo_engine: Engine) -> None:
    """A pooled connection closed since its last read (on PostgreSQL, a server or proxy that drops
    idle connections) is replaced by a new one; the page does not fail."""
    with read_session(demo_engine) as session:
        campaign_id = session.scalar(select(Campaign.id))
        first = metrics.unit_progress(session, Scope.everything(), campaign_id, DEMO_NOW)
    idle = [connection for connections in arrow_read._idle.values() for connection in connections]
    assert idle
    for connection in idle:
        connection.close()
    with read_session(demo_engine) as session:
        again = metrics.unit_progress(session, Scope.everything(), campaign_id, DEMO_NOW)
    pd.testing.assert_frame_equal(first, again)
