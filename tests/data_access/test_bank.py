"""Bank production figures on the tiny hand-built campaign, on SQLite and PostgreSQL."""

from __future__ import annotations

import math

import pytest

from data_access import bank, metrics
from data_access.db import read_session
from data_access.scope import Scope
from tests.data_access.delivery_fixture import NOW, at, build


@pytest.fixture
def tiny(engine):
    return build(engine)


def test_batches_count_results_and_rates(engine, tiny):
    with read_session(engine) as s:
        frame = bank.batches(s, Scope.everything(), tiny.campaign_id, NOW).set_index("reference")
    assert list(frame.index) == ["B2", "B3", "B1"]  # newest sent first
    assert frame.loc["B1", ["results", "produced", "failed"]].tolist() == [5, 2, 3]
    assert frame.loc["B1", "success_rate"] == pytest.approx(2 / 5)
    assert frame.loc["B1", "failure_rate"] == pytest.approx(3 / 5)
    assert frame.loc["B2", "success_rate"] == pytest.approx(1 / 2)
    assert frame.loc["B3", "success_rate"] == 0


def test_success_rate_matches_the_headline_definition(engine, tiny):
    with read_session(engine) as s:
        districts = bank.rates_by(s, Scope.everything(), tiny.campaign_id, NOW, "district").set_index("org_name")
        units = bank.rates_by(s, Scope.everything(), tiny.campaign_id, NOW, "unit").set_index("org_name")
        received, produced = metrics.bank_results_received(s, Scope.everything(), tiny.campaign_id, NOW)
    assert (received, produced) == (8, 3)
    assert districts["results"].sum() == received and districts["produced"].sum() == produced
    assert districts.loc["甲区工会", "success_rate"] == pytest.approx(3 / 7)
    assert districts.loc["乙区工会", "success_rate"] == 0
    assert units.loc["一号单位", ["results", "produced", "failed"]].tolist() == [4, 2, 2]
    assert units.loc["二号单位", "success_rate"] == pytest.approx(1 / 3)


def test_failure_reasons_are_a_pareto(engine, tiny):
    with read_session(engine) as s:
        frame = bank.failure_reasons(s, Scope.everything(), tiny.campaign_id, NOW)
    assert frame["reason_code"].tolist() == ["id_name_mismatch", "id_expired", "id_invalid", "phone_invalid"]
    assert frame["failed"].tolist() == [2, 1, 1, 1]
    assert frame["cumulative_share"].tolist() == pytest.approx([0.4, 0.6, 0.8, 1.0])
    assert frame["rate"].tolist() == pytest.approx([2 / 8, 1 / 8, 1 / 8, 1 / 8])


def test_correction_loop_and_recovery_rate(engine, tiny):
    with read_session(engine) as s:
        loop = bank.correction_loop(s, Scope.everything(), tiny.campaign_id, NOW)
    # failed: m2 m3 m5 m6; corrected after failing: m2 m5 m6; resubmitted (a later result): m2 m5;
    # produced after failing: m2
    assert (loop.failed, loop.corrected, loop.resubmitted, loop.recovered, loop.still_open) == (4, 3, 2, 1, 3)
    assert loop.recovery_rate == pytest.approx(1 / 4)


def test_open_failures_with_days_open_status_and_masking(engine, tiny):
    with read_session(engine) as s:
        masked = bank.open_failures(s, Scope.everything(), tiny.campaign_id, NOW)
        full = bank.open_failures(s, Scope.everything(), tiny.campaign_id, NOW, full_pii=True)
    assert masked["name"].tolist() == ["会员3", "会员5", "会员6"]
    assert masked["days_open"].tolist() == pytest.approx([16.0, 16.0, 15.0])
    # m5 was corrected on 11-06, before failing again on 11-11: back with the unit
    assert masked["status"].tolist() == ["returned", "returned", "corrected"]
    assert masked["reason_code"].tolist() == ["phone_invalid", "id_invalid", "id_expired"]
    assert masked["failures"].tolist() == [1, 2, 1]
    assert masked.loc[0, "id_number"] == "110***********003X"
    assert masked.loc[0, "phone"] == "138****0003"
    assert full.loc[0, "id_number"] == "11010519800101003X"


def test_as_of_cut_off_ignores_later_results(engine, tiny):
    cutoff = at(10)
    with read_session(engine) as s:
        frame = bank.batches(s, Scope.everything(), tiny.campaign_id, cutoff).set_index("reference")
        loop = bank.correction_loop(s, Scope.everything(), tiny.campaign_id, cutoff)
        open_ = bank.open_failures(s, Scope.everything(), tiny.campaign_id, cutoff)
        reasons = bank.failure_reasons(s, Scope.everything(), tiny.campaign_id, cutoff)
    assert frame.loc["B2", "results"] == 0 and math.isnan(frame.loc["B2", "success_rate"])
    assert frame["results"].sum() == 6
    assert (loop.failed, loop.corrected, loop.resubmitted, loop.recovered, loop.still_open) == (4, 3, 0, 0, 4)
    assert open_["name"].tolist() == ["会员2", "会员3", "会员5", "会员6"]
    assert open_.set_index("name").loc["会员5", "status"] == "corrected"
    assert reasons.set_index("reason_code")["failed"].to_dict() == {"id_name_mismatch": 2, "phone_invalid": 1, "id_expired": 1}
    with read_session(engine) as s:
        before = bank.batches(s, Scope.everything(), tiny.campaign_id, at(1, 1))
    assert before.empty


def test_scope_limits_every_figure(engine, tiny):
    with read_session(engine) as s:
        d_batches = bank.batches(s, tiny.district_d, tiny.campaign_id, NOW)
        e_batches = bank.batches(s, tiny.district_e, tiny.campaign_id, NOW)
        u1_batches = bank.batches(s, tiny.unit_u1, tiny.campaign_id, NOW).set_index("reference")
        d_loop = bank.correction_loop(s, tiny.district_d, tiny.campaign_id, NOW)
        u1_open = bank.open_failures(s, tiny.unit_u1, tiny.campaign_id, NOW)
        e_reasons = bank.failure_reasons(s, tiny.district_e, tiny.campaign_id, NOW)
    assert sorted(d_batches["reference"]) == ["B1", "B2"]
    assert e_batches["reference"].tolist() == ["B3"]
    assert u1_batches.loc["B1", ["results", "produced"]].tolist() == [3, 1]
    assert (d_loop.failed, d_loop.recovered, d_loop.still_open) == (3, 1, 2)
    assert u1_open["name"].tolist() == ["会员3"]
    assert e_reasons["reason_code"].tolist() == ["id_expired"] and e_reasons["rate"].tolist() == [1.0]
