"""metrics.unit_progress statuses, on-time, late, days overdue and at_risk on a hand-built campaign."""

from __future__ import annotations

from datetime import datetime

import pytest

from data_access import metrics
from data_access.db import read_session
from tests.data_access import progress_fixture as fx


@pytest.fixture
def tiny(engine):
    fx.build(engine)
    return engine


def _units(engine, cutoff, scope=fx.EVERYTHING):
    with read_session(engine) as session:
        frame = metrics.unit_progress(session, scope, fx.CAMPAIGN, cutoff)
    return frame.set_index("unit_id")


def test_statuses_on_time_and_lateness_at_the_cutoff(tiny):
    units = _units(tiny, fx.CUTOFF)
    assert units["status"].to_dict() == {fx.U1: "submitted", fx.U2: "errors", fx.U3: "not_started", fx.U4: "returned"}
    # On time = submitted, not later returned, by the deadline: U1 was 2 h late; U4 was a day
    # early but its submission was returned, so it does not count.
    assert units["on_time"].to_dict() == {fx.U1: False, fx.U2: False, fx.U3: False, fx.U4: False}
    # The deadline has passed for U1, U2, U4 (11-10 04:00); U3's extension runs to 11-13.
    assert units["due_passed"].to_dict() == {fx.U1: True, fx.U2: True, fx.U3: False, fx.U4: True}
    # U1 submitted 2 h after 12:00 Shanghai; U4 a day before it.
    assert units.loc[fx.U1, "hours_early"] == pytest.approx(-2.0)
    assert units.loc[fx.U4, "hours_early"] == pytest.approx(24.0)
    # Late = deadline passed and never submitted (U2); returned U4 is reported as returned,
    # overdue (still to chase) but not "late".
    assert units["late"].to_dict() == {fx.U1: False, fx.U2: True, fx.U3: False, fx.U4: False}
    assert units["overdue"].to_dict() == {fx.U1: False, fx.U2: True, fx.U3: False, fx.U4: True}
    # 11-10 04:00 -> 11-11 02:00 is 22 hours.
    assert units.loc[fx.U2, "days_overdue"] == pytest.approx(22 / 24)
    assert units.loc[fx.U4, "days_overdue"] == pytest.approx(22 / 24)
    assert units.loc[fx.U1, "days_overdue"] == 0 and units.loc[fx.U3, "days_overdue"] == 0


def test_extension_is_the_units_deadline(tiny):
    units = _units(tiny, fx.CUTOFF)
    assert units.loc[fx.U3, "due_at"] == fx.EXTENDED_DUE
    assert units.loc[fx.U1, "due_at"] == fx.DUE


def test_counts_uploads_errors_and_first_clean(tiny):
    units = _units(tiny, fx.CUTOFF)
    assert units["open_errors"].to_dict() == {fx.U1: 0, fx.U2: 3, fx.U3: 0, fx.U4: 0}
    assert units["uploads"].to_dict() == {fx.U1: 2, fx.U2: 1, fx.U3: 0, fx.U4: 1}
    assert units.loc[fx.U1, "first_clean"] == 0 and units.loc[fx.U4, "first_clean"] == 1
    assert units.loc[fx.U1, "submitted"] == 3 and units.loc[fx.U4, "submitted"] == 4
    assert bool(units.loc[fx.U1, "paper_id_copies"]) is False and bool(units.loc[fx.U1, "paper_sheet"]) is True


def test_at_risk_is_not_submitted_and_due_within_three_days(tiny):
    units = _units(tiny, fx.CUTOFF).reset_index()
    risky = units.loc[metrics.at_risk(units, fx.CUTOFF), "unit_id"].tolist()
    assert risky == [fx.U3]  # due 11-13 04:00, within 3 days of 11-11 02:00
    assert units.loc[metrics.at_risk(units, fx.CUTOFF, days=1), "unit_id"].tolist() == []


def test_as_of_an_earlier_cutoff(tiny):
    cutoff = datetime(2026, 11, 9, 12, 0)
    units = _units(tiny, cutoff)
    # U1's clean upload is in, its submission is not; U4's review came later: still pending.
    assert units["status"].to_dict() == {fx.U1: "clean", fx.U2: "errors", fx.U3: "not_started", fx.U4: "submitted"}
    assert not units["late"].any()
    # Due 11-10 04:00, 16 hours away: U1 (clean, not submitted) and U2 (errors) are at risk;
    # U3's extended deadline is 3.7 days away; U4 has submitted.
    assert units["at_risk"].to_dict() == {fx.U1: True, fx.U2: True, fx.U3: False, fx.U4: False}
    assert metrics.status_counts(units, units["at_risk"]) == {
        "not_started": 0, "errors": 1, "clean": 1, "submitted": 0, "returned": 0, "approved": 0}


def test_days_overdue_after_the_extension_has_passed(tiny):
    cutoff = datetime(2026, 11, 14, 4, 0)
    units = _units(tiny, cutoff)
    assert units["late"].to_dict() == {fx.U1: False, fx.U2: True, fx.U3: True, fx.U4: False}
    assert units["overdue"].to_dict() == {fx.U1: False, fx.U2: True, fx.U3: True, fx.U4: True}
    assert units.loc[fx.U3, "days_overdue"] == pytest.approx(1.0)
    assert units.loc[fx.U2, "days_overdue"] == pytest.approx(4.0)
    assert units["open_errors"].to_dict()[fx.U2] == 2  # f6 resolved on 11-12


def test_scope_keeps_to_the_subtree(tiny):
    assert sorted(_units(tiny, fx.CUTOFF, fx.SCOPE_A1).index) == [fx.U1, fx.U2, fx.U3]
    assert list(_units(tiny, fx.CUTOFF, fx.SCOPE_A2).index) == [fx.U4]


def test_a_returned_unit_due_soon_is_at_risk_as_returned(tiny):
    # 11-08 04:00: the district deadline (11-10 04:00) is two days away. Seen at 11-10 03:00
    # (an hour before it), U4's submission has been returned (11-10 02:00): at risk, as returned.
    cutoff = datetime(2026, 11, 10, 3, 0)
    units = _units(tiny, cutoff)
    assert units["status"].to_dict()[fx.U4] == "returned"
    assert units["at_risk"].to_dict() == {fx.U1: True, fx.U2: True, fx.U3: False, fx.U4: True}
    assert metrics.status_counts(units, units["at_risk"]) == {
        "not_started": 0, "errors": 1, "clean": 1, "submitted": 0, "returned": 1, "approved": 0}


def test_on_time_rate_counts_only_units_whose_deadline_has_passed(tiny):
    # At the cut-off three units are due (U1, U2, U4) and none of them submitted on time and
    # kept it (U1 2 h late, U4 returned): 0 / 3, with U3 not yet due beside it.
    with read_session(tiny) as session:
        head = metrics.headline(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    assert (head.units_expected, head.units_due, head.units_not_due, head.units_on_time) == (4, 3, 1, 0)
    assert head.on_time_rate == 0
    # Submitted = awaiting review or approved (U1); returned U4 is not submitted, nor late.
    assert (head.units_submitted, head.units_returned, head.late_units, head.units_at_risk) == (1, 1, 1, 1)
    assert dict(head.statuses) == {"not_started": 1, "errors": 1, "clean": 0, "submitted": 1, "returned": 1, "approved": 0}
    assert sum(n for _, n in head.statuses) == head.units_expected
    # Before the deadline nobody is due: the rate is undefined, not 0 %.
    with read_session(tiny) as session:
        early = metrics.headline(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 9, 12, 0))
    assert (early.units_due, early.units_not_due, early.on_time_rate) == (0, 4, None)
