"""Chinese mobile numbers: normalisation (+86, spaces, dashes, full-width) and allocated ranges.

The shape ``1[3-9]`` + 9 digits is checked for a whole column at once; whether the range is
allocated comes from python-phonenumbers, asked once per distinct 5-digit prefix (its CN
metadata decides mobile ranges on at most five digits, e.g. 1740x and 1610x), so verdicts are
phonenumbers' own at the cost of a dictionary lookup per number.

>>> compact(" +86 138-1234 5678 ")
'13812345678'
>>> validate("13812345678")
'13812345678'
>>> error_code("14012345678")
'phone_unallocated'
>>> error_code("12345")
'phone_format'
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import phonenumbers

from campaign.rules.id_number import INVISIBLE

PREFIX_DIGITS = 5
_SHAPE_RE = re.compile(r"1[3-9][0-9]{9}")
_SEPARATORS = dict.fromkeys(map(ord, " -()（）.．\t\u3000—–"), None)
_PREFIX_VERDICT: dict[str, bool] = {}


class InvalidPhone(ValueError):
    """A mobile number that breaks a rule; ``code`` is the finding code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def compact(number: str) -> str:
    """Drop separators, invisible characters, full-width forms and a +86 / 0086 prefix.

    >>> compact("００８６ １３９ ００００ ００００")
    '13900000000'
    """
    text = unicodedata.normalize("NFKC", number.translate(INVISIBLE)).translate(_SEPARATORS)
    text = "".join(text.split())
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif len(text) == 13 and text.startswith("86"):
        text = text[2:]
    return text


def prefix_allocated(prefix: str) -> bool:
    """Whether phonenumbers counts numbers of this 5-digit prefix as valid (cached)."""
    verdict = _PREFIX_VERDICT.get(prefix)
    if verdict is None:
        parsed = phonenumbers.parse(prefix + "0" * (11 - len(prefix)), "CN")
        verdict = _PREFIX_VERDICT[prefix] = phonenumbers.is_valid_number(parsed)
    return verdict


def validate(number: str) -> str:
    """Check one number; return it compacted or raise ``InvalidPhone(code)``."""
    verdict = check_many([number])
    if verdict.codes[0]:
        raise InvalidPhone(verdict.codes[0])
    return verdict.compacted[0]


def error_code(number: str) -> str | None:
    """The rule a number breaks, or None."""
    try:
        validate(number)
    except InvalidPhone as error:
        return error.code
    return None


def is_valid(number: str) -> bool:
    """Whether ``validate`` accepts the number."""
    return error_code(number) is None


@dataclass(slots=True)
class PhoneVerdicts:
    """Per value: the compacted number, its error code ('' when valid), whether it changed."""

    compacted: list[str]
    codes: list[str]
    normalised: list[bool]


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_many(values: Sequence[object]) -> PhoneVerdicts:
    """Judge a column of phone cells (text, or numbers when Excel stored them so).

    >>> check_many(["13812345678", "138 1234 5678", 13812345678.0, "", "14012345678"]).codes
    ['', '', '', 'phone_missing', 'phone_unallocated']
    """
    n = len(values)
    compacted = [""] * n
    codes = [""] * n
    normalised = [False] * n
    shape = _SHAPE_RE.fullmatch
    prefixes: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        if value is None or value == "":
            codes[i] = "phone_missing"
            continue
        if type(value) is str and shape(value):
            text = value
        else:
            raw = _as_text(value)
            text = compact(raw)
            normalised[i] = text != raw or not isinstance(value, str)
            if not text:
                codes[i] = "phone_missing"
                continue
            if not shape(text):
                compacted[i] = text
                codes[i] = "phone_format"
                continue
        compacted[i] = text
        prefixes.setdefault(text[:PREFIX_DIGITS], []).append(i)
    for prefix, rows in prefixes.items():
        if not prefix_allocated(prefix):
            for i in rows:
                codes[i] = "phone_unallocated"
    return PhoneVerdicts(compacted, codes, normalised)
