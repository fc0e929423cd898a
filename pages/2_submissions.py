"""报送进度 Submissions against deadlines: every unit's status; liaisons get a link to the chase sheet
(今日催报), unit clerks see no chase notes or contact form."""

from __future__ import annotations

import streamlit as st

from data_access import chase, metrics, submissions
from data_access.metrics import UNIT_STATUSES
from ui import components, downloads, figure_views, loaders_chase, loaders_progress, progress_views
from ui.frame import page_frame, unit_link
from ui.safe_text import md

ctx = page_frame("submissions")
t = ctx.t
st.title(t("nav.submissions"))
st.caption(f"{md(ctx.campaign_name)} · {md(ctx.scope_label)} · " + t("common.data_as_of", when=f"{ctx.as_of:%Y-%m-%d}"))

with st.spinner():
    board = loaders_progress.submission_board(ctx.scope, ctx.campaign_id, ctx.cutoff)

if board.empty:
    st.info(t("sub.table_empty"))
    st.stop()

# --- headline and status chart ----------------------------------------------------------
head = metrics.headline_of(board, 0, 0)
split = submissions.at_risk_by_state(board)
with st.container(horizontal=True, horizontal_alignment="distribute", gap="medium"):
    st.metric(t("sub.units"), components.num(len(board)), width=150,
              help=t("status.help", parts=figure_views.risk_split_text(dict(head.statuses), t), units=len(board)))
    st.metric(t("sub.submitted"), components.num(head.units_submitted), components.pct(head.submission_rate),
              delta_color="off", delta_arrow="off", width=150)
    with st.container(width=190, gap=None):
        figure_views.on_time_metric(st, head, t)
    st.metric(t("sub.late"), components.num(head.late_units), width=150, help=t("late.help"))
    st.metric(t("sub.returned"), components.num(head.units_returned), width=150)
    st.metric(t("sub.at_risk"), components.num(head.units_at_risk), width=150,
              help=t("risk.help", days=submissions.AT_RISK_DAYS, split=figure_views.risk_split_text(split, t)))

chaser = chase.may_record(ctx.user.role)
left, right = st.columns([2, 3]) if chaser else (st.container(), None)
with left:
    st.subheader(t("sub.status_chart"))
    components.plotly(progress_views.status_chart(board, t), key="status_chart")

# --- chase: the liaisons' work lives on its own page (今日催报); unit clerks see none of it ---
if right is not None:
    with right:
        st.subheader(t("sub.chase_title"))
        to_chase, contacted = loaders_chase.chase_counts(ctx.scope, ctx.campaign_id, ctx.cutoff)
        if not to_chase:
            st.info(t("sub.chase_empty"), icon=":material/thumb_up:")
        else:
            st.info(t("chase.link_from_submissions", n=to_chase, done=contacted), icon=":material/phone_in_talk:")
        st.page_link("pages/14_chase.py", label=t("chase.link_label"), icon=":material/phone_in_talk:",
                     query_params=ctx.link_params or None)

# --- the unit table ---------------------------------------------------------------------
st.subheader(t("sub.table_title"))
chosen = st.multiselect(t("sub.filter_status"), UNIT_STATUSES, format_func=lambda s: t(f"progress.status.{s}"),
                        placeholder=t("sub.filter_placeholder"), key="status_filter")
shown = board[board["status"].isin(chosen)] if chosen else board
table, config = progress_views.submissions_table(shown, t, ctx.cutoff, ctx.lang)
st.caption(t("sub.table_caption"))
# The timeline link per row (the table's rows are the units in this order).
unit_ids = progress_views.by_urgency(shown)["unit_id"].tolist()
linked = table.assign(**{t("tl.link"): [unit_link("timeline", u) for u in unit_ids]})
if not chaser:  # when the liaisons last called is their internal matter
    table = table.drop(columns=[t("sub.col.last_chase")])
    linked = linked.drop(columns=[t("sub.col.last_chase")])
# The task's columns first (who is late, whom to call), the rest after; on a phone one card per unit.
first = [t(f"sub.col.{c}") for c in ("unit", "status", "days_overdue", "contact", "phone", "due", "missing", "open_errors")]
linked = linked[[*first, *(c for c in linked.columns if c not in first)]]
components.responsive_table(
    linked, key="units", title=[t("sub.col.unit")],
    fields=[c for c in linked.columns if c not in (t("sub.col.unit"), t("sub.col.extended"), t("sub.col.hours_early"))],
    column_config={**config, t("tl.link"): st.column_config.LinkColumn(display_text=t("tl.link_text"))},
    phone_fields=(t("sub.col.phone"),), more_text=t("cards.more", shown=components.MAX_CARDS, total=len(linked)),
    hide_index=True, placeholder="—", width="stretch", height=min(560, 38 + 35 * len(table)),
)
loaders_progress.csv_download(
    table,
    label=t("progress.export_csv"),
    file_name=downloads.export_name(t("sub.export_name"), ctx.scope_label, ctx.as_of, "csv"),
    user=ctx.user,
    scope=ctx.scope,
    lang=ctx.lang,
    detail=f"submissions campaign={ctx.campaign_id} scope={ctx.scope.cache_key()} statuses={','.join(chosen) or 'all'}",
    key="export_submissions",
)
