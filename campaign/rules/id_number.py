"""Resident ID numbers (公民身份号码, GB 11643-1999): check character by ISO 7064 MOD 11-2.

The full rule set (normalisation, region, birth date, 15-digit and Excel-mangled numbers)
builds on these primitives.
"""

from __future__ import annotations

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def calc_check_digit(first17: str) -> str:
    """The check character for the first 17 digits of an ID number.

    >>> calc_check_digit("11010519491231002")
    'X'
    >>> calc_check_digit("44052418800101001")
    '4'
    """
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]
