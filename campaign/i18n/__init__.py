"""The one label catalogue: every user-facing text, Simplified Chinese first, English second.

Entries live in small modules by area (every module of this package with an ``ENTRIES``
dict: ``ui``, ``findings``, ``reports``, one per page ...) and merge here;
``t(key, lang, **fields)`` is the only lookup. A key defined twice is an error at import.
"""

from __future__ import annotations

import importlib
import pkgutil

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"

CATALOGUE: dict[str, tuple[str, str]] = {}
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _key, _pair in getattr(_module, "ENTRIES", {}).items():
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
