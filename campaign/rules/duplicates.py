"""Duplicates: the same ID or phone on several rows, sheets, uploads or units.

>>> repeated(["a", "b", "a", "", "a"])
{'a': [0, 2, 4]}
>>> others([3, 5, 9], 5)
'3, 9'
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
MAX_LISTED = 5


def repeated(keys: Sequence[K]) -> dict[K, list[int]]:
    """Each key seen more than once (empty keys ignored) with the positions it occurs at."""
    first: dict[K, int] = {}
    groups: dict[K, list[int]] = {}
    for i, key in enumerate(keys):
        if not key:
            continue
        j = first.setdefault(key, i)
        if j != i:
            group = groups.get(key)
            if group is None:
                groups[key] = [j, i]
            else:
                group.append(i)
    return groups


def others(rows: Sequence[int], this: int) -> str:
    """The other rows of a group, as a short comma list ("3, 9, … 等12处" beyond five)."""
    rest = [str(r) for r in rows if r != this]
    if len(rest) > MAX_LISTED:
        return ", ".join(rest[:MAX_LISTED]) + f" … (+{len(rest) - MAX_LISTED})"
    return ", ".join(rest)


def lookup(known: Mapping[str, str] | None, *keys: str) -> str | None:
    """Where another copy is, trying each key (id_hash, id_number) in turn."""
    if not known:
        return None
    for key in keys:
        where = known.get(key)
        if where is not None:
            return where
    return None
