"""How figures read to people: percentages and counts, with a dash where there is none."""

from __future__ import annotations

import math


def pct(value: float | None, digits: int = 1) -> str:
    """A ratio as a percentage, or a dash when undefined (None or NaN).

    >>> pct(0.9312)
    '93.1%'
    >>> pct(None)
    '—'
    >>> pct(float("nan"))
    '—'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{digits}f}%"
