"""Hand-off to the city card system: only delivered cards of the scope, each once; files masked
as the role requires; history and re-download; refusals write nothing."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access.actions import cards
from data_access.actions.base import NotAllowed
from data_access.actions.handoff import NothingToHandOff, handoff, handoff_file, handoff_history, handoff_status
from data_access.db import read_session, write_session
from data_access.models import Audit, Handoff, HandoffMember, MemberEvent
from tests.data_access.test_action_cards import AT, produced, user  # noqa: F401  (fixture)


def deliver(engine: Engine, produced: dict, unit: str, count: int) -> None:  # noqa: F811
    leader = user(engine, "admin", None)
    ids = produced["members"][unit]
    with write_session(engine) as session:
        cards.record_received(session, leader, produced["campaign"], unit_ids=[produced[unit]], at=AT)
        cards.hand_to_unit(session, leader, produced[unit], handed_to="李", at=AT)
        cards.record_delivered(session, leader, member_ids=ids[:count], at=AT)


def rows_of(csv_bytes: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))


def test_handoff_carries_only_what_is_new(engine: Engine, produced: dict) -> None:  # noqa: F811
    campaign = produced["campaign"]
    deliver(engine, produced, "unit1", 4)
    deliver(engine, produced, "unit2", 2)
    leader = user(engine, "district_leader", produced["d1"], login="leader1")
    with read_session(engine) as session:
        assert handoff_status(session, leader, campaign).pending == 4
    with write_session(engine) as session:
        first = handoff(session, leader, campaign, at=datetime(2014, 11, 12, 2))
    assert first.members == 4 and first.xlsx[:2] == b"PK"
    lines = rows_of(first.csv)
    assert len(lines) == 5 and lines[0][0] == "姓名"
    assert all(len(r[1]) == 18 and "*" not in r[1] for r in lines[1:])  # a district leader sees full IDs
    assert all(r[6].startswith("*") for r in lines[1:])  # card numbers masked as the bank sent them
    assert {r[9] for r in lines[1:]} == {"2014-11-10"}
    with pytest.raises(NothingToHandOff), write_session(engine) as session:
        handoff(session, leader, campaign)
    # one more delivered in unit 1: the next hand-off carries only that one
    with write_session(engine) as session:
        cards.record_delivered(session, leader, member_ids=produced["members"]["unit1"][4:5], at=AT)
        second = handoff(session, leader, campaign, at=datetime(2014, 11, 13, 2))
    assert second.members == 1
    admin = user(engine, "admin", None)
    with write_session(engine) as session:
        city = handoff(session, admin, campaign, at=datetime(2014, 11, 14, 2))
    assert city.members == 2  # unit 2's cards only
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(HandoffMember)) == 7
        assert session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.kind == "handed_off")) == 7
        assert session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "handoff")) == 3
        history = handoff_history(session, leader, campaign)
        status = handoff_status(session, leader, campaign)
        xlsx, again, rows = handoff_file(session, leader, first.handoff_id)
    assert history["member_count"].tolist() == [1, 4]  # the city-wide one is not the leader's
    assert (status.pending, status.last_count, status.handed_total) == (0, 1, 5)
    assert rows == 4 and rows_of(again) == lines


def test_refusals(engine: Engine, produced: dict) -> None:  # noqa: F811
    campaign = produced["campaign"]
    deliver(engine, produced, "unit1", 2)
    for role, org in (("liaison", produced["d1"]), ("unit", produced["unit1"])):
        with pytest.raises(NotAllowed), write_session(engine) as session:
            handoff(session, user(engine, role, org), campaign)
    with pytest.raises(NothingToHandOff), write_session(engine) as session:
        handoff(session, user(engine, "district_leader", produced["d2"]), campaign)
    with write_session(engine) as session:
        made = handoff(session, user(engine, "district_leader", produced["d1"]), campaign)
    with pytest.raises(ActionRefused), read_session(engine) as session:
        handoff_file(session, user(engine, "district_leader", produced["d2"]), made.handoff_id)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Handoff)) == 1
