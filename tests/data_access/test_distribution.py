"""Card distribution figures on the tiny hand-built campaign, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest

from data_access import distribution, metrics
from data_access.db import read_session
from data_access.scope import Scope
from tests.data_access.delivery_fixture import NOW, at, build


@pytest.fixture
def tiny(engine):
    return build(engine)


def _units(engine, scope, cutoff):
    with read_session(engine) as s:
        return metrics.unit_progress(s, scope, 1, cutoff)


def test_pipeline_and_distribution_rate(engine, tiny):
    units = _units(engine, Scope.everything(), NOW)
    pipe = distribution.pipeline(units).set_index("step")
    # produced m1 m2 m4; received m1 m2 m4; handed m1; delivered m1; activated m1
    assert pipe["cards"].to_dict() == {"produced": 3, "received": 3, "distributed": 1, "delivered": 1, "activated": 1}
    assert pipe.loc["delivered", "share"] == pytest.approx(1 / 3)
    table = distribution.unit_table(units).set_index("unit_name")
    assert table.loc["一号单位", ["produced", "received", "distributed", "delivered", "waiting_at_district"]].tolist() == [2, 2, 1, 1, 1]
    assert table.loc["一号单位", "distribution_rate"] == pytest.approx(0.5)
    assert table.loc["二号单位", "distribution_rate"] == 0
    assert math.isnan(table.loc["三号单位", "distribution_rate"])  # nothing produced: undefined


def test_waiting_cards_and_their_ages(engine, tiny):
    with read_session(engine) as s:
        waiting = distribution.waiting_cards(s, Scope.everything(), 1, NOW)
    # m4 (二号单位) received 11-06 (14 days), m2 (一号单位) received 11-18 (2 days): one row per
    # unit and received time, with the count
    assert waiting[["unit_name", "cards"]].values.tolist() == [["二号单位", 1], ["一号单位", 1]]
    assert waiting["days_waiting"].tolist() == pytest.approx([14.0, 2.0])
    buckets = distribution.age_buckets(waiting).set_index("age_bucket")["cards"].to_dict()
    assert buckets == {"0-3": 1, "4-7": 0, "8-14": 1, "15-30": 0, "31+": 0}
    per_unit = distribution.waiting_by_unit(waiting).set_index("unit_name")
    assert per_unit.loc["二号单位", "oldest_days"] == pytest.approx(14.0)
    assert per_unit["cards"].sum() == 2


def test_as_of_cut_off(engine, tiny):
    cutoff = at(10)
    units = _units(engine, Scope.everything(), cutoff)
    pipe = distribution.pipeline(units).set_index("step")["cards"].to_dict()
    assert pipe == {"produced": 2, "received": 2, "distributed": 1, "delivered": 0, "activated": 0}
    with read_session(engine) as s:
        waiting = distribution.waiting_cards(s, Scope.everything(), 1, cutoff)
        produced = distribution.produced_members(s, Scope.everything(), 1, cutoff)
    assert waiting[["unit_name", "cards"]].values.tolist() == [["二号单位", 1]]
    assert waiting["days_waiting"].tolist() == pytest.approx([4.0])
    assert distribution.age_buckets(waiting).set_index("age_bucket").loc["4-7", "cards"] == 1
    assert produced["name"].tolist() == ["会员1", "会员4"]


def test_produced_members_carry_the_card_tail_and_respect_scope(engine, tiny):
    with read_session(engine) as s:
        everything = distribution.produced_members(s, Scope.everything(), 1, NOW)
        u1 = distribution.produced_members(s, tiny.unit_u1, 1, NOW)
        e = distribution.waiting_cards(s, tiny.district_e, 1, NOW)
    assert dict(zip(everything["name"], everything["card_tail"], strict=True)) == {"会员1": "1111", "会员2": "2222", "会员4": "4444"}
    assert u1["name"].tolist() == ["会员1", "会员2"]
    assert e.empty and distribution.age_buckets(e)["cards"].sum() == 0


def test_age_buckets_count_whole_days_elapsed():
    """The labels say whole days: a card waiting 3.5 days has waited 3 days (0–3), not 4–7."""
    from data_access.distribution import age_bucket

    assert [age_bucket(d) for d in (0.2, 3.0, 3.5, 3.999, 4.0, 7.9, 8.0, 30.99, 31.0)] == [
        "0-3", "0-3", "0-3", "0-3", "4-7", "4-7", "8-14", "15-30", "31+"]
