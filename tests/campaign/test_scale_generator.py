"""The streaming city generator gives the rows the actions would: the member cache equals what
the events imply, the summaries equal a recount, every result's member was in its batch, and
the figures agree with the submissions and results."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from campaign.demo import DemoConfig
from campaign.demo.city import CARD_STEP_KIND, COLUMNS, CityGenerator, generate_city
from campaign.rules.id_number import calc_check_digit, id_hash
from campaign.stages import STAGE_TIME_COLUMN
from data_access import metrics, summary
from data_access.actions.base import STAGE_AFTER
from data_access.actions.cards import EVENT_OF
from data_access.db import get_engine, migrate
from data_access.loader import STREAMED_TABLES, load_city
from data_access.models import (
    BankBatch,
    BankBatchMember,
    BankResult,
    Base,
    Campaign,
    CardMovement,
    Member,
    MemberEvent,
    ReviewDecision,
    Submission,
)
from data_access.scope import Scope

NOW = datetime(2026, 5, 20, 4, 0)
CONFIG = DemoConfig(seed=11, members=2_000, units=40)


@pytest.fixture
def city(engine):  # type: ignore[no-untyped-def]
    counts = load_city(engine, CONFIG, NOW)
    if engine.dialect.name == "sqlite":  # the load writes with foreign-key checks off
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    return engine, counts


def test_generator_streams_whole_units_with_valid_people():
    key = b"k" * 32
    chunks = list(generate_city(NOW, CONFIG, key)[1].chunks())
    for chunk in chunks:
        for table, rows in chunk.items():
            assert all(len(row) == len(COLUMNS[table]) for row in rows)
    members = [row for chunk in chunks for row in chunk["member"]]
    numbers = [row[7] for row in members]
    assert len(numbers) == len(set(numbers)) > 1_000  # ID numbers unique by construction
    for row in members[:: len(members) // 50]:  # the fast check digit and hash equal the rules'
        assert row[7][17] == calc_check_digit(row[7][:17])
        assert row[8] == id_hash(row[7], key)
    assert CARD_STEP_KIND == EVENT_OF


def _snapshot(engine) -> dict[str, list[tuple[object, ...]]]:  # type: ignore[no-untyped-def]
    """Every generated table's rows in id order (summaries by key, their ids aside)."""
    found: dict[str, list[tuple[object, ...]]] = {}
    with Session(engine) as session:
        for name in (*STREAMED_TABLES, "member_stage_count", "bank_result_count"):
            table = Base.metadata.tables[name]
            columns = [c for c in table.columns if not (name.endswith("_count") and c.name == "id")]
            found[name] = [tuple(row) for row in session.execute(select(*columns).order_by(*columns))]
    return found


def test_same_seed_same_rows(engine, tmp_path):  # type: ignore[no-untyped-def]
    """Deterministic: a second run (here on a fresh SQLite file, generating in this process
    instead of a child) writes identical rows, ids included."""
    load_city(engine, CONFIG, NOW)
    other = get_engine(f"sqlite:///{tmp_path / 'again.db'}")
    migrate(other)
    load_city(other, CONFIG, NOW, parallel=False)
    first, again = _snapshot(engine), _snapshot(other)
    assert first.keys() == again.keys()
    for name in first:
        assert first[name] == again[name], name
    assert len(first["member_event"]) > len(first["member"]) > 1_000
    other.dispose()


def test_member_cache_equals_what_the_events_imply(city):  # type: ignore[no-untyped-def]
    engine, counts = city
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Member)) == counts["member"]
        assert session.scalar(select(func.count()).select_from(MemberEvent)) == counts["member_event"] > counts["member"]
        expected: dict[int, dict[str, object]] = {}
        for member_id, kind, at in session.execute(
            select(MemberEvent.member_id, MemberEvent.kind, MemberEvent.at).order_by(MemberEvent.member_id, MemberEvent.at, MemberEvent.id)
        ):
            row = expected.setdefault(member_id, {})
            if STAGE_AFTER[kind] is not None:
                row["stage"] = STAGE_AFTER[kind]
            column = STAGE_TIME_COLUMN.get(kind)
            if column is not None and column not in row:
                row[column] = at
        columns = ["stage", *STAGE_TIME_COLUMN.values()]
        mismatches = 0
        for member in session.execute(select(Member.id, *(getattr(Member, c) for c in columns))):
            want = expected[member.id]
            got = dict(zip(columns, member[1:], strict=True))
            if any(want.get(c) != got[c] for c in columns):
                mismatches += 1
        assert mismatches == 0
        stages = Counter(session.scalars(select(Member.stage)))
        assert {"validated", "submitted", "produced"} <= set(stages) and len(stages) >= 6


def test_summaries_equal_a_recount(city):  # type: ignore[no-untyped-def]
    engine, _ = city
    with Session(engine) as session:
        campaign_id = session.scalar(select(Campaign.id))
        assert summary.stored_members(session, campaign_id) == summary.recount_members(session, campaign_id)
        assert summary.stored_bank_results(session, campaign_id) == summary.recount_bank_results(session, campaign_id)
        assert summary.stored_bank_results(session, campaign_id)


def test_every_result_and_send_is_in_its_batch(city):  # type: ignore[no-untyped-def]
    engine, _ = city
    with Session(engine) as session:
        in_batch = set(tuple(r) for r in session.execute(select(BankBatchMember.batch_id, BankBatchMember.member_id)))
        results = set(tuple(r) for r in session.execute(select(BankResult.batch_id, BankResult.member_id)))
        sends = set(tuple(r) for r in session.execute(
            select(MemberEvent.batch_id, MemberEvent.member_id).where(MemberEvent.kind == "sent_to_bank")
        ))
        assert results and results <= in_batch
        assert sends == in_batch
        sizes = Counter(b for b, _ in in_batch)
        assert {b.id: b.member_count for b in session.scalars(select(BankBatch))} == dict(sizes)
        # Card movements only for produced cards; produced results only for approved members.
        produced = set(session.scalars(select(BankResult.member_id).where(BankResult.outcome == "produced")))
        assert set(session.scalars(select(CardMovement.member_id))) <= produced
        approved = set(session.scalars(select(Member.id).where(Member.approved_at.is_not(None))))
        assert produced <= approved


def test_figures_are_consistent(city):  # type: ignore[no-untyped-def]
    engine, _ = city
    with Session(engine) as session:
        campaign_id = session.scalar(select(Campaign.id))
        units = metrics.unit_progress(session, Scope.everything(), campaign_id, NOW)
        headline = metrics.headline(session, Scope.everything(), campaign_id, NOW)
        submitted_units = set(session.scalars(select(Submission.unit_id)))
        approved_units = set(session.scalars(select(Submission.unit_id).where(Submission.outcome == "approved")))
        for row in units.itertuples():
            if row.status in metrics.SUBMITTED_STATUSES:
                assert row.unit_id in submitted_units
            if row.status == "approved":
                assert row.unit_id in approved_units
            assert row.produced <= row.approved <= row.submitted <= row.validated
        assert 0 < headline.produced <= int(units["approved"].sum())
        assert headline.units_submitted == len(units[units["status"].isin(metrics.SUBMITTED_STATUSES)])
        # Two-level chain: every approved submission has a district then a new-area decision.
        levels = Counter(session.scalars(select(ReviewDecision.level).where(ReviewDecision.decision == "approved")))
        assert levels["new_area"] == len(session.scalars(select(Submission.id).where(Submission.outcome == "approved")).all())


def test_a_failing_generator_fails_the_load_and_restores_the_indexes(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    engine = get_engine(f"sqlite:///{tmp_path / 'broken.db'}")
    migrate(engine)
    with engine.connect() as connection:
        before = sorted(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())

    def broken(self, unit, out):  # type: ignore[no-untyped-def]
        raise ValueError("planted")

    monkeypatch.setattr(CityGenerator, "_unit", broken)
    with pytest.raises(RuntimeError, match="planted"):
        load_city(engine, CONFIG, NOW)  # raised in the child process, reported here
    with engine.connect() as connection:
        after = sorted(connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert after == before
