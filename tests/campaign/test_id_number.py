"""ID number rules, checked against python-stdnum on generated valid and corrupted numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from campaign.rules import id_number
from tests.campaign.conftest import make_id

AS_OF = date(2025, 1, 1)
PROVINCES = sorted(id_number.PROVINCES)


def stdnum_structure_ok(number: str) -> bool:
    """stdnum as the reference for length, characters, check character and birth date only."""
    try:
        compact = ric.compact(number)
        if len(compact) != 18 or not compact[:-1].isdigit() or not compact.isascii():
            return False
        if compact[-1] not in "0123456789X":
            return False
        if compact[-1] != ric.calc_check_digit(compact):
            return False
        ric.get_birth_date(compact)
    except ValidationError:
        return False
    return True


births = st.dates(min_value=date(1900, 1, 1), max_value=AS_OF - timedelta(days=366 * 17))
valid_ids = st.builds(
    lambda p, rest, born, seq: make_id(f"{p:02d}{rest:04d}", born.strftime("%Y%m%d"), f"{seq:03d}"),
    st.sampled_from(PROVINCES),
    st.integers(0, 9999),
    births,
    st.integers(0, 999),
)


@settings(max_examples=300, deadline=None)
@given(valid_ids)
def test_generated_valid_numbers_pass_like_stdnum(number: str) -> None:
    assert stdnum_structure_ok(number)
    assert id_number.error_code(number, AS_OF) is None


corruptions = st.sampled_from(["digit", "swap", "drop", "add", "char", "date"])


@settings(max_examples=500, deadline=None)
@given(valid_ids, corruptions, st.integers(0, 17), st.integers(0, 9))
def test_corrupted_numbers_agree_with_stdnum(number: str, how: str, pos: int, digit: int) -> None:
    chars = list(number)
    if how == "digit":
        chars[pos] = str(digit)
    elif how == "swap" and pos < 17:
        chars[pos], chars[pos + 1] = chars[pos + 1], chars[pos]
    elif how == "drop":
        del chars[pos]
    elif how == "add":
        chars.insert(pos, str(digit))
    elif how == "char":
        chars[pos] = "A"
    elif how == "date":
        chars[10:14] = list(f"{digit + 10:02d}{pos + 20:02d}")
    corrupted = "".join(chars)
    reference = stdnum_structure_ok(corrupted)
    codes = set(id_number.check_many([corrupted], AS_OF).codes[0])
    structural = {
        "id_length",
        "id_chars",
        "id_check_digit",
        "id_birth_date",
        "id_15_digit",
    }
    if reference:  # only our own extra rules may reject what stdnum's structure accepts
        assert codes <= {"id_too_young", "id_region"}
    else:
        assert codes & structural


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(valid_ids, st.text(alphabet="0123456789Xx ", max_size=20)),
        max_size=30,
    )
)
def test_vectorised_check_matches_one_by_one(values: list[str]) -> None:
    many = id_number.check_many(values, AS_OF)
    for value, codes in zip(values, many.codes, strict=True):
        single = id_number.check_many([value], AS_OF).codes[0]
        assert codes == single


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_missing"),
        (None, "id_missing"),
        ("1101051980010112", "id_length"),
        ("11010519800101123A", "id_chars"),
        ("99010519800101123X", "id_region"),
        ("11010518991231123X", "id_birth_date"),
        ("11010520150101123X", "id_birth_date"),
        ("11010519800230123X", "id_birth_date"),
        ("110105800101123", "id_15_digit"),
        (1.10105198001011e17, "id_excel_number"),
        (110105198001011230, "id_excel_number"),
        ("1.10105E+17", "id_excel_number"),
        ("1.10105198001011E+17", "id_excel_number"),
    ],
)
def test_each_error_code(value: object, code: str) -> None:
    assert code in id_number.check_many([value], date(2014, 10, 1)).codes[0]


def test_excel_mangled_number_never_passes_even_when_digits_check() -> None:
    # Find a float whose 18 printed digits happen to carry a right check character.
    for n in range(110105198001010000, 110105198001010000 + 16 * 20000, 16):
        as_float = float(n)
        digits = str(int(as_float))
        if digits[-1] == id_number.calc_check_digit(digits[:17]):
            break
    else:  # pragma: no cover - the range is fixed and holds such floats
        pytest.fail("no float in the range has 18 digits that check")
    assert id_number.check_many([as_float], AS_OF).codes[0] == ["id_excel_number"]
    assert id_number.check_many([digits], AS_OF).codes[0] == []


def test_too_young_and_birth_details() -> None:
    young = make_id("110105", "20000601", "124")
    verdict = id_number.check_many([young], date(2014, 10, 1))
    assert verdict.codes[0] == ["id_too_young"]
    assert verdict.sex[0] == "F" and int(verdict.age[0]) == 14


def test_normalisation_is_reported() -> None:
    number = make_id("110105", "19800101", "123")
    spaced = " " + number[:6] + "\u3000" + number[6:].replace("X", "x") + "\u200b"
    verdict = id_number.check_many([spaced, number], AS_OF)
    assert verdict.codes == [[], []]
    assert verdict.normalised.tolist() == [True, False]
    assert verdict.compacted[0] == number
    fullwidth = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert id_number.compact(fullwidth) == number


def test_county_unknown_is_warning_not_error() -> None:
    # 370202 was created after many holders' births: stdnum rejects, we accept.
    number = make_id("370202", "19750505", "111")
    assert not ric.is_valid(number)
    verdict = id_number.check_many([number, make_id("110199", "19750505", "111")], AS_OF)
    assert verdict.codes == [[], []]
    assert verdict.county_unknown.tolist() == [False, True]


def test_to_18_and_hash() -> None:
    assert id_number.to_18("110105800101123") == "110105198001011234"[:17] + id_number.calc_check_digit(
        "11010519800101123"
    )
    assert len(id_number.id_hash("11010519491231002x")) == 64
