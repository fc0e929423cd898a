"""Retirement ages under the 2014 and 2025 rule sets."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from campaign.rules import eligibility


@pytest.mark.parametrize(
    ("birth", "sex", "as_of", "rules", "expected"),
    [
        (
            date(1954, 10, 1),
            "M",
            date(2014, 10, 1),
            "2014",
            "age_retired",
        ),  # 60 that day
        (date(1954, 10, 2), "M", date(2014, 10, 1), "2014", ""),
        (date(1964, 10, 1), "F", date(2014, 10, 1), "2014", "age_check_cadre"),  # 50
        (date(1964, 10, 2), "F", date(2014, 10, 1), "2014", ""),
        (date(1959, 10, 1), "F", date(2014, 10, 1), "2014", "age_retired"),  # 55
        (date(1959, 10, 2), "F", date(2014, 10, 1), "2014", "age_check_cadre"),
        (date(1965, 1, 15), "M", date(2025, 1, 15), "2025", ""),  # 60, +1 month
        (date(1965, 1, 15), "M", date(2025, 2, 15), "2025", "age_retired"),
        (date(1975, 1, 10), "F", date(2025, 2, 9), "2025", ""),  # worker 50y1m
        (date(1975, 1, 10), "F", date(2025, 2, 10), "2025", "age_check_cadre"),
        (date(1990, 1, 1), "M", date(2052, 12, 31), "2025", ""),  # 63 from 1976 births
        (date(1990, 1, 1), "M", date(2053, 1, 1), "2025", "age_retired"),
    ],
)
def test_status(birth: date, sex: str, as_of: date, rules: str, expected: str) -> None:
    assert eligibility.status(birth, sex, as_of, rules) == expected


def test_2025_reform_schedule() -> None:
    assert eligibility.retirement_date(date(1965, 1, 1), "M", rules="2025") == date(2025, 2, 1)
    assert eligibility.retirement_date(date(1976, 12, 1), "M", rules="2025") == date(2039, 12, 1)
    assert eligibility.retirement_date(date(1980, 1, 1), "F", "worker", "2025") == date(2032, 8, 1)  # 52y7m
    assert eligibility.retirement_date(date(1964, 12, 1), "M", rules="2025") == date(2024, 12, 1)


def test_unknown_birth_dates_are_ignored() -> None:
    births = np.array(["NaT", "1950-01-01"], dtype="datetime64[D]")
    assert eligibility.check_many(births, np.array(["", "M"]), date(2014, 1, 1)) == [
        "",
        "age_retired",
    ]
