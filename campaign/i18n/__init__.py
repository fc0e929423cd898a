"""The one label catalogue: every user-facing text, Simplified Chinese first, English second.

Entries live in small modules by area (``ui``, ``findings``, ``reports``) and merge here;
``t(key, lang, **fields)`` is the only lookup. A missing key raises in tests, never silently.
"""

from __future__ import annotations

from campaign.i18n import findings as _findings
from campaign.i18n import reports as _reports
from campaign.i18n import ui as _ui

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

CATALOGUE: dict[str, tuple[str, str]] = {}
for _module in (_ui, _findings, _reports):
    for _key, _pair in _module.ENTRIES.items():
        if _key in CATALOGUE:
            raise RuntimeError(f"label {_key!r} defined twice")
        CATALOGUE[_key] = _pair


def t(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """Look up a label and fill its ``{fields}``.

    >>> t("app.title")
    '会员卡推进看板'
    >>> t("app.title", "en")
    'Member card campaign dashboard'
    """
    zh, en = CATALOGUE[key]
    text = en if lang == "en" else zh
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    """Whether the catalogue holds a key."""
    return key in CATALOGUE
