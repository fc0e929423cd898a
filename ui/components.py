"""Small drawing helpers shared by the pages: number formats, metric rows, chart defaults."""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime

import pandas as pd
import streamlit as st

from campaign.numbers import pct

__all__ = ["pct", "num", "traffic_colour", "plotly", "responsive_table", "cards_html"]

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


# --- tables on phones ------------------------------------------------------------------
# Streamlit has no server-side viewport width, so a table is drawn twice and CSS picks: the
# data grid on wide screens, one card per row at phone widths (Streamlit's own 640 px
# breakpoint), where every field wraps in full and nothing is cut off.
PHONE_MAX_WIDTH = 640
MAX_CARDS = 200

_CARD_STYLE = """
.rcards {{ display: flex; flex-direction: column; gap: 0.5rem; }}
.rcard {{ border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem; padding: 0.5rem 0.75rem; }}
.rcard-title {{ font-weight: 600; margin: 0 0 0.25rem; overflow-wrap: anywhere; }}
.rcard dl {{ display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.6rem; margin: 0; }}
.rcard dt {{ opacity: 0.65; max-width: 8em; }}
.rcard dd {{ margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; min-width: 0; }}
@media (min-width: {wide}px) {{ .st-key-rnarrow_{key} {{ display: none !important; }} }}
@media (max-width: {narrow}px) {{ .st-key-rwide_{key} {{ display: none !important; }} }}
"""


def _label(column: str, config: object) -> str:
    if isinstance(config, str):
        return config
    if isinstance(config, dict) and config.get("label"):
        return str(config["label"])
    return str(column)


def _cell(value: object) -> str:
    """A cell as card text: times to the minute, whole numbers without decimals, '—' for none."""
    if value is None or (not isinstance(value, (str, list, tuple)) and bool(pd.isna(value))):  # type: ignore[call-overload]
        return "—"
    if isinstance(value, (pd.Timestamp, datetime)):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "✓" if value else "—"
    if isinstance(value, float):
        return f"{value:,.0f}" if math.isfinite(value) and value.is_integer() else f"{value:,.1f}"
    text = str(value)
    return text if text.strip() else "—"


def cards_html(
    frame: object,
    title: list[str],
    fields: list[str],
    column_config: dict[str, object] | None = None,
    phone_fields: tuple[str, ...] = (),
    max_cards: int = MAX_CARDS,
) -> str:
    """One card per row: the ``title`` columns as its heading, then label/value pairs of
    ``fields``; all text escaped, phones as tel: links, link columns as links."""
    config = column_config or {}
    labels = {c: _label(c, config.get(c)) for c in [*title, *fields]}
    parts = ['<div class="rcards">']
    for record in frame.head(max_cards).to_dict("records"):  # type: ignore[attr-defined]
        heading = " · ".join(html.escape(_cell(record.get(c))) for c in title)
        items = []
        for column in fields:
            value = _cell(record.get(column))
            cfg = config.get(column)
            type_config = cfg.get("type_config", {}) if isinstance(cfg, dict) else {}
            if type_config.get("type") == "link" and value != "—":
                shown = html.escape(str(type_config.get("display_text") or value))
                value_html = f'<a href="{html.escape(value, quote=True)}" target="_self">{shown}</a>'
            elif column in phone_fields and value != "—":
                digits = re.sub(r"[^0-9+]", "", value)
                value_html = f'<a href="tel:{digits}">{html.escape(value)}</a>'
            else:
                value_html = html.escape(value)
            items.append(f"<dt>{html.escape(labels[column])}</dt><dd>{value_html}</dd>")
        parts.append(f'<div class="rcard"><div class="rcard-title">{heading}</div><dl>{"".join(items)}</dl></div>')
    parts.append("</div>")
    return "".join(parts)


def responsive_table(
    frame: object,
    *,
    key: str,
    title: list[str],
    fields: list[str],
    column_config: dict[str, object] | None = None,
    phone_fields: tuple[str, ...] = (),
    more_text: str | None = None,
    max_cards: int = MAX_CARDS,
    **dataframe_options: object,
) -> object:
    """``st.dataframe`` on wide screens, cards on phones (CSS media queries choose; both are
    sent). ``title``/``fields`` name the columns a card shows, the task's columns first;
    returns what ``st.dataframe`` returns."""
    safe_key = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in key)
    style = f"<style>{_CARD_STYLE.format(key=safe_key, wide=PHONE_MAX_WIDTH + 1, narrow=PHONE_MAX_WIDTH)}</style>"
    with st.container(key=f"rwide_{safe_key}"):
        dataframe_options.setdefault("placeholder", "—")
        result = st.dataframe(frame, column_config=column_config, **dataframe_options)  # type: ignore[arg-type]
    with st.container(key=f"rnarrow_{safe_key}"):
        # The style travels with the cards (a style-only st.html would go to a separate
        # container that reruns can drop for a moment, showing both views).
        st.html(style + cards_html(frame, title, fields, column_config, phone_fields, max_cards))
        if len(frame) > max_cards and more_text:  # type: ignore[arg-type]
            st.caption(more_text)
    return result
