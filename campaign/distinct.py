"""Texts for many rows at once, each written once per distinct value (a city's chase sheet has
38,000 rows but a few dozen deadlines, statuses and areas): the row-wise text functions stay
the one definition, and the rows only look their text up.

>>> per_value(pd.Series(["a", None, "b", "a"]), lambda v: f"<{v}>")
['<a>', '<nan>', '<b>', '<a>']
>>> per_key([("a", 1), ("b", 2), ("a", 1)], lambda v, n: v * n)
['a', 'bb', 'a']
>>> per_combination([pd.Series(["a", "b", "a"]), pd.Series([1, 2, 1])], lambda v, n: v * n)
['a', 'bb', 'a']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")


def per_value(column: pd.Series, text: Callable[[Any], T]) -> list[T]:
    """``[text(v) for v in column.tolist()]``, with ``text`` called once per distinct value.

    Nulls get the text of the column's first null, so a column must not mix null kinds (None
    beside NaN) when ``text`` tells them apart: a typed column (str, datetime, float) has one.
    """
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    table = [text(value) for value in uniques]
    nulls = codes < 0
    if nulls.any():
        table.append(text(column[nulls].iloc[0]))  # code -1 reads the last entry
    return [table[code] for code in codes.tolist()]


def per_combination(columns: Sequence[pd.Series], text: Callable[..., T]) -> list[T]:
    """``[text(*row) for row in zip(*columns)]``, with ``text`` called once per distinct
    combination of the columns' values (on the first row that has it; nulls as in
    ``per_value``). Values must be hashable (tuples, not lists)."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        combined, _ = pd.factorize(combined * (len(uniques) + 1) + (codes + 1))  # stays below rows²
    _, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    rows = [column.iloc[first].tolist() for column in columns]
    table = [text(*values) for values in zip(*rows, strict=True)]
    return [table[code] for code in inverse.tolist()]


def per_key(keys: Iterable[tuple[Any, ...]], text: Callable[..., T]) -> list[T]:
    """``[text(*key) for key in keys]``, with ``text`` called once per distinct key (keys are
    tuples of hashable values; give nulls as None where NaN would be a new key each time)."""
    cache: dict[tuple[Any, ...], T] = {}
    out = []
    for key in keys:
        if key in cache:
            found = cache[key]
        else:
            found = cache[key] = text(*key)
        out.append(found)
    return out


def per_value_of(values: Iterable[Any], text: Callable[[Any], T]) -> list[T]:
    """``[text(v) for v in values]``, with ``text`` called once per distinct hashable value
    (give nulls as None, as for ``per_key``)."""
    cache: dict[Any, T] = {}
    out = []
    for value in values:
        if value in cache:
            found = cache[value]
        else:
            found = cache[value] = text(value)
        out.append(found)
    return out


def nulls_as_none(column: pd.Series) -> list[Any]:
    """The column's values, every null (NaN, NaT, None) as None: keys for ``per_key``."""
    return column.astype(object).where(column.notna(), None).tolist()
