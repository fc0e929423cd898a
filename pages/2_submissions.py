"""报送进度 Submissions against deadlines: every unit's status, the chase list, the contact log."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from campaign.stages import CHASE_CHANNELS
from campaign.timeutil import local_to_utc, now_utc, utc_to_local
from data_access import chase, metrics, submissions
from data_access.db import write_session
from data_access.metrics import UNIT_STATUSES
from ui import components, downloads, figure_views, loaders, loaders_progress, progress_views
from ui.frame import page_frame, unit_link
from ui.safe_text import md

CHASE_SHOWN = 12
SAVED = "chase_saved_unit"

ctx = page_frame("submissions")
t = ctx.t
st.title(t("nav.submissions"))
st.caption(f"{md(ctx.campaign_name)} · {md(ctx.scope_label)} · " + t("common.data_as_of", when=f"{ctx.as_of:%Y-%m-%d}"))

with st.spinner():
    board = loaders_progress.submission_board(ctx.scope, ctx.campaign_id, ctx.cutoff)

if board.empty:
    st.info(t("sub.table_empty"))
    st.stop()

if SAVED in st.session_state:
    st.success(t("sub.record_saved", unit=md(st.session_state.pop(SAVED))), icon=":material/check_circle:")

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

left, right = st.columns([2, 3])
with left:
    st.subheader(t("sub.status_chart"))
    components.plotly(progress_views.status_chart(board, t), key="status_chart")

# --- chase list -------------------------------------------------------------------------
with right:
    st.subheader(t("sub.chase_title"))
    st.caption(t("sub.chase_caption"))
    chase_units = submissions.chase_list(board)
    if chase_units.empty:
        st.info(t("sub.chase_empty"), icon=":material/thumb_up:")
    for index, row in chase_units.head(CHASE_SHOWN).iterrows():
        with st.expander(t("sub.chase_item", unit=md(row["unit_name"]), state=progress_views.chase_state(row, t, ctx.cutoff, ctx.lang)),
                         expanded=index == 0, icon=":material/call:"):
            st.markdown(t("sub.contact", name=md(row["contact_name"]) or "—", phone=md(row["contact_phone"]) or "—"))
            st.caption(t("sub.outstanding", expected=int(row["expected_members"]), outstanding=int(row["members_outstanding"])))
            st.caption(progress_views.last_chase_text(row, t))
            st.caption(t("sub.reminder"))
            st.code(progress_views.reminder_for(row, ctx.cutoff), language=None, wrap_lines=True)
    if len(chase_units) > CHASE_SHOWN:
        st.caption(t("sub.chase_more", n=len(chase_units) - CHASE_SHOWN))

# --- recording a contact ----------------------------------------------------------------
st.subheader(t("sub.record_title"))
if not chase.may_record(ctx.user.role):
    st.caption(t("sub.record_not_allowed"))
else:
    first = list(chase_units["unit_id"]) if not chase_units.empty else []
    options = first + [u for u in board["unit_id"] if u not in set(first)]
    names = dict(zip(board["unit_id"], board["unit_name"], strict=True))
    now_local = utc_to_local(now_utc()).replace(second=0, microsecond=0)
    with st.form("chase_form", clear_on_submit=True):
        unit_id = st.selectbox(t("sub.record_unit"), options, format_func=names.__getitem__, key="chase_unit")
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(t("sub.record_date"), value=now_local.date(), max_value=now_local.date(), key="chase_day", format="YYYY-MM-DD")
        time_of_day = c2.time_input(t("sub.record_time"), value=now_local.time(), key="chase_time", step=300)
        channel = c3.selectbox(t("sub.record_channel"), CHASE_CHANNELS, format_func=lambda c: t(f"progress.channel.{c}"), key="chase_channel")
        note = st.text_area(t("sub.record_note"), placeholder=t("sub.record_note_help"), key="chase_note", max_chars=chase.MAX_NOTE)
        promised = st.date_input(t("sub.record_promised"), value=None, min_value=now_local.date(), key="chase_promised", format="YYYY-MM-DD")
        saved = st.form_submit_button(t("sub.record_submit"), type="primary", icon=":material/save:")
    if saved:
        at = local_to_utc(datetime.combine(day or now_local.date(), time_of_day or now_local.time()))
        try:
            with write_session(ctx.engine) as session:
                chase.record_chase(session, ctx.user.scope, int(unit_id), at=at, by=ctx.user.display_name,
                                   channel=channel, note=note, promised_date=promised)
        except chase.ChaseRefused as refused:
            st.error(md(refused))
        else:
            loaders.clear()
            st.session_state[SAVED] = names[unit_id]
            st.rerun()

# --- the unit table ---------------------------------------------------------------------
st.subheader(t("sub.table_title"))
chosen = st.multiselect(t("sub.filter_status"), UNIT_STATUSES, format_func=lambda s: t(f"progress.status.{s}"),
                        placeholder=t("sub.filter_placeholder"), key="status_filter")
shown = board[board["status"].isin(chosen)] if chosen else board
table, config = progress_views.submissions_table(shown, t, ctx.cutoff, ctx.lang)
st.caption(t("sub.table_caption"))
# The timeline link per row: the same table built with unit ids for names gives the ids in row order.
unit_ids = progress_views.submissions_table(shown.assign(unit_name=shown["unit_id"].astype(str)), t)[0][t("sub.col.unit")]
linked = table.assign(**{t("tl.link"): [unit_link("timeline", u) for u in unit_ids]})
st.dataframe(linked, column_config={**config, t("tl.link"): st.column_config.LinkColumn(display_text=t("tl.link_text"))},
             hide_index=True, placeholder="—", width="stretch", height=min(560, 38 + 35 * len(table)))
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
