"""Charts and table settings of the bank, distribution and reports pages (readable at 390 px)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from campaign.stages import BANK_FAILURE_REASONS
from data_access.distribution import AGE_BUCKETS
from ui import components

T = Callable[..., str]


def reason_label(code: str, lang: str, t: T) -> str:
    """A bank failure reason in the page's language."""
    pair = BANK_FAILURE_REASONS.get(code)
    return pair[lang == "en"] if pair else t("bk.reason_unknown")


def short(text: str, limit: int = 10) -> str:
    """A label cut to fit a phone-width axis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def pareto(reasons: pd.DataFrame, lang: str, t: T) -> go.Figure:
    """Failures per reason as bars, most frequent first, with the cumulative share as a line."""
    labels = [reason_label(code, lang, t) for code in reasons["reason_code"]]
    ticks = [short(label, 8 if lang == "zh" else 14) for label in labels]
    fig = go.Figure()
    fig.add_bar(x=ticks, y=reasons["failed"], name=t("bk.pareto_count"), marker={"color": components.PALETTE[0]},
                text=reasons["failed"], textposition="inside", insidetextanchor="end", customdata=labels,
                hovertemplate="%{customdata}<br>%{y}<extra></extra>")
    fig.add_scatter(x=ticks, y=reasons["cumulative_share"] * 100, name=t("bk.pareto_cum"), yaxis="y2", mode="lines+markers",
                    line={"color": components.PALETTE[1]}, hovertemplate="%{y:.1f}%<extra></extra>")
    fig.update_layout(
        height=380, showlegend=True, legend={"orientation": "h", "y": -0.35, "x": 0},
        yaxis={"title": None, "rangemode": "tozero", "range": [0, float(reasons["failed"].max()) * 1.1]},
        yaxis2={"overlaying": "y", "side": "right", "range": [0, 110], "tickvals": [0, 25, 50, 75, 100], "ticktext": ["0%", "25%", "50%", "75%", "100%"], "showgrid": False},
        xaxis={"tickangle": -35, "automargin": True},
    )
    return fig


def loop_chart(loop: object, t: T) -> go.Figure:
    """The correction loop as horizontal bars from failed to produced."""
    steps = [
        (t("bk.loop_failed"), loop.failed),  # type: ignore[attr-defined]
        (t("bk.loop_corrected"), loop.corrected),  # type: ignore[attr-defined]
        (t("bk.loop_resubmitted"), loop.resubmitted),  # type: ignore[attr-defined]
        (t("bk.loop_recovered"), loop.recovered),  # type: ignore[attr-defined]
    ]
    fig = go.Figure(go.Bar(
        y=[s for s, _ in steps][::-1], x=[v for _, v in steps][::-1], orientation="h", text=[v for _, v in steps][::-1],
        textposition="auto", marker={"color": [components.PALETTE[2], components.PALETTE[3], components.PALETTE[1], components.PALETTE[0]]},
    ))
    fig.update_layout(height=260, yaxis={"automargin": True}, xaxis={"rangemode": "tozero"})
    return fig


def age_chart(buckets: pd.DataFrame, t: T, title_key: str = "dist.age_axis") -> go.Figure:
    """Cards (or failures) per waiting-age bucket; older buckets in warmer colours."""
    colours = [components.TRAFFIC_GREEN, components.TRAFFIC_GREEN, components.TRAFFIC_AMBER, components.TRAFFIC_RED, components.TRAFFIC_RED]
    fig = go.Figure(go.Bar(
        x=[t(f"dist.age.{key}") for key, _ in AGE_BUCKETS], y=buckets["cards"], text=buckets["cards"], textposition="auto",
        marker={"color": colours[: len(buckets)]},
    ))
    fig.update_layout(height=300, xaxis={"title": t(title_key)}, yaxis={"rangemode": "tozero"})
    return fig


def pipeline_chart(pipe: pd.DataFrame, t: T) -> go.Figure:
    """Cards at each step, produced first."""
    labels = [t(f"dc.{step}") for step in pipe["step"]]
    text = [f"{components.num(v)} ({components.pct(s, 0)})" if pd.notna(s) else components.num(v) for v, s in zip(pipe["cards"], pipe["share"], strict=True)]
    fig = go.Figure(go.Bar(
        y=labels[::-1], x=pipe["cards"][::-1], orientation="h", text=text[::-1], textposition="auto",
        marker={"color": components.PALETTE[1]},
    ))
    fig.update_layout(height=300, yaxis={"automargin": True}, xaxis={"rangemode": "tozero"})
    return fig


def pct_column(label: str) -> object:
    """A ratio column shown as a percentage."""
    return st.column_config.NumberColumn(label, format="percent")


def int_column(label: str) -> object:
    return st.column_config.NumberColumn(label, format="localized")


def days_column(label: str) -> object:
    return st.column_config.NumberColumn(label, format="%.1f")


def time_column(label: str) -> object:
    return st.column_config.DatetimeColumn(label, format="YYYY-MM-DD HH:mm")
