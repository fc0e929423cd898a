"""Mobile numbers: normalisation, shape, and allocation verdicts identical to phonenumbers."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign.rules import phone


@settings(max_examples=1000, deadline=None)
@given(st.integers(3, 9), st.integers(0, 999_999_999))
def test_allocation_verdict_is_phonenumbers(second: int, rest: int) -> None:
    number = f"1{second}{rest:09d}"
    try:
        expected = phonenumbers.is_valid_number(phonenumbers.parse(number, "CN"))
    except phonenumbers.NumberParseException:  # e.g. 179…: read as a dialling prefix, too short
        expected = False
    assert phone.is_valid(number) == expected


@pytest.mark.parametrize(
    ("raw", "compacted"),
    [
        ("+86 138 1234 5678", "13812345678"),
        ("0086-138-1234-5678", "13812345678"),
        ("８６１３８１２３４５６７８", "13812345678"),
        ("１３８（1234）5678", "13812345678"),
        ("138\u200b12345678", "13812345678"),
    ],
)
def test_normalisation(raw: str, compacted: str) -> None:
    verdict = phone.check_many([raw])
    assert verdict.compacted == [compacted]
    assert verdict.codes == [""]
    assert verdict.normalised == [True]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "phone_missing"),
        (None, "phone_missing"),
        ("1381234567", "phone_format"),
        ("12812345678", "phone_format"),
        ("138123456789", "phone_format"),
        ("abc", "phone_format"),
        ("14012345678", "phone_unallocated"),
        ("14912345678", "phone_unallocated"),
    ],
)
def test_errors(raw: object, code: str) -> None:
    assert phone.check_many([raw]).codes == [code]


def test_number_cell_is_normalised_not_rejected() -> None:
    verdict = phone.check_many([13812345678.0, 13812345678])
    assert verdict.codes == ["", ""]
    assert verdict.normalised == [True, True]
