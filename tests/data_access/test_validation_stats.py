"""validation_stats against numbers worked out by hand on the tiny campaign (both backends)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data_access import metrics, validation_stats
from data_access.db import read_session
from tests.data_access import progress_fixture as fx


@pytest.fixture
def tiny(engine):
    fx.build(engine)
    return engine


def _by_code(engine, cutoff=fx.CUTOFF, scope=fx.EVERYTHING):
    with read_session(engine) as session:
        frame = validation_stats.by_code(session, scope, fx.CAMPAIGN, cutoff)
    return {row.code: (row.severity, row.raised, row.open, row.units_open) for row in frame.itertuples()}


def test_counts_by_code_at_the_cutoff(tiny):
    # f1 resolved, f2/f3 superseded by U1's next upload, f6 resolved only after the cut-off;
    # the warning on U1's second list closed when U1 submitted it (11-10 06:00).
    assert _by_code(tiny) == {
        "id_check_digit": ("error", 2, 1, 1),
        "phone_format": ("error", 1, 0, 0),
        "phone_duplicate": ("warning", 2, 0, 0),
        "id_excel_number": ("error", 1, 1, 1),
        "id_15_digit": ("error", 1, 1, 1),
    }


def test_counts_by_code_as_of_an_earlier_cutoff(tiny):
    # 11-04 12:00: only upload 101 is in; f1 was resolved at 01:00.
    assert _by_code(tiny, datetime(2026, 11, 4, 12, 0)) == {
        "id_check_digit": ("error", 1, 0, 0),
        "phone_format": ("error", 1, 1, 1),
        "phone_duplicate": ("warning", 1, 1, 1),
    }


def test_scope_hides_other_areas(tiny):
    assert _by_code(tiny, scope=fx.SCOPE_A2) == {}
    assert _by_code(tiny, scope=fx.SCOPE_A1) == _by_code(tiny)


def test_units_with_most_open_errors(tiny):
    with read_session(tiny) as session:
        units = validation_stats.by_unit(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    rows = [(r.unit_id, r.open_errors, r.open_warnings, r.uploads) for r in units.itertuples()]
    assert rows == [(fx.U2, 3, 0, 1)]  # U1's only open finding was a warning on the list it submitted
    assert units.loc[0, "last_upload_at"] == datetime(2026, 11, 4, 20, 0)


def test_warnings_count_on_lists_not_yet_submitted(tiny):
    """Open warnings fall: a warning on a clean list is open until the list is submitted."""
    before = _by_code(tiny, datetime(2026, 11, 10, 5, 59))["phone_duplicate"]
    after = _by_code(tiny, datetime(2026, 11, 10, 6, 0))["phone_duplicate"]
    assert before == ("warning", 2, 1, 1) and after == ("warning", 2, 0, 0)


def test_open_errors_agree_with_unit_progress(tiny):
    for cutoff in (datetime(2026, 11, 4, 12, 0), fx.CUTOFF, datetime(2026, 11, 12, 6, 0)):
        with read_session(tiny) as session:
            units = metrics.unit_progress(session, fx.EVERYTHING, fx.CAMPAIGN, cutoff)
            codes = validation_stats.by_code(session, fx.EVERYTHING, fx.CAMPAIGN, cutoff)
        assert int(codes.loc[codes["severity"] == "error", "open"].sum()) == int(units["open_errors"].sum())


def test_daily_trend_uses_shanghai_days(tiny):
    with read_session(tiny) as session:
        trend = validation_stats.daily_trend(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    assert trend["day"].iloc[0] == date(2026, 11, 3) and trend["day"].iloc[-1] == date(2026, 11, 11)
    by_day = trend.set_index("day")
    # Upload 103 came at 20:00 UTC on 11-04: 04:00 on 11-05 in Shanghai.
    assert by_day["raised"].to_dict() == {
        date(2026, 11, d): n for d, n in {3: 2, 4: 0, 5: 3, 6: 0, 7: 0, 8: 0, 9: 0, 10: 0, 11: 0}.items()
    }
    assert by_day.loc[date(2026, 11, 4), "closed"] == 1  # f1 resolved
    assert by_day.loc[date(2026, 11, 5), "closed"] == 1  # f2 superseded
    assert by_day["open"].tolist() == [2, 1, 3, 3, 3, 3, 3, 3, 3]


def test_daily_trend_of_one_code(tiny):
    with read_session(tiny) as session:
        trend = validation_stats.daily_trend(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF, code="id_check_digit")
    assert trend["raised"].tolist()[:3] == [1, 0, 1]
    assert trend["open"].tolist() == [1, 0, 1, 1, 1, 1, 1, 1, 1]


def test_daily_trend_empty_scope(tiny):
    with read_session(tiny) as session:
        assert validation_stats.daily_trend(session, fx.SCOPE_A2, fx.CAMPAIGN, fx.CUTOFF).empty


def test_first_pass_yield_and_attempts_until_clean(tiny):
    with read_session(tiny) as session:
        summary = validation_stats.yield_summary(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
        units = metrics.unit_progress(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    # U1 clean on upload 2, U2 not yet, U4 on upload 1.
    assert (summary.units_uploaded, summary.clean_first_try, summary.units_clean) == (3, 1, 2)
    assert summary.first_pass_yield == pytest.approx(1 / 3)
    assert summary.mean_attempts == pytest.approx(1.5)
    attempts = {(None if a != a else int(a)): int(n) for a, n in zip(summary.attempts["attempts_until_clean"], summary.attempts["units"], strict=True)}
    assert attempts == {1: 1, 2: 1, None: 1}
    uploaded = units[units["uploads"] > 0]
    assert summary.clean_first_try == int(uploaded["first_clean"].sum())


def test_yield_as_of_and_in_scope(tiny):
    with read_session(tiny) as session:
        early = validation_stats.yield_summary(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 4, 12, 0))
        area2 = validation_stats.yield_summary(session, fx.SCOPE_A2, fx.CAMPAIGN, fx.CUTOFF)
        nothing = validation_stats.yield_summary(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 1))
    assert (early.units_uploaded, early.clean_first_try, early.units_clean) == (2, 1, 1)  # U1 (errors), U4
    assert (area2.units_uploaded, area2.first_pass_yield) == (1, 1.0)
    assert nothing.units_uploaded == 0 and nothing.first_pass_yield is None and nothing.mean_attempts is None


def test_drill_into_one_units_findings_masks_ids(tiny):
    with read_session(tiny) as session:
        masked = validation_stats.unit_findings(session, fx.EVERYTHING, fx.CAMPAIGN, fx.U2, fx.CUTOFF)
        full = validation_stats.unit_findings(session, fx.EVERYTHING, fx.CAMPAIGN, fx.U2, fx.CUTOFF, mask=False)
    assert masked["row"].tolist() == [4, 6, 8]
    assert masked["code"].tolist() == ["id_excel_number", "id_15_digit", "id_check_digit"]
    assert masked["is_open"].all()
    suggestion = masked.loc[1, "suggestion"]
    assert fx.FULL_ID not in suggestion and "110***********002X" in suggestion
    assert fx.FULL_ID in full.loc[1, "suggestion"]


def test_drill_with_resolved_and_outside_scope(tiny):
    with read_session(tiny) as session:
        everything = validation_stats.unit_findings(session, fx.EVERYTHING, fx.CAMPAIGN, fx.U1, fx.CUTOFF, open_only=False)
        outside = validation_stats.unit_findings(session, fx.SCOPE_A2, fx.CAMPAIGN, fx.U2, fx.CUTOFF)
    # finding 4, the warning on U1's latest list, closed when U1 submitted that list
    assert not everything["is_open"].any()
    assert sorted(everything["finding_id"]) == [1, 2, 3, 4]
    assert outside.empty


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("号码 110105194912310021 重复", "号码 110***********0021 重复"),
        ("老号码 110105491231002", "老号码 110********1002"),
        ("电话 13812345678。", "电话 138****5678。"),
        ("第12行与第345行", "第12行与第345行"),
        (None, None),
    ],
)
def test_mask_personal_text(text, expected):
    assert validation_stats.mask_personal_text(text) == expected


def test_doctests():
    import doctest

    result = doctest.testmod(validation_stats)
    assert result.attempted > 0 and result.failed == 0
