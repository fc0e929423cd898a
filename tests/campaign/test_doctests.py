"""The doctests of the rules modules (and the other campaign modules that carry examples)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "campaign.rules.id_number",
    "campaign.rules.phone",
    "campaign.rules.name",
    "campaign.rules.eligibility",
    "campaign.rules.duplicates",
    "campaign.findings",
    "campaign.sheets.header",
    "campaign.sheets.formats.csv_text",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
