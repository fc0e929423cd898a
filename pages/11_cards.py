"""卡片发放登记 Card hand-out: received by the district, handed to units, delivered to members,
activated; the printable 发放签收表 and the hand-off to the city card system."""

from __future__ import annotations

import streamlit as st

from campaign.timeutil import format_local
from data_access.actions import cards, handoff
from data_access.distribution import unit_table
from ui import cards_views as views
from ui import components, downloads, loaders
from ui.actions import perform
from ui.frame import page_frame

ctx = page_frame("cards")
t = ctx.t
st.title(t("nav.cards"))
st.caption(t("cards.caption", campaign=views.md_escape(ctx.campaign_name), scope=views.md_escape(ctx.scope_label), when=f"{ctx.as_of:%Y-%m-%d}"))
district_role = ctx.user.role in cards.DISTRICT_ROLES
may_deliver = ctx.user.role in cards.DELIVERY_ROLES
DONE = "cards_done"

if DONE in st.session_state:
    st.success(st.session_state.pop(DONE), icon=":material/check_circle:")

units = loaders.unit_progress(ctx.scope, ctx.campaign_id, ctx.cutoff)
table = unit_table(units)
if table.empty or int(table["produced"].sum()) == 0:
    st.info(t("cards.empty"), icon=":material/hourglass_empty:")
    st.stop()

table = table.assign(
    not_received=table["produced"] - table["received"],
    at_district=table["received"] - table["distributed"],
    at_unit=table["distributed"] - table["delivered"],
    timeline=views.timeline_link(table, ctx.campaign_id),
)
with st.container(horizontal=True, horizontal_alignment="distribute", gap="medium"):
    for key in ("produced", "not_received", "at_district", "at_unit", "delivered", "activated"):
        st.metric(t(f"cards.m_{key}"), components.num(int(table[key].sum())), width=150)

st.subheader(t("cards.units"))
shown = table[table["produced"] > 0]
st.dataframe(
    shown[["unit_name", "area_name", "produced", "received", "distributed", "delivered", "activated",
           "not_received", "at_district", "at_unit", "timeline"]],
    hide_index=True, placeholder="—", width="stretch", height=min(420, 38 + 35 * len(shown)),
    column_config={
        "unit_name": t("dc.unit"), "area_name": t("dc.area"), "produced": t("dc.produced"), "received": t("dc.received"),
        "distributed": t("dc.distributed"), "delivered": t("dc.delivered"), "activated": t("dc.activated"),
        "not_received": t("cards.m_not_received"), "at_district": t("cards.m_at_district"), "at_unit": t("cards.m_at_unit"),
        "timeline": st.column_config.LinkColumn(t("tl.link"), display_text=t("tl.link_text")),
    },
)
names = dict(zip(shown["unit_id"], shown["unit_name"], strict=True))


def show_import(result: cards.CardImport) -> None:
    """A previewed or written import: counts, refused lines, the lines table."""
    st.markdown(t("cards.import_summary", lines=len(result.lines), ok=result.to_record, already=result.already, refused=result.refused))
    if result.already_imported:
        st.info(t("cards.same_file"), icon=":material/content_copy:")
    elif result.refused:
        st.error(t("cards.import_refused", refused=result.refused), icon=":material/block:")
    lines = result.lines.assign(status=result.lines["status"].map(lambda s: t(f"cards.status.{s}")))
    st.dataframe(lines[["sheet_row", "name", "id_masked", "unit_name", "status", "name_differs"]], hide_index=True, placeholder="—",
                 width="stretch", height=min(300, 38 + 35 * len(lines)),
                 column_config={"sheet_row": t("dc.sheet_row"), "name": t("dc.name"), "id_masked": t("dc.id_number"),
                                "unit_name": t("dc.unit"), "status": t("cards.col_status"), "name_differs": t("dc.name_differs")})


def import_flow(step: str, key: str, preview_act, import_act) -> None:  # type: ignore[no-untyped-def]
    """Upload, preview, then confirm (all or nothing)."""
    upload = st.file_uploader(t(f"cards.upload_{step}"), type=["xlsx", "xls", "csv"], key=f"{key}_file")
    if upload is None:
        return
    result = views.preview(ctx, preview_act, ctx.campaign_id, upload.getvalue(), upload.name)
    if result is None:
        return
    show_import(result)
    if step == "received_by_district":
        left, right = st.columns(2)
        left.caption(t("cards.listed_not_received", n=len(result.listed_not_received)))
        right.caption(t("cards.received_not_listed", n=len(result.received_not_listed)))
        if len(result.received_not_listed):
            with st.expander(t("cards.received_not_listed", n=len(result.received_not_listed))):
                st.dataframe(result.received_not_listed, hide_index=True, width="stretch",
                             column_config={"name": t("dc.name"), "id_masked": t("dc.id_number"), "unit_name": t("dc.unit"),
                                            "received_at": t("dc.received")}, placeholder="—")
    if result.ok and result.to_record and not result.already_imported and st.button(t("cards.confirm_import", n=result.to_record), type="primary", key=f"{key}_confirm"):
        done = perform(ctx, import_act, ctx.campaign_id, upload.getvalue(), upload.name)
        if done is not None and done.written:
            st.session_state[DONE] = t("cards.recorded", n=done.to_record, step=t(f"cards.step.{step}"))
            st.rerun()


tab_names = ["received", "handed", "delivered", "activated", "handoff"]
tabs = dict(zip(tab_names, st.tabs([t(f"cards.tab_{name}") for name in tab_names]), strict=True))

with tabs["received"]:
    st.caption(t("cards.received_help"))
    if not district_role:
        st.caption(t("cards.district_only"))
    else:
        import_flow("received_by_district", "received", cards.preview_received, cards.import_received)
        waiting = shown[shown["not_received"] > 0]
        with st.form("received_form"):
            chosen = st.multiselect(t("cards.units_to_receive"), waiting["unit_id"].tolist(), format_func=names.__getitem__, placeholder=t("common.choose"), key="received_units")
            if st.form_submit_button(t("cards.record_received"), icon=":material/inventory:") and chosen:
                done = perform(ctx, cards.record_received, ctx.campaign_id, unit_ids=[int(u) for u in chosen])
                if done is not None:
                    st.session_state[DONE] = t("cards.recorded", n=done.recorded, step=t("cards.step.received_by_district"))
                    st.rerun()

with tabs["handed"]:
    st.caption(t("cards.handed_help"))
    waiting = shown[shown["at_district"] > 0]
    if not district_role:
        st.caption(t("cards.district_only"))
    elif waiting.empty:
        st.info(t("cards.nothing_at_district"))
    else:
        at_district = dict(zip(waiting["unit_id"].tolist(), waiting["at_district"].astype(int).tolist(), strict=True))
        with st.form("handed_form"):
            unit_id = st.selectbox(t("dc.unit"), list(at_district),
                                   format_func=lambda u: f"{names[u]} ({at_district[u]})", key="handed_unit")
            who = st.text_input(t("cards.handed_to"), max_chars=cards.MAX_HANDED_TO, key="handed_to")
            if st.form_submit_button(t("cards.record_handed"), icon=":material/local_shipping:"):
                done = perform(ctx, cards.hand_to_unit, int(unit_id), handed_to=who, campaign_id=ctx.campaign_id)
                if done is not None:
                    st.session_state[DONE] = t("cards.recorded", n=done.recorded, step=t("cards.step.handed_to_unit"))
                    st.rerun()

with tabs["delivered"]:
    st.caption(t("cards.delivered_help"))
    at_unit = shown[shown["at_unit"] > 0]
    if not may_deliver:
        st.caption(t("cards.deliver_roles"))
    elif at_unit.empty:
        st.info(t("cards.nothing_at_unit"))
    else:
        unit_id = st.selectbox(t("dc.unit"), at_unit["unit_id"].tolist(), format_func=names.__getitem__, key="deliver_unit")
        ready = views.unit_cards(ctx.user, ctx.campaign_id, int(unit_id), "delivered")
        sheet_name = downloads.export_name(t("cards.sheet_title"), names[unit_id], ctx.as_of, "xlsx")
        st.download_button(t("cards.print_sheet"), data=views.handout_download(ctx.user, ctx.campaign_id, ctx.campaign_name, int(unit_id),
                                                                            names[unit_id], ctx.lang, sheet_name),
                           file_name=sheet_name, icon=":material/print:", on_click="ignore", key="handout_sheet")
        edited = st.data_editor(
            ready.assign(tick=False)[["tick", "name", "id_masked", "card_masked", "handed_to", "member_id"]],
            hide_index=True, width="stretch", disabled=["name", "id_masked", "card_masked", "handed_to", "member_id"], key="deliver_editor",
            column_config={"tick": st.column_config.CheckboxColumn(t("cards.tick")), "name": t("dc.name"), "id_masked": t("dc.id_number"),
                           "card_masked": t("cards.col_card"), "handed_to": t("cards.handed_to"), "member_id": None}, placeholder="—",
        )
        ticked = [int(m) for m in edited.loc[edited["tick"], "member_id"]]
        if st.button(t("cards.record_delivered", n=len(ticked)), disabled=not ticked, type="primary", key="deliver_ticked"):
            done = perform(ctx, cards.record_delivered, member_ids=ticked)
            if done is not None:
                st.session_state[DONE] = t("cards.recorded", n=done.recorded, step=t("cards.step.delivered"))
                st.rerun()
        st.divider()
        import_flow("delivered", "delivered", cards.preview_delivered, cards.import_delivered)

with tabs["activated"]:
    when = views.activation_date(ctx.campaign_id)
    st.caption(t("cards.activation_date", date=f"{when:%Y-%m-%d}" if when else "—"))
    if not district_role:
        st.caption(t("cards.district_only"))
    else:
        import_flow("activated", "activated", cards.preview_activated, cards.import_activated)

with tabs["handoff"]:
    st.caption(t("ho.help"))
    if not district_role:
        st.caption(t("cards.district_only"))
    else:
        status, history = views.handoff_state(ctx.user, ctx.campaign_id)
        with st.container(horizontal=True, gap="medium"):
            st.metric(t("ho.pending"), components.num(status.pending), width=180)
            st.metric(t("ho.handed_total"), components.num(status.handed_total), width=180)
            st.metric(t("ho.last"), format_local(status.last_at) if status.last_at else "—", width=220)
        if st.button(t("ho.make", n=status.pending), disabled=status.pending == 0, type="primary", key="handoff_make"):
            done = perform(ctx, handoff.handoff, ctx.campaign_id, lang=ctx.lang)
            if done is not None:
                st.session_state[DONE] = t("ho.made", n=done.members)
                st.rerun()
        if not history.empty:
            st.subheader(t("ho.history"))
            view = history.assign(at=[format_local(v.to_pydatetime()) for v in history["at"]])
            st.dataframe(view[["at", "by", "member_count", "scope_name", "file_name"]], hide_index=True, width="stretch",
                         column_config={"at": t("ho.at"), "by": t("ho.by"), "member_count": t("ho.members"),
                                        "scope_name": t("ho.scope"), "file_name": t("ho.file")}, placeholder="—")
            handed_at = dict(zip(view["handoff_id"].tolist(), view["at"].tolist(), strict=True))
            pick = st.selectbox(t("ho.download_which"), list(handed_at),
                                format_func=lambda h: f"#{h} · {handed_at[h]}", key="handoff_pick")
            stem = t("ho.file_stem")
            with st.container(horizontal=True):
                for kind, mime in (("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("csv", "text/csv")):
                    name = downloads.export_name(f"{stem}{pick}", ctx.scope_label, ctx.as_of, kind)
                    st.download_button(t(f"ho.download_{kind}"), data=views.handoff_download(ctx.user, int(pick), kind, ctx.lang, name),
                                       file_name=name, mime=mime, icon=":material/download:", on_click="ignore", key=f"handoff_{kind}")
