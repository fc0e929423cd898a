"""The figures a leader acts on, drawn the same way on the overview and the submissions page:
the on-time rate with its formula and the units not yet due, every milestone's countdown and
pace, at-risk units by state, and the overview of one unit (no queries but the cached loaders)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from campaign.countdown import countdown
from campaign.stages import MILESTONES, STAGES
from campaign.timeutil import format_local, utc_to_local
from data_access import metrics
from data_access.db import read_session
from data_access.scope import Scope
from ui import components
from ui.frame import unit_link
from ui.loaders import TTL, engine
from ui.safe_text import plot_label

Translate = Callable[..., str]

# What a done milestone is called for one unit (a unit that has submitted is "已报送", not
# "已超期 12 天").
UNIT_DONE_KEYS = {"unit_submission": "cd.submitted", "district_review": "cd.approved"}


@st.cache_data(ttl=TTL, show_spinner=False)
def milestone_inputs(scope: Scope, campaign_id: int, cutoff: datetime, window_days: int = 7) -> tuple[metrics.MilestoneDeadlines, dict[str, int]]:
    """The units' deadlines per milestone and the member counts of the milestones (scoped)."""
    start = cutoff - pd.Timedelta(days=window_days)
    with read_session(engine()) as session:
        dues = metrics.milestone_deadlines(session, scope, campaign_id, cutoff)
        members = metrics.member_milestone_counts(session, scope, campaign_id, cutoff, start)
    return dues, members


def milestones(units: pd.DataFrame, scope: Scope, campaign_id: int, cutoff: datetime, window_days: int = 7) -> list[metrics.MilestoneProgress]:
    """Every milestone in the scope at the cut-off (from the cached unit progress)."""
    dues, members = milestone_inputs(scope, campaign_id, cutoff, window_days)
    return metrics.milestone_progress_of(units, dues, members, cutoff, window_days, MILESTONES)


def on_time_metric(container: object, head: metrics.Headline, t: Translate, **delta: str) -> None:
    """The on-time rate (DHIS2's definition) with its formula as help and the units not yet
    due beside it."""
    value = components.pct(head.on_time_rate) if head.units_due else "—"
    container.metric(t("metric.on_time_rate"), value, help=t("ontime.help"), **delta)  # type: ignore[attr-defined]
    if not head.units_due:
        note = t("ontime.none_due")
    else:
        fraction = t("ontime.value", on_time=head.units_on_time, due=head.units_due)
        note = fraction + t("ontime.not_due" if head.units_not_due else "ontime.all_due", n=head.units_not_due)
    container.caption(note)  # type: ignore[attr-defined]


def risk_split_text(split: dict[str, int], t: Translate) -> str:
    """At-risk units by state, in one line ("未上传 2、已上传有错误 1、…")."""
    return "、".join(t("risk.split_item", status=t(f"progress.status.{s}"), n=n) for s, n in split.items())


def _colour(p: metrics.MilestoneProgress, cutoff: datetime) -> str:
    if p.complete:
        return "green"
    if p.due_at is None:
        return "gray"
    if p.due_at < cutoff:
        return "red"
    return "orange" if (p.due_at - cutoff).total_seconds() < metrics.AT_RISK_DAYS * 86400 else "blue"


def milestone_card(p: metrics.MilestoneProgress, cutoff: datetime, t: Translate, lang: str) -> None:
    """One milestone: its deadline and countdown, how much is done, and where the pace leads."""
    badge = countdown(p.due_at, cutoff, lang, done=p.complete)
    colour = _colour(p, cutoff)
    st.markdown(f"**{t(f'ms.{p.milestone}')}** · :{colour}[{badge}]")
    if p.due_at is not None:
        if p.due_earliest != p.due_latest:
            st.caption(t("ms.due_range", first=format_local(p.due_earliest), last=format_local(p.due_latest)))
        else:
            st.caption(t("ms.due", when=format_local(p.due_at)))
    if p.total == 0:
        st.caption(t("ms.nothing_yet"))
        return
    st.progress(min(1.0, p.done / p.total), text=t(f"ms.done_of.{p.counted_in}", done=components.num(p.done), total=components.num(p.total)))
    st.caption(t(f"ms.measure.{p.milestone}"))
    if p.complete:
        st.caption(t("ms.all_done"))
        return
    if p.recent and p.projected_at_deadline is not None and p.due_at is not None and p.due_at > cutoff:
        st.caption(t("ms.pace", window=p.window_days, recent=components.num(p.recent),
                     projected=components.num(p.projected_at_deadline), rate=components.pct(p.projected_rate)))
    if p.finishes_at is not None:
        st.caption(t("ms.finishes", day=f"{utc_to_local(p.finishes_at):%Y-%m-%d}"))
    else:
        st.caption(t("ms.stalled", window=p.window_days))
    if p.overdue_units:
        st.caption(t("ms.overdue_units", n=p.overdue_units))


def milestone_cards(progress: list[metrics.MilestoneProgress], cutoff: datetime, t: Translate, lang: str) -> None:
    """The milestones side by side (stacked on narrow screens, by Streamlit's wrapping)."""
    columns = st.columns(len(progress)) if progress else []
    for column, p in zip(columns, progress, strict=True):
        with column.container(border=True):
            milestone_card(p, cutoff, t, lang)


def unit_view(unit: pd.Series, progress: list[metrics.MilestoneProgress], cutoff: datetime, t: Translate, lang: str) -> None:
    """The overview of one unit: its status, its deadlines with countdowns, its members by
    stage and a link to its timeline (no burn-up, funnel or side-by-side bars for one unit)."""
    status = str(unit["status"])
    left, right = st.columns([2, 3])
    with left.container(border=True):
        st.caption(t("unitview.status"))
        st.markdown(f"### {t(f'progress.status.{status}')}")
        if not pd.isna(unit.get("first_submitted_at")):
            st.caption(t("unitview.submitted_at", when=format_local(pd.Timestamp(unit["first_submitted_at"]).to_pydatetime())))
        st.caption(t("unitview.expected", n=int(unit["expected_members"])) + " · " + t("unitview.open_errors", n=int(unit["open_errors"])))
        st.markdown(f":material/timeline: [{t('unitview.timeline')}]({unit_link('timeline', int(unit['unit_id']))})")
    with right:
        st.subheader(t("unitview.deadlines"))
        rows = []
        for p in progress:
            done = p.complete if p.counted_in == "members" else (
                status in metrics.SUBMITTED_STATUSES if p.milestone == "unit_submission" else status == "approved")
            rows.append({
                t("unitview.col.milestone"): t(f"ms.{p.milestone}"),
                t("unitview.col.due"): format_local(p.due_at) if p.due_at is not None else "—",
                t("unitview.col.countdown"): countdown(p.due_at, cutoff, lang, done=done,
                                                       done_key=UNIT_DONE_KEYS.get(p.milestone, "cd.done")),
            })
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder="—")
    st.subheader(t("unitview.members"))
    stages = [s for s in STAGES if s in unit.index]
    counts = [int(unit.get(s, 0) or 0) for s in stages]
    if not any(counts):
        st.info(t("unitview.no_members"))
        return
    fig = go.Figure(go.Bar(
        x=counts, y=[t(f"stage.{s}") for s in stages], orientation="h", text=[components.num(c) for c in counts],
        textposition="outside", cliponaxis=False, marker={"color": components.PALETTE[1]},
        hovertemplate="%{y}: %{x}<extra></extra>",
    ))
    top = max(max(counts), int(unit["expected_members"] or 0), 1)
    fig.update_layout(height=60 + 30 * len(stages), yaxis={"autorange": "reversed", "automargin": True},
                      xaxis={"range": [0, top * 1.15], "tickformat": ",d"}, showlegend=False)
    if unit["expected_members"]:
        fig.add_vline(x=int(unit["expected_members"]), line_dash="dot", line_color=components.PALETTE[6])
    components.plotly(fig, key="unit_stages")


def burnup_figure(burn: pd.DataFrame, units: int, deadlines: list[datetime], cutoff: datetime, t: Translate) -> go.Figure:
    """The burn-up to the cut-off: a date axis (never epoch numbers), one dashed line per distinct
    deadline day with its label staggered so labels never sit on each other, the total as a
    dotted line labelled below it."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=burn["day"], y=burn["submitted"], mode="lines+markers", line={"shape": "hv", "color": components.PALETTE[1]},
                             name=t("metric.units_submitted"), hovertemplate="%{x|%m-%d}: %{y}<extra></extra>"))
    fig.add_hline(y=units, line_dash="dot", line_color=components.PALETTE[6], annotation_text=t("overview.burnup_units", n=units),
                  annotation_position="bottom left")
    days = pd.Series([utc_to_local(d).replace(hour=0, minute=0, second=0, microsecond=0) for d in deadlines]).value_counts().sort_index() if deadlines else pd.Series(dtype="int64")
    for index, (day, count) in enumerate(days.items()):
        fig.add_vline(x=day, line_dash="dash", line_color=components.PALETTE[0], opacity=0.5)
        text = t("overview.deadline_one", day=f"{day:%m-%d}") if len(days) == 1 else t("overview.deadline_many", day=f"{day:%m-%d}", n=count)
        fig.add_annotation(x=day, y=1.0 + 0.07 * (index % 3), yref="paper", text=plot_label(text), showarrow=False,
                           xanchor="left", yanchor="bottom", font={"size": 10, "color": components.PALETTE[0]})
    local_cutoff = utc_to_local(cutoff)
    first = burn["day"].min() if len(burn) else local_cutoff
    last = max([local_cutoff, *days.index]) if len(days) else local_cutoff
    fig.update_layout(
        height=380, showlegend=False, yaxis={"rangemode": "tozero", "tickformat": ",d"},
        xaxis={"type": "date", "tickformat": "%m-%d", "range": [pd.Timestamp(first) - pd.Timedelta(days=1), pd.Timestamp(last) + pd.Timedelta(days=1)]},
        margin={"t": 30 + 18 * min(3, len(days))},
    )
    return fig
