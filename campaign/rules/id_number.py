"""Resident ID numbers (公民身份号码, GB 11643-1999): normalisation, structure, check character.

In the style of python-stdnum: ``compact`` / ``validate`` / ``is_valid`` for one number, plus
``check_many`` that judges a whole column at once with numpy (the sheet validator uses it).
``validate`` raises ``InvalidIdNumber`` carrying the stable finding code. ``id_hash`` is
keyed (HMAC-SHA256): the key is set once per process by ``data_access.id_key`` (from the
environment, ``.streamlit/secrets.toml`` or a generated key file), never kept in the repository.

>>> validate("11010519491231002X")
'11010519491231002X'
>>> validate(" 110105 19491231002x ")
'11010519491231002X'
>>> error_code("110105194912310021")
'id_check_digit'
>>> is_valid("1.10105194912E+17")
False
>>> to_18("110105491231002")
'11010519491231002X'
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import numpy as np

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
MIN_BIRTH_YEAR = 1900
MIN_AGE = 16
PROVINCES = frozenset(
    (11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37)
    + (41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82)
)
# Zero-width and byte-order characters that str.strip() keeps.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_CLEAN_RE = re.compile(r"[0-9]{17}[0-9X]")
_SCIENTIFIC_RE = re.compile(r"[0-9](?:\.[0-9]*)?[eE][+]?[0-9]+")
_WEIGHTS_ARR = np.array(WEIGHTS, dtype=np.int64)
_CHECK_BYTES = np.frombuffer(CHECK_CHARS.encode(), dtype=np.uint8)
_PROVINCE_TABLE = np.zeros(100, dtype=bool)
_PROVINCE_TABLE[list(PROVINCES)] = True
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


_NO_CODES: list[str] = []


class InvalidIdNumber(ValueError):
    """An ID number that breaks a rule; ``code`` is the finding code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def calc_check_digit(first17: str) -> str:
    """The check character for the first 17 digits of an ID number.

    >>> calc_check_digit("11010519491231002")
    'X'
    >>> calc_check_digit("44052418800101001")
    '4'
    """
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def compact(number: str) -> str:
    """Drop invisible characters and whitespace, fold full-width forms (NFKC), upper-case x.

    >>> compact("１１０１０５ １９４９１２３１００２ｘ\\u200b")
    '11010519491231002X'
    """
    text = unicodedata.normalize("NFKC", number.translate(INVISIBLE))
    return "".join(text.split()).upper()


def is_excel_number(value: object) -> bool:
    """Whether a cell shows that Excel turned the ID into a number (digits lost).

    A numeric cell of 16+ digits cannot hold an 18-digit ID exactly; text in scientific
    notation is what such a cell looks like once copied or saved as CSV.

    >>> is_excel_number(1.10105194912312e17), is_excel_number("1.10105E+17")
    (True, True)
    >>> is_excel_number("11010519491231002X"), is_excel_number(110105491231002)
    (False, False)
    """
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        return not value.is_integer() or abs(value) >= 1e15
    if isinstance(value, int):
        return abs(value) >= 10**15
    if isinstance(value, str):
        return _SCIENTIFIC_RE.fullmatch(compact(value)) is not None
    return False


def get_birth_date(number: str) -> date:
    """The birth date encoded in a (compacted, 18-character) number."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("id_birth_date") from None


def get_sex(number: str) -> str:
    """'M' for an odd sequence number, 'F' for an even one.

    >>> get_sex("11010519491231002X")
    'F'
    """
    return "M" if int(number[16]) % 2 else "F"


def to_18(number: str) -> str:
    """The 18-digit form of a 15-digit first-generation number (born 19xx).

    >>> to_18("440524800101001")
    '440524198001010013'
    """
    number = compact(number)
    if len(number) != 15 or not number.isascii() or not number.isdigit():
        raise InvalidIdNumber("id_15_digit")
    first17 = number[:6] + "19" + number[6:]
    return first17 + calc_check_digit(first17)


class MissingIdHashKey(RuntimeError):
    """``id_hash`` was called before a key was set (see ``set_id_hash_key``)."""


_id_hash_key: bytes | None = None
MIN_KEY_BYTES = 16


def set_id_hash_key(key: bytes) -> None:
    """Set the process-wide key of ``id_hash`` (at least 16 bytes)."""
    global _id_hash_key
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the ID hash key needs at least {MIN_KEY_BYTES} bytes")
    _id_hash_key = bytes(key)


def has_id_hash_key() -> bool:
    """Whether ``set_id_hash_key`` has been called in this process."""
    return _id_hash_key is not None


def id_hash(number: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 hex of the normalised 18-character number (how the database keys a person).

    Keyed, so a leaked database cannot be matched against a list of ID numbers (the whole ID
    space is small enough to hash in full). ``key`` defaults to the process-wide key.

    >>> k = b"doctest-key-not-a-real-one"
    >>> id_hash("11010519491231002x", k) == id_hash("11010519491231002X", k)
    True
    >>> id_hash("11010519491231002X", k) == id_hash("11010519491231002X", k + b"2")
    False
    """
    key = key if key is not None else _id_hash_key
    if key is None:
        raise MissingIdHashKey("ID hash key not set: call campaign.rules.id_number.set_id_hash_key first")
    return hmac.new(key, compact(number).encode("ascii"), hashlib.sha256).hexdigest()


@cache
def register_entries() -> tuple[tuple[str, str], ...]:
    """(6-digit county code, its register line) for every county python-stdnum lists."""
    import stdnum

    entries: list[tuple[str, str]] = []
    province = ""
    path = Path(stdnum.__file__).parent / "cn" / "loc.dat"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        if line[0] != " ":
            province = line.split()[0]
        else:
            entries.append((province + line.split()[0], line))
    return tuple(entries)


@cache
def known_counties() -> frozenset[str]:
    """Every 6-digit region code that python-stdnum's register lists, in any era."""
    return frozenset(code for code, _ in register_entries())


def validate(number: str, as_of: date | None = None) -> str:
    """Check one number; return it compacted or raise ``InvalidIdNumber(code)``.

    Judges length, characters, province, birth date (1900 .. as_of), check character and
    age 16+ on ``as_of`` (when given). The county code is not judged (a warning at most).
    """
    if is_excel_number(number):
        raise InvalidIdNumber("id_excel_number")
    verdict = check_many([number], as_of or date.max.replace(year=9999))
    if verdict.codes[0]:
        raise InvalidIdNumber(verdict.codes[0][0])
    return verdict.compacted[0]


def error_code(number: str, as_of: date | None = None) -> str | None:
    """The first rule a number breaks, or None when it is valid."""
    try:
        validate(number, as_of)
    except InvalidIdNumber as error:
        return error.code
    return None


def is_valid(number: str, as_of: date | None = None) -> bool:
    """Whether ``validate`` accepts the number."""
    try:
        return bool(validate(number, as_of))
    except InvalidIdNumber:
        return False


@dataclass(slots=True)
class IdVerdicts:
    """The verdicts on a column of ID numbers, index-aligned with the input.

    ``codes[i]`` lists the error codes of value i (empty: valid); ``normalised[i]`` is true
    when compacting changed the text; ``birth``/``sex`` are set where the birth date is real.
    """

    compacted: list[str]
    codes: list[list[str]]
    normalised: np.ndarray
    county_unknown: np.ndarray
    birth: np.ndarray
    sex: np.ndarray
    expected_check: dict[int, str]
    age: np.ndarray


def check_many(values: Sequence[object], as_of: date) -> IdVerdicts:
    """Judge many ID cells at once (vectorised over the 18-character ones).

    ``values`` are raw cell values: text, or numbers when Excel stored them so.

    >>> v = check_many(["11010519491231002X", "110105194912310021", "", 1.1e17], date(2025, 1, 1))
    >>> v.codes
    [[], ['id_check_digit'], ['id_missing'], ['id_excel_number']]
    """
    n = len(values)
    compacted: list[str] = [""] * n
    codes: list[list[str]] = [_NO_CODES] * n  # shared empty list, replaced on first code

    def add(i: int, code: str) -> None:
        if codes[i] is _NO_CODES:
            codes[i] = [code]
        else:
            codes[i].append(code)

    normalised = np.zeros(n, dtype=bool)
    clean_match = _CLEAN_RE.fullmatch
    for i, value in enumerate(values):
        if type(value) is str and clean_match(value):
            compacted[i] = value
            continue
        if value is None or value == "":
            add(i, "id_missing")
            continue
        if not isinstance(value, str) or is_excel_number(value):
            if is_excel_number(value):
                add(i, "id_excel_number")
                continue
            value = str(int(value)) if isinstance(value, (int, float)) else str(value)
        text = compact(value)
        compacted[i] = text
        if text != value:
            normalised[i] = True
        if not text:
            add(i, "id_missing")
    lens = np.fromiter((len(s) for s in compacted), dtype=np.int64, count=n)
    has_code = np.fromiter((bool(c) for c in codes), dtype=bool, count=n)
    county_unknown = np.zeros(n, dtype=bool)
    birth = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    sex = np.full(n, "", dtype="<U1")
    age = np.full(n, -1, dtype=np.int64)
    expected: dict[int, str] = {}

    for i in np.flatnonzero((lens == 15) & ~has_code):
        text = compacted[i]
        add(i, "id_15_digit" if text.isascii() and text.isdigit() else "id_chars")
    for i in np.flatnonzero((lens != 15) & (lens != 18) & (lens > 0) & ~has_code):
        add(i, "id_length")

    idx = np.flatnonzero((lens == 18) & ~has_code)
    if idx.size:
        joined = "".join([compacted[i] for i in idx]).encode("ascii", "replace")
        raw = np.frombuffer(joined, dtype=np.uint8).reshape(idx.size, 18)
        digits = raw.astype(np.int64) - 48
        body_ok = ((digits[:, :17] >= 0) & (digits[:, :17] <= 9)).all(axis=1)
        last = raw[:, 17]
        last_ok = ((last >= 48) & (last <= 57)) | (last == 88)
        chars_ok = body_ok & last_ok
        d = np.where(chars_ok[:, None], digits, 0)
        province = d[:, 0] * 10 + d[:, 1]
        region_ok = _PROVINCE_TABLE[province]
        year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
        month = d[:, 10] * 10 + d[:, 11]
        day = d[:, 12] * 10 + d[:, 13]
        month_ok = (month >= 1) & (month <= 12)
        leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
        dim = _DAYS_IN_MONTH[np.where(month_ok, month, 0)] + ((month == 2) & leap)
        real = month_ok & (day >= 1) & (day <= dim)
        born = (
            (np.where(real, year, 1970) - 1970).astype("datetime64[Y]").astype("datetime64[M]")
            + (np.where(real, month, 1) - 1).astype("timedelta64[M]")
        ).astype("datetime64[D]") + (np.where(real, day, 1) - 1).astype("timedelta64[D]")
        as_of64 = np.datetime64(as_of, "D")
        date_ok = real & (year >= MIN_BIRTH_YEAR) & (born <= as_of64)
        before = (month > as_of.month) | ((month == as_of.month) & (day > as_of.day))
        years = as_of.year - year - before
        expected_byte = _CHECK_BYTES[(d[:, :17] @ _WEIGHTS_ARR) % 11]
        check_ok = expected_byte == last
        young = date_ok & (years < MIN_AGE)

        bad = ~chars_ok | ~region_ok | ~date_ok | ~check_ok | young
        for j in np.flatnonzero(bad):
            i = idx[j]
            if not chars_ok[j]:
                add(i, "id_chars")
                continue
            if not region_ok[j]:
                add(i, "id_region")
            if not date_ok[j]:
                add(i, "id_birth_date")
            if not check_ok[j]:
                add(i, "id_check_digit")
                expected[int(i)] = chr(expected_byte[j])
            if young[j]:
                add(i, "id_too_young")
        ok_date = chars_ok & date_ok
        birth[idx[ok_date]] = born[ok_date]
        age[idx[ok_date]] = years[ok_date]
        seq_odd = (d[:, 16] % 2) == 1
        sex[idx[chars_ok]] = np.where(seq_odd[chars_ok], "M", "F")
        counties = known_counties()
        for j in np.flatnonzero(chars_ok & region_ok):
            i = idx[j]
            if compacted[i][:6] not in counties:
                county_unknown[i] = True
    return IdVerdicts(compacted, codes, normalised, county_unknown, birth, sex, expected, age)
