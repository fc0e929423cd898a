"""操作日志 The audit log: who did what, when (Beijing time), on which object; filters by user,
action, days and unit; a page at a time; the filtered rows exported to Excel (itself audited)."""

from __future__ import annotations

import math
from datetime import date

import streamlit as st

from campaign.timeutil import today_local
from data_access.audit_log import AuditFilters, action_label
from ui import people_views as views
from ui.downloads import export_name
from ui.frame import setup_frame

PAGE_SIZE = 100

ctx = setup_frame("audit", roles=("admin",))
t = ctx.t
st.title(t("nav.audit"))
st.caption(t("auditlog.caption"))

logins, actions = views.audit_choices(ctx)
ALL = ""
left, middle, right = st.columns(3)
login = left.selectbox(t("auditlog.filter_user"), [ALL, *logins], format_func=lambda v: v or t("auditlog.all"), key="audit_user")
action = middle.selectbox(
    t("auditlog.filter_action"), [ALL, *actions], format_func=lambda v: action_label(v, ctx.lang) if v else t("auditlog.all"),
    key="audit_action",
)
unit = right.text_input(t("auditlog.filter_unit"), max_chars=60, key="audit_unit")
first, last = st.columns(2)
day_from = first.date_input(t("auditlog.filter_from"), value=None, max_value=today_local(), format="YYYY-MM-DD", key="audit_from")
day_to = last.date_input(t("auditlog.filter_to"), value=None, max_value=today_local(), format="YYYY-MM-DD", key="audit_to")
if isinstance(day_from, date) and isinstance(day_to, date) and day_from > day_to:
    st.warning(t("auditlog.bad_range"), icon=":material/warning:")

filters = AuditFilters(
    login=login or None, action=action or None,
    day_from=day_from if isinstance(day_from, date) else None, day_to=day_to if isinstance(day_to, date) else None,
    unit=unit.strip() or None,
)
page_key = f"audit_page:{filters}"
page = int(st.session_state.get(page_key, 1))
rows, count = views.audit_page(ctx, filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
pages = max(1, math.ceil(count / PAGE_SIZE))
st.markdown(f"**{t('auditlog.count', count=count)}**")
if count == 0:
    st.info(t("auditlog.none"), icon=":material/search_off:")
    st.stop()
if pages > 1:
    chosen = st.number_input(t("auditlog.page"), min_value=1, max_value=pages, value=min(page, pages), step=1)
    if int(chosen) != page:
        st.session_state[page_key] = int(chosen)
        st.rerun()
    st.caption(t("auditlog.page_of", page=page, pages=pages, size=PAGE_SIZE))
shown = rows.assign(action=[action_label(a, ctx.lang) for a in rows["action"]])
st.dataframe(
    shown, hide_index=True, width="stretch", height=min(36 * (len(shown) + 1) + 4, 720),
    column_config={
        "at": st.column_config.DatetimeColumn(t("auditlog.col_at"), format="YYYY-MM-DD HH:mm:ss"),
        "user_login": t("auditlog.col_user"), "action": t("auditlog.col_action"), "object": t("auditlog.col_object"),
        "detail": t("auditlog.col_detail"), "row_count": st.column_config.NumberColumn(t("auditlog.col_rows"), format="%d"),
    }, placeholder="—",
)
views.audit_export_button(ctx, filters, export_name(t("auditlog.file"), filters.label().replace(" ", "-"), today_local(), "xlsx"))
