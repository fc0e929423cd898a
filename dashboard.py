"""总览 Overview: where the campaign stands against its deadlines, for district leaders."""

from __future__ import annotations

from datetime import timedelta

import plotly.graph_objects as go
import streamlit as st

from campaign.countdown import countdown
from campaign.timeutil import format_local, utc_to_local
from data_access import metrics
from ui import components, figure_views, loaders
from ui.frame import page_frame
from ui.safe_text import md, plot_labels

ctx = page_frame("overview")
st.title(ctx.t("nav.overview"))
st.caption(f"{md(ctx.campaign_name)} · {md(ctx.scope_label)} · " + ctx.t("common.data_as_of", when=format_local(ctx.cutoff)))

with st.spinner():
    units = loaders.unit_progress(ctx.scope, ctx.campaign_id, ctx.cutoff)
    head = loaders.headline_of_units(units, ctx.scope, ctx.campaign_id, ctx.cutoff)  # the frame just loaded
    day_before = loaders.headline(ctx.scope, ctx.campaign_id, ctx.cutoff - timedelta(days=1))
    week_before = loaders.headline(ctx.scope, ctx.campaign_id, ctx.cutoff - timedelta(days=7))

if units.empty:
    st.info(ctx.t("common.no_data"))
    st.stop()


def delta(attr: str, as_percent: bool = False, good_when_up: bool = True) -> dict[str, str]:
    """Change since yesterday and since last week, as one line; arrow and colour follow the
    change since yesterday (see components.change_delta)."""
    now, day, week = (getattr(h, attr) for h in (head, day_before, week_before))

    def diff(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else a - b

    if as_percent:
        fmt = lambda d: "—" if d is None else f"{d * 100:+.1f}pt"  # noqa: E731
    else:
        fmt = lambda d: "—" if d is None else f"{d:+,}"  # noqa: E731
    text = ctx.t("overview.delta", day=fmt(diff(now, day)), week=fmt(diff(now, week)))
    shown = diff(now, day)
    if shown is not None and as_percent:
        shown = round(shown * 100, 1)  # the arrow follows the change as shown: +0.0pt is no change
    return components.change_delta(text, shown, good_when_up)


# --- one unit (the unit filter, or a unit clerk): a view that suits one unit ------------------
progress = figure_views.milestones(units, ctx.scope, ctx.campaign_id, ctx.cutoff)
if len(units) == 1:
    figure_views.unit_view(units.iloc[0], progress, ctx.cutoff, ctx.t, ctx.lang)
    st.stop()

cols = st.columns(3) + st.columns(3)
cols[0].metric(ctx.t("metric.units_submitted"), f"{head.units_submitted} / {head.units_expected}", **delta("units_submitted"))
figure_views.on_time_metric(cols[1], head, ctx.t, **delta("on_time_rate", True))
cols[2].metric(ctx.t("metric.members_validated"), f"{components.num(head.members_validated)}（{components.pct(head.coverage)}）", **delta("members_validated"), help=ctx.t("overview.coverage_help"))
cols[3].metric(ctx.t("metric.open_errors"), components.num(head.open_errors), **delta("open_errors", good_when_up=False))
cols[4].metric(ctx.t("metric.bank_success"), components.pct(head.bank_success_rate), **delta("bank_success_rate", True))
cols[5].metric(ctx.t("metric.cards_delivered"), components.num(head.delivered), **delta("delivered"))

# --- every milestone: deadline, countdown and pace ------------------------------------------
st.subheader(ctx.t("ms.title"))
st.caption(ctx.t("ms.caption", window=7))
figure_views.milestone_cards(progress, ctx.cutoff, ctx.t, ctx.lang)

# --- unit submission per district: countdown and pace ----------------------------------------
paces = metrics.pace(units, ctx.cutoff)
if len(paces) > 1:
    st.subheader(ctx.t("overview.countdown"))
    card_cols = st.columns(min(4, len(paces)))
    for index, p in enumerate(paces):
        with card_cols[index % len(card_cols)].container(border=True):
            badge = countdown(p.due_at, ctx.cutoff, ctx.lang, done=p.submitted == p.units, done_key="cd.submitted")
            rate = p.submitted / p.units if p.units else 0
            colour = "green" if rate >= 0.9 else "orange" if rate >= 0.7 else "red"
            st.markdown(f"**{md(p.district_name)}** · :{colour}[{badge}]")
            st.caption(ctx.t("overview.due", when=format_local(p.due_at)))
            st.progress(rate, text=ctx.t("overview.submitted_of", done=p.submitted, total=p.units))
            if p.submitted == p.units:
                st.caption(ctx.t("overview.all_in"))
            else:
                if p.recent and p.due_at > ctx.cutoff:
                    st.caption(ctx.t("overview.pace_line", window=p.window_days, recent=p.recent, projected=p.projected_at_deadline, rate=components.pct(p.projected_rate)))
                if p.finishes_at is not None:
                    st.caption(ctx.t("overview.finishes_on", day=f"{utc_to_local(p.finishes_at):%Y-%m-%d}"))
                else:
                    st.caption(ctx.t("overview.stalled", window=p.window_days))

left, right = st.columns([3, 2])
with left:
    st.subheader(ctx.t("overview.burnup"))
    burn = metrics.cumulative_submissions(units, ctx.cutoff)
    submission = next(p for p in progress if p.milestone == "unit_submission")
    due_days = sorted({d for d in (submission.due_earliest, submission.due_at, submission.due_latest) if d is not None})
    components.plotly(figure_views.burnup_figure(burn, len(units), due_days, ctx.cutoff, ctx.t), key="burnup")
with right:
    st.subheader(ctx.t("overview.funnel"))
    funnel = metrics.funnel(units)
    if int(funnel["members"].sum()) == 0:
        st.info(ctx.t("overview.funnel_empty"))
    else:
        fig = go.Figure(go.Funnel(y=[ctx.t(f"stage.{s}") for s in funnel["stage"]], x=funnel["members"], texttemplate="%{value:,}<br>%{percentInitial:.0%}", marker={"color": components.PALETTE[1]}))
        fig.update_layout(height=380)
        components.plotly(fig, key="funnel")
# --- side by side with traffic lights, click to drill down --------------------------------
level = "unit" if ctx.area_id or ctx.unit_id else "area" if ctx.district_id else "district"
if level == "area" and units["area_id"].isna().all():
    level = "unit"  # a district without liaison areas: its units side by side
if level == "district" and units["district_id"].nunique() == 1:
    level = "area" if units["area_id"].nunique() > 1 else "unit"
st.subheader(ctx.t(f"overview.by_level.{level}"))
with st.expander(ctx.t("overview.thresholds")):
    t1, t2 = st.columns(2)
    green = t1.number_input(ctx.t("overview.green"), 0, 100, 90, step=5, key="green", bind="query-params")
    amber = t2.number_input(ctx.t("overview.amber"), 0, 100, 70, step=5, key="amber", bind="query-params")
groups = metrics.rollup(units, level)
if level == "unit":
    groups = groups.sort_values("submission_rate").head(40)
colours = [components.traffic_colour(v, green / 100, amber / 100) for v in groups["submission_rate"]]
# A unit (or area) at zero keeps a bar of minimum width, so it can be clicked too.
MIN_BAR = 2.0
fig = go.Figure(go.Bar(
    x=(groups["submission_rate"] * 100).clip(lower=MIN_BAR).tolist(), y=plot_labels(groups["org_name"]), orientation="h", marker={"color": colours},
    hovertemplate="%{y}: %{text}<extra></extra>",
    text=[f"{components.pct(r)}（{int(s)}/{int(u)}）" for r, s, u in zip(groups["submission_rate"], groups["units_submitted"], groups["units"], strict=True)],
    textposition="auto", customdata=groups["org_id"],
))
fig.update_layout(height=max(260, 34 * len(groups) + 80), xaxis={"title": ctx.t("metric.units_submitted") + " %", "range": [0, 100]}, yaxis={"automargin": True})


def drill_down() -> None:
    """Clicking a district's (area's, unit's) bar narrows the URL-bound filter to it; a unit's
    bar opens the one-unit view."""
    selection = st.session_state.get("side_by_side")
    points = getattr(getattr(selection, "selection", None), "points", None) or []
    if not points:
        return
    org_id = points[0].get("customdata")
    if isinstance(org_id, list):
        org_id = org_id[0]
    if level == "area" and units["area_id"].isna().any() and int(org_id) in set(units["unit_id"]):
        st.session_state["unit"] = int(org_id)  # a unit standing as its own row (no area above it)
    else:
        st.session_state[level] = int(org_id)


st.caption(ctx.t("overview.drill_hint") + " " + ctx.t("overview.zero_hint"))
fig.update_layout(margin={"l": 10, "r": 10, "t": 20, "b": 10})
st.plotly_chart(fig, width="stretch", config=components.CHART_CONFIG, key="side_by_side", on_select=drill_down, selection_mode="points")
