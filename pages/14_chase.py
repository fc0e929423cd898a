"""今日催报 The liaison's chase sheet: every unit to chase today, with contact, phone, status,
time left or late, missing paper, open bank failures and the reminder to paste into WeChat;
"已联系" per unit (or for the ticked rows), a detailed contact form, the Excel sheet."""

from __future__ import annotations

import math
import re
from datetime import datetime

import streamlit as st

from campaign.reports import chase_sheet as sheet_text
from campaign.stages import CHASE_CHANNELS, SUBMITTED_STATUSES
from campaign.timeutil import local_to_utc, now_utc, utc_to_local
from data_access.actions.chase import record_contacts
from data_access.chase import CHASE_ROLES, MAX_NOTE
from ui import components, loaders_chase
from ui.actions import perform
from ui.frame import page_frame
from ui.safe_text import md

PER_PAGE = 20
DONE = "chase_done"

ctx = page_frame("chase")
t = ctx.t
st.title(t("nav.chase"))
if ctx.user.role not in CHASE_ROLES:
    st.info(t("chase.not_for_role"), icon=":material/lock:")
    st.stop()

when = f"{utc_to_local(min(ctx.cutoff, now_utc())):%Y-%m-%d %H:%M}" if ctx.is_today else ctx.as_of.isoformat()
st.caption(t("chase.caption", campaign=md(ctx.campaign_name), scope=md(ctx.scope_label), when=when))
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

with st.spinner():
    sheet = loaders_chase.chase_sheet(ctx.scope, ctx.campaign_id, ctx.cutoff)
if sheet.empty:
    st.success(t("chase.empty"), icon=":material/thumb_up:")
    st.stop()


def _count(reason: str) -> int:
    return int(sheet["reasons"].map(lambda reasons: reason in reasons).sum())


with st.container(horizontal=True, gap="medium"):
    st.metric(t("chase.m.units"), components.num(len(sheet)), width=130)
    st.metric(t("chase.m.contacted"), components.num(int(sheet["contacted_today"].sum())), width=130)
    st.metric(t("chase.m.late"), components.num(_count("late")), width=130)
    st.metric(t("chase.m.at_risk"), components.num(_count("at_risk")), width=130)
    st.metric(t("chase.m.bank"), components.num(int(sheet["bank_failures_open"].sum())), width=130, help=t("chase.m.bank_help"))


def _mark(unit_ids: list[int]) -> None:
    """Record "contacted" for the units now, through the action; reruns with a notice."""
    done = perform(ctx, record_contacts, unit_ids)
    if done is not None:
        st.session_state[DONE] = t("chase.marked", units="、".join(md(n) for n in done.unit_names))
        st.rerun()


with st.container(horizontal=True, vertical_alignment="bottom", gap="medium"):
    view = st.segmented_control(
        t("chase.view"), ["cards", "table"], default="cards", format_func=lambda v: t(f"chase.view.{v}"), key="chase_view",
    ) or "cards"
    hide_done = st.toggle(t("chase.hide_done"), key="chase_hide_done")
    loaders_chase.workbook_button(ctx, sheet, t("chase.download"), key="chase_xlsx")

shown = sheet[~sheet["contacted_today"]] if hide_done else sheet
if shown.empty:
    st.success(t("chase.all_done"), icon=":material/thumb_up:")


def _tel(phone: str) -> str:
    return "tel:" + re.sub(r"[^0-9+]", "", phone)


if view == "cards" and not shown.empty:
    pages = max(1, math.ceil(len(shown) / PER_PAGE))
    page = 1
    if pages > 1:
        page = st.selectbox(t("chase.page"), range(1, pages + 1), format_func=lambda p: t("chase.page_of", page=p, pages=pages),
                            key="chase_page", width=180)
    start = (page - 1) * PER_PAGE
    rows = shown.iloc[start : start + PER_PAGE]  # texts and reminders for this page's cards only
    texts = loaders_chase.display_rows(rows, ctx.cutoff, ctx.lang, first=start + 1)
    for (_, row), (_, text) in zip(rows.iterrows(), texts.iterrows(), strict=True):
        unit_id = int(row["unit_id"])
        with st.container(border=True, key=f"chase_card_{unit_id}"):
            st.markdown(f"**{text['no']}. {md(text['unit'])}**")
            colour = "red" if bool(row["late"]) else "orange" if row["status"] not in SUBMITTED_STATUSES else "blue"
            st.markdown(f":{colour}-badge[{md(text['status'])}] :{colour}-badge[{md(text['countdown'])}]"
                        + (f" :green-badge[{md(t('chase.contacted_badge', when=text['contacted']))}]" if text["contacted"] else ""))
            st.caption(t("chase.reasons", reasons=md(text["reasons"])))
            with st.container(horizontal=True, vertical_alignment="center", gap="small"):
                st.markdown(t("chase.contact", name=md(text["contact"]) or "—", phone=""), width="content")
                if text["phone"]:
                    st.link_button(text["phone"], _tel(text["phone"]), icon=":material/call:", type="tertiary")
            details = [t("chase.missing", items=md(text["missing"]))]
            if text["errors"]:
                details.append(t("chase.errors", n=text["errors"]))
            if text["bank"]:
                details.append(t("chase.bank", n=text["bank"]))
            st.caption("　".join(details))
            if text["last"]:
                st.caption(f"{t('chase.col.last')}：{md(text['last'])}")
            st.caption(t("chase.reminder_label"))
            st.code(text["reminder"], language=None, wrap_lines=True)
            again = bool(row["contacted_today"])
            if st.button(t("chase.mark_again") if again else t("chase.mark"), key=f"mark_{unit_id}",
                         type="secondary" if again else "primary", icon=":material/call_made:"):
                _mark([unit_id])
elif view == "table" and not shown.empty:
    texts = loaders_chase.display_rows(shown, ctx.cutoff, ctx.lang)
    labels = {key: t(label) for key, label, _ in sheet_text.COLUMNS}
    table = texts.drop(columns=["district"] if texts["district"].nunique() <= 1 else []).rename(columns=labels)
    st.caption(t("chase.table_select"))
    event = st.dataframe(
        table, hide_index=True, width="stretch", placeholder="—", height=min(600, 38 + 35 * len(table)), key="chase_table",
        on_select="rerun", selection_mode="multi-row",
        column_config={
            labels["no"]: st.column_config.NumberColumn(width="small"),
            labels["unit"]: st.column_config.TextColumn(pinned=True, width="medium"),
            labels["reminder"]: st.column_config.TextColumn(width="large"),
            labels["last"]: st.column_config.TextColumn(width="medium"),
        },
    )
    chosen = [int(shown.iloc[i]["unit_id"]) for i in (event.selection.rows if event else [])]  # type: ignore[attr-defined]
    if st.button(t("chase.mark_selected", n=len(chosen)), disabled=not chosen, type="primary", key="mark_selected",
                 icon=":material/call_made:"):
        _mark(chosen)

# --- a contact in detail (moved here from the submissions page) --------------------------
with st.expander(t("chase.record_title"), icon=":material/edit_note:"):
    st.caption(t("chase.record_caption"))
    names = dict(zip(sheet["unit_id"].astype(int), sheet["unit_name"], strict=True))
    now_local = utc_to_local(now_utc()).replace(second=0, microsecond=0)
    with st.form("chase_form", clear_on_submit=True):
        unit_id = st.selectbox(t("sub.record_unit"), list(names), format_func=names.__getitem__, key="chase_unit")
        c1, c2, c3 = st.columns(3)
        day = c1.date_input(t("sub.record_date"), value=now_local.date(), max_value=now_local.date(), key="chase_day", format="YYYY-MM-DD")
        time_of_day = c2.time_input(t("sub.record_time"), value=now_local.time(), key="chase_time", step=300)
        channel = c3.selectbox(t("sub.record_channel"), CHASE_CHANNELS, format_func=lambda c: t(f"progress.channel.{c}"), key="chase_channel")
        note = st.text_area(t("sub.record_note"), placeholder=t("sub.record_note_help"), key="chase_note", max_chars=MAX_NOTE)
        promised = st.date_input(t("sub.record_promised"), value=None, min_value=now_local.date(), key="chase_promised", format="YYYY-MM-DD")
        saved = st.form_submit_button(t("sub.record_submit"), type="primary", icon=":material/save:")
    if saved and unit_id is not None:
        contacted_at = local_to_utc(datetime.combine(day or now_local.date(), time_of_day or now_local.time()))
        done = perform(ctx, record_contacts, [int(unit_id)], channel=channel, note=note or "", promised_date=promised,
                       contacted_at=contacted_at)
        if done is not None:
            st.session_state[DONE] = t("sub.record_saved", unit=md(names[int(unit_id)]))
            st.rerun()
