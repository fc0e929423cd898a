"""Small drawing helpers shared by the pages: number formats, metric rows, chart defaults."""

from __future__ import annotations

import streamlit as st

from campaign.numbers import pct

__all__ = ["pct", "num", "traffic_colour", "plotly"]

CHART_CONFIG = {"displaylogo": False, "responsive": True}
TRAFFIC_GREEN = "#2e7d32"
TRAFFIC_AMBER = "#f9a825"
TRAFFIC_RED = "#c62828"
PALETTE = ["#c0392b", "#2e86de", "#27ae60", "#f39c12", "#8e44ad", "#16a085", "#7f8c8d"]


def num(value: int | float | None) -> str:
    """A count with thousands separators.

    >>> num(40123)
    '40,123'
    """
    if value is None:
        return "—"
    return f"{value:,.0f}"


def traffic_colour(value: float | None, green: float = 0.9, amber: float = 0.7) -> str:
    """Green at or above ``green``, amber at or above ``amber``, else red."""
    if value is None:
        return TRAFFIC_RED
    if value >= green:
        return TRAFFIC_GREEN
    if value >= amber:
        return TRAFFIC_AMBER
    return TRAFFIC_RED


def plotly(fig: object, key: str | None = None) -> None:
    """Draw a plotly figure full width, compact margins, no logo."""
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, font={"family": "Noto Sans CJK SC, sans-serif"})  # type: ignore[attr-defined]
    st.plotly_chart(fig, width="stretch", config=CHART_CONFIG, key=key)


def change_delta(text: str, day_change: float | None, good_when_up: bool = True) -> dict[str, str]:
    """``st.metric`` arguments for a change line: the arrow follows the sign of the change
    since yesterday (↓ for −3, none for 0) and the colour whether that change is good (fewer
    open errors is green), whatever words the line starts with."""
    if day_change is None or abs(day_change) < 1e-12:
        return {"delta": text, "delta_color": "gray", "delta_arrow": "off"}
    up = day_change > 0
    good = up == good_when_up
    return {"delta": text, "delta_color": "green" if good else "red", "delta_arrow": "up" if up else "down"}
