"""Names: CJK and the middle dot; digits, inner spaces and other characters are errors."""

from __future__ import annotations

import pytest

from campaign.rules import name


@pytest.mark.parametrize(
    ("raw", "code", "normalised"),
    [
        ("张三", "", False),
        ("阿依古丽·买买提", "", False),
        ("阿依古丽・买买提", "", True),
        ("阿依古丽•买买提", "", True),
        (" 王五\u200b", "", True),
        ("ｚｈａｎｇ", "name_chars", True),
        ("张3", "name_digits", False),
        ("张 三", "name_spaces", False),
        ("Tom", "name_chars", False),
        ("", "name_missing", False),
        ("   ", "name_missing", False),
        (None, "name_missing", False),
        ("·张三", "name_chars", False),
    ],
)
def test_names(raw: object, code: str, normalised: bool) -> None:
    verdict = name.check_many([raw])
    assert verdict.codes == [code]
    assert verdict.normalised == [normalised]
