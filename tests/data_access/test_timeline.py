"""A unit's timeline: uploads, card steps, chases, hand-offs, newest first, scoped."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from data_access.actions import cards
from data_access.actions.handoff import handoff
from data_access.chase import record_chase
from data_access.db import read_session, write_session
from data_access.scope import Scope
from data_access.timeline import unit_timeline
from tests.data_access.test_action_cards import AT, produced, user  # noqa: F401  (fixture)


def test_timeline_lists_everything_newest_first_and_respects_scope(engine: Engine, produced: dict) -> None:  # noqa: F811
    campaign, unit = produced["campaign"], produced["unit1"]
    admin = user(engine, "admin", None)
    with write_session(engine) as session:
        cards.record_received(session, admin, campaign, unit_ids=[unit], at=AT)
        cards.hand_to_unit(session, admin, unit, handed_to="李会计", at=datetime(2014, 11, 11, 2))
        cards.record_delivered(session, admin, member_ids=produced["members"]["unit1"][:2], at=datetime(2014, 11, 12, 2))
        handoff(session, admin, campaign, at=datetime(2014, 11, 13, 2))
        record_chase(session, Scope.everything(), unit, at=datetime(2014, 10, 25, 2), by="联络员",
                     channel="phone", note="![x](http://e.x) 明天交", promised_date=None)
    with read_session(engine) as session:
        frame = unit_timeline(session, Scope.everything(), unit)
        other = unit_timeline(session, user(engine, "district_leader", produced["d2"]).scope, unit)
    assert other.empty
    kinds = frame["kind"].tolist()
    assert kinds[:4] == ["handoff", "card_delivered", "card_handed_to_unit", "card_received_by_district"]
    assert {"upload", "results", "batch", "chase"} <= set(kinds)
    assert frame["at"].is_monotonic_decreasing
    row = frame.set_index("kind")
    assert row.at["card_received_by_district", "detail"] == "6 张"
    assert "李会计" in row.at["card_handed_to_unit", "detail"]
    assert row.at["handoff", "detail"] == "本单位 2 张"
    assert "制卡成功 6" in row.at["results", "detail"]
    assert row.at["card_received_by_district", "at"] == datetime(2014, 11, 10, 10)  # Asia/Shanghai
    assert "![x]" in row.at["chase", "detail"]  # raw here; the page shows it in a table, never markdown
