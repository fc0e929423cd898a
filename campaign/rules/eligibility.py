"""Eligibility by age and sex: retirement age on the campaign date, under a configurable rule set.

Rule sets are data: ``"2014"`` (men 60, women workers 50, women cadres 55) and ``"2025"``
(the gradual reform from 1 January 2025: men 60 → 63 and women cadres 55 → 58, one month
more per four months of birth from 1965-01 / 1970-01; women workers 50 → 55, one month more per
two months of birth from 1975-01). At or past the age is an error; a woman between the worker
and the cadre age is a warning (check whether she is a cadre).

>>> retirement_date(date(1965, 5, 10), "M", "worker", "2025")
datetime.date(2025, 7, 10)
>>> status(date(1970, 3, 1), "F", date(2024, 6, 1), "2014")
'age_check_cadre'
>>> status(date(1964, 6, 1), "M", date(2024, 6, 1), "2014")
'age_retired'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal

import numpy as np

from campaign.i18n import t

Category = Literal["worker", "cadre"]


@dataclass(frozen=True, slots=True)
class Schedule:
    """A base retirement age and its gradual raise: +1 month per ``step`` months of birth
    from ``from_year``-01, at most ``max_months``."""

    base_years: int
    from_year: int = 0
    step: int = 0
    max_months: int = 0

    def delay_months(self, birth_year: np.ndarray, birth_month: np.ndarray) -> np.ndarray:
        """Months added to the base age for people born in these months."""
        if not self.step:
            return np.zeros_like(birth_year)
        since = (birth_year - self.from_year) * 12 + (birth_month - 1)
        return np.where(since < 0, 0, np.minimum(since // self.step + 1, self.max_months))


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Retirement schedules of one rule set."""

    name: str
    male: Schedule
    female_worker: Schedule
    female_cadre: Schedule


RULE_SETS: Final[Mapping[str, RuleSet]] = {
    "2014": RuleSet("2014", Schedule(60), Schedule(50), Schedule(55)),
    "2025": RuleSet(
        "2025",
        Schedule(60, 1965, 4, 36),
        Schedule(50, 1975, 2, 60),
        Schedule(55, 1970, 4, 36),
    ),
}


def _schedule(rules: RuleSet, sex: str, category: Category) -> Schedule:
    if sex == "M":
        return rules.male
    return rules.female_cadre if category == "cadre" else rules.female_worker


def retirement_date(birth: date, sex: str, category: Category = "worker", rules: str = "2014") -> date:
    """The day a person reaches retirement age (day clamped to the month's end)."""
    schedule = _schedule(RULE_SETS[rules], sex, category)
    delay = int(schedule.delay_months(np.array([birth.year]), np.array([birth.month]))[0])
    months = birth.year * 12 + birth.month - 1 + schedule.base_years * 12 + delay
    year, month = divmod(months, 12)
    for day in (birth.day, 30, 29, 28):
        try:
            return date(year, month + 1, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _reached(schedule: Schedule, by: np.ndarray, bm: np.ndarray, bd: np.ndarray, as_of: date) -> np.ndarray:
    months = by * 12 + bm - 1 + schedule.base_years * 12 + schedule.delay_months(by, bm)
    now = as_of.year * 12 + as_of.month - 1
    return (now > months) | ((now == months) & (as_of.day >= bd))


def rule_label(
    rules: str,
    sex: str,
    category: Category,
    birth: date | None = None,
    lang: str = "zh",
) -> str:
    """How the retirement age that applies reads in a message."""
    rule_set = RULE_SETS[rules]
    schedule = _schedule(rule_set, sex, category)
    if not schedule.step:
        key = "male" if sex == "M" else f"female_{category}"
        return t(f"rule.retire_2014_{key}", lang)
    delay = 0
    if birth is not None:
        delay = int(schedule.delay_months(np.array([birth.year]), np.array([birth.month]))[0])
    years, months = divmod(schedule.base_years * 12 + delay, 12)
    return t("rule.retire_2025", lang, years=years, months=months)


def check_many(birth: np.ndarray, sex: np.ndarray, as_of: date, rules: str = "2014") -> list[str]:
    """Per person: 'age_retired', 'age_check_cadre' or '' (NaT birth dates give '').

    ``birth`` is datetime64[D], ``sex`` holds 'M' / 'F' / ''.
    """
    rule_set = RULE_SETS[rules]
    known = ~np.isnat(birth)
    safe = np.where(known, birth, np.datetime64("2000-01-01"))
    by = safe.astype("datetime64[Y]").astype(np.int64) + 1970
    bm = safe.astype("datetime64[M]").astype(np.int64) % 12 + 1
    bd = (safe - safe.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    male = known & (sex == "M")
    female = known & (sex == "F")
    retired = (male & _reached(rule_set.male, by, bm, bd, as_of)) | (
        female & _reached(rule_set.female_cadre, by, bm, bd, as_of)
    )
    cadre_check = female & ~retired & _reached(rule_set.female_worker, by, bm, bd, as_of)
    out = np.full(birth.shape[0], "", dtype=object)
    out[retired] = "age_retired"
    out[cadre_check] = "age_check_cadre"
    return out.tolist()


def status(birth: date, sex: str, as_of: date, rules: str = "2014") -> str:
    """The eligibility verdict on one person ('' when eligible)."""
    return check_many(np.array([birth], dtype="datetime64[D]"), np.array([sex]), as_of, rules)[0]
