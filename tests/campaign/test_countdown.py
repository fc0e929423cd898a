"""The countdown: whole days from two days out, days and hours under two days, done when done."""

from __future__ import annotations

import doctest
from datetime import datetime, timedelta

import pytest

import campaign.countdown as countdown_module
from campaign.countdown import countdown

NOW = datetime(2026, 10, 26, 4, 0)


def test_doctests() -> None:
    result = doctest.testmod(countdown_module)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(
    ("hours", "text"),
    [
        (42, "还剩 1 天 18 小时"),  # not "还剩 2 天"
        (47.9, "还剩 1 天 23 小时"),
        (48, "还剩 2 天"),
        (5.5, "还剩 5 小时"),
        (-4, "已超期 4 小时"),  # not "已超期 0 天"
        (-30, "已超期 1 天 6 小时"),
        (-12 * 24 - 5, "已超期 12 天"),
    ],
)
def test_hours_under_two_days(hours: float, text: str) -> None:
    assert countdown(NOW + timedelta(hours=hours), NOW) == text


def test_a_unit_that_has_submitted_is_done_not_overdue() -> None:
    assert countdown(NOW - timedelta(days=12), NOW, done=True, done_key="cd.submitted") == "已报送"
    assert countdown(NOW - timedelta(days=12), NOW, "en", done=True) == "done"
