"""Personal names as on the ID card: CJK characters and the middle dot (·) of minority names.

>>> validate(" 张三 ")
'张三'
>>> validate("阿依古丽・买买提")
'阿依古丽·买买提'
>>> error_code("张 三"), error_code("张3"), error_code("Tom"), error_code("")
('name_spaces', 'name_digits', 'name_chars', 'name_missing')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from campaign.rules.id_number import INVISIBLE

MIDDLE_DOT = "\u00b7"
# Dots people type instead of U+00B7 (katakana middle dot, bullet, hyphenation point, ...).
_DOT_VARIANTS = dict.fromkeys(map(ord, "\u30fb\uff65\u2022\u2027\u2219\u22c5\u0387\u16eb"), MIDDLE_DOT)
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CLEAN_RE = re.compile(rf"[{_CJK}]+(?:·[{_CJK}]+)*")
_BAD_CHAR_RE = re.compile(rf"[^{_CJK}·\s0-9]")
_DIGIT_RE = re.compile(r"[0-9]")


class InvalidName(ValueError):
    """A name that breaks a rule; ``code`` is the finding code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def compact(name: str) -> str:
    """Drop invisible characters and surrounding spaces, fold full-width forms and dot variants.

    >>> compact("\\u3000王\\u200b小明 ")
    '王小明'
    """
    text = unicodedata.normalize("NFKC", name.translate(INVISIBLE)).translate(_DOT_VARIANTS)
    return text.strip()


def judge(compacted: str) -> tuple[str, str]:
    """The error code of a compacted name ('' when valid) and the offending characters."""
    if not compacted:
        return "name_missing", ""
    if _CLEAN_RE.fullmatch(compacted):
        return "", ""
    if _DIGIT_RE.search(compacted):
        return "name_digits", ""
    bad = "".join(dict.fromkeys(_BAD_CHAR_RE.findall(compacted)))
    if bad:
        return "name_chars", bad
    if any(c.isspace() for c in compacted):
        return "name_spaces", ""
    return "name_chars", MIDDLE_DOT


def validate(name: str) -> str:
    """Check one name; return it compacted or raise ``InvalidName(code)``."""
    text = compact(name)
    code, _ = judge(text)
    if code:
        raise InvalidName(code)
    return text


def error_code(name: str) -> str | None:
    """The rule a name breaks, or None."""
    try:
        validate(name)
    except InvalidName as error:
        return error.code
    return None


@dataclass(slots=True)
class NameVerdicts:
    """Per value: compacted name, error code ('' if valid), offending chars, whether it changed."""

    compacted: list[str]
    codes: list[str]
    bad_chars: list[str]
    normalised: list[bool]


def check_many(values: Sequence[object]) -> NameVerdicts:
    """Judge a column of name cells.

    >>> check_many(["李四", "李 四", None]).codes
    ['', 'name_spaces', 'name_missing']
    """
    n = len(values)
    compacted = [""] * n
    codes = [""] * n
    bad_chars = [""] * n
    normalised = [False] * n
    clean = _CLEAN_RE.fullmatch
    for i, value in enumerate(values):
        if type(value) is str and clean(value):
            compacted[i] = value
            continue
        if value is None:
            codes[i] = "name_missing"
            continue
        raw = value if isinstance(value, str) else str(value)
        text = compact(raw)
        compacted[i] = text
        normalised[i] = bool(text) and text != raw
        codes[i], bad_chars[i] = judge(text)
    return NameVerdicts(compacted, codes, bad_chars, normalised)
