"""活动设置 Campaign settings: choose or create a campaign, edit its settings, its deadlines per
milestone and level or org unit, and per-unit extensions (Beijing time), with the history."""

from __future__ import annotations

from datetime import date, datetime, time

import pandas as pd
import streamlit as st

from campaign.rules.eligibility import RULE_SETS
from campaign.stages import MILESTONES
from campaign.timeutil import format_local, local_to_utc, today_local
from data_access.actions import campaigns as acts
from ui import loaders_settings as ls
from ui.actions import perform
from ui.frame import setup_frame
from ui.safe_text import md

NEW = 0
FLASH = "cs_flash"
PICK = "cs_pick"
APPROVING_KINDS = ("group", "district", "area")

ctx = setup_frame("campaign_settings", roles=("admin",))
t = ctx.t
st.title(t("nav.campaign_settings"))

if ls.tree_is_empty():
    st.info(t("cs.page.empty_tree"), icon=":material/account_tree:")
    st.stop()

if FLASH in st.session_state:
    st.success(md(st.session_state.pop(FLASH)), icon=":material/check_circle:")


def done(result: object) -> None:
    """Keep the outcome for the next run and draw the page again with the change."""
    if result is not None:
        st.session_state[FLASH] = result.message(ctx.lang)  # type: ignore[attr-defined]
        st.rerun()


levels = ls.levels()
level_name = dict(zip(levels["code"], levels["name"], strict=True))
level_rank = dict(zip(levels["code"], levels["rank"], strict=True))
approving = [code for code, kind in zip(levels["code"], levels["kind"], strict=True) if kind in APPROVING_KINDS]


def chain_in_order(picked: list[str]) -> list[str]:
    """The picked approving levels from the units upwards (deepest level first)."""
    return sorted(picked, key=lambda code: -level_rank[code])


def settings_fields(prefix: str, current: pd.Series | None) -> dict[str, object]:
    """The shared settings widgets (inside a form); returns the values entered."""
    rules = list(RULE_SETS)
    chain = [c for c in str(current["review_levels"]).split(",") if c in approving] if current is not None else ["district"]
    values: dict[str, object] = {
        "reference_date": st.date_input(
            t("cs.field.reference_date"), value=current["reference_date"] if current is not None else today_local(),
            key=f"{prefix}_reference",
        ),
        "retirement_rules": st.selectbox(
            t("cs.field.retirement_rules"), rules,
            index=rules.index(current["retirement_rules"]) if current is not None and current["retirement_rules"] in rules else 0,
            key=f"{prefix}_rules",
        ),
        "shared_phone_severity": st.radio(
            t("cs.field.shared_phone_severity"), acts.SEVERITIES, horizontal=True,
            index=acts.SEVERITIES.index(current["shared_phone_severity"]) if current is not None else 0,
            format_func=lambda s: t(f"cs.severity.{s}"), key=f"{prefix}_severity",
        ),
        "activation_date": st.date_input(
            t("cs.field.activation_date"),
            value=(current["activation_date"] if current is not None and isinstance(current["activation_date"], date) else None),
            key=f"{prefix}_activation",
        ),
        "review_levels": chain_in_order(st.multiselect(
            t("cs.field.review_levels"), approving, default=chain, format_func=lambda c: level_name.get(c, c),
            help=t("cs.page.chain_help"), placeholder=t("common.choose"), key=f"{prefix}_chain",
        )),
    }
    return values


# --- choose or create ------------------------------------------------------------------------
campaigns = ls.campaign_table()
if PICK in st.session_state:
    st.session_state["cs_campaign"] = st.session_state.pop(PICK)
names = dict(zip(campaigns["id"].tolist(), campaigns["name"].tolist(), strict=True))
options = [*names, NEW]
if st.session_state.get("cs_campaign") not in options:
    st.session_state["cs_campaign"] = options[0]
chosen = st.selectbox(
    t("cs.page.choose"), options, key="cs_campaign",
    format_func=lambda i: t("cs.page.new") if i == NEW else f"{names[i]}（#{i}）",
)

if chosen == NEW:
    st.subheader(t("cs.page.create_header"))
    roots = ls.find_orgs("", False, None, 500, ("group", "district"))
    with st.form("cs_create"):
        name = st.text_input(t("cs.field.name"), max_chars=200)
        root_names = dict(zip(roots["code"], roots["name"], strict=True))
        root = st.selectbox(t("cs.field.root"), list(root_names), format_func=lambda code: f"{root_names[code]}（{code}）")
        values = settings_fields("cs_new", None)
        create = st.form_submit_button(t("cs.page.create"), type="primary")
    if create:
        result = perform(ctx, acts.create_campaign, name, values.pop("reference_date"), root, **values)
        if result is not None:
            st.session_state[PICK] = result.campaign_id
        done(result)
    st.stop()

campaign_id = int(chosen)
current = campaigns.set_index("id").loc[campaign_id]
root_code = current["root_code"] if isinstance(current["root_code"], str) else None

# --- settings ---------------------------------------------------------------------------------
st.subheader(t("cs.page.settings_header"))
st.caption(f"{t('cs.field.root')}：{md(current['root_name'])}（{md(root_code)}）")
with st.form(f"cs_settings_{campaign_id}"):
    new_name = st.text_input(t("cs.field.name"), value=str(current["name"]), max_chars=200)
    values = settings_fields(f"cs_edit_{campaign_id}", current)
    save = st.form_submit_button(t("cs.page.save"), type="primary")
if save:
    done(perform(ctx, acts.update_campaign, campaign_id, name=new_name, **values))


# --- deadlines --------------------------------------------------------------------------------
def applies_to(row: pd.Series) -> str:
    if isinstance(row["org_code"], str):
        return f"{row['org_name']}（{row['org_code']}）"
    if isinstance(row["level"], str):
        return t("cs.target.level", level=level_name.get(row["level"], row["level"]))
    return t("cs.target.all")


def local(value: object) -> str:
    return format_local(pd.Timestamp(value).to_pydatetime()) if value is not None and not pd.isna(value) else ""


st.subheader(t("cs.page.deadlines_header"))
live = ls.deadline_table(campaign_id)
plain = live[~live["is_extension"].astype(bool)]
if plain.empty:
    st.info(t("cs.page.no_deadlines"))
else:
    table = plain.assign(
        applies=[applies_to(row) for _, row in plain.iterrows()],
        milestone_label=[t(f"cs.milestone.{m}") for m in plain["milestone"]],
        due=[local(v) for v in plain["due_at"]],
    )
    grid = table.pivot_table(index="applies", columns="milestone_label", values="due", aggfunc="first", sort=False).fillna("")
    ordered = [t(f"cs.milestone.{m}") for m in MILESTONES if t(f"cs.milestone.{m}") in grid.columns]
    st.dataframe(grid[ordered].rename_axis(t("cs.col.applies")), width="stretch", placeholder="—")
    notes = table[table["note"].notna()]
    for _, row in notes.iterrows():
        st.caption(f"{md(row['applies'])} · {md(row['milestone_label'])}：{md(row['note'])}")

with st.expander(t("cs.page.set_header"), expanded=plain.empty):
    milestone = st.selectbox(t("cs.page.milestone"), MILESTONES, format_func=lambda m: t(f"cs.milestone.{m}"), key="cs_dl_milestone")
    applies_choice = st.radio(
        t("cs.page.applies_to"), ("all", "level", "org"), horizontal=True, key="cs_dl_applies",
        format_func=lambda c: t(f"cs.page.applies_{c}"),
    )
    level = org_code = None
    if applies_choice == "level":
        level = st.selectbox(t("cs.page.level"), levels["code"].tolist(), format_func=lambda c: level_name[c], key="cs_dl_level")
    elif applies_choice == "org":
        query = st.text_input(t("cs.page.search"), key="cs_dl_search")
        found = ls.find_orgs(query, False, root_code, 50)
        if found.empty:
            st.caption(t("cs.page.no_match"))
        else:
            found_labels = {
                code: f"{name}（{code} · {level_name.get(level, level)}）"
                for code, name, level in zip(found["code"], found["name"], found["level"], strict=True)
            }
            org_code = st.selectbox(t("cs.page.org"), list(found_labels), key="cs_dl_org", format_func=found_labels.__getitem__)
    day_col, time_col = st.columns(2)
    due_day = day_col.date_input(t("cs.page.due_date"), value=today_local(), key="cs_dl_day")
    due_time = time_col.time_input(t("cs.page.due_time"), value=time(12, 0), key="cs_dl_time")
    note = st.text_input(t("cs.page.note"), max_chars=200, key="cs_dl_note")
    if st.button(t("cs.page.set"), type="primary", key="cs_dl_set", disabled=applies_choice == "org" and org_code is None):
        due = local_to_utc(datetime.combine(due_day, due_time))
        done(perform(ctx, acts.set_deadline, campaign_id, milestone, due, level=level, org_code=org_code, note=note or None))

# --- extensions -------------------------------------------------------------------------------
st.subheader(t("cs.page.extensions_header"))
extensions = live[live["is_extension"].astype(bool)]
if extensions.empty:
    st.info(t("cs.page.no_extensions"))
else:
    st.dataframe(pd.DataFrame({
        t("cs.col.unit"): extensions["org_name"], t("cs.col.code"): extensions["org_code"],
        t("cs.col.milestone"): [t(f"cs.milestone.{m}") for m in extensions["milestone"]],
        t("cs.col.due"): [local(v) for v in extensions["due_at"]], t("cs.col.note"): extensions["note"],
        t("cs.col.set_by"): extensions["set_by"], t("cs.col.set_at"): [local(v) for v in extensions["set_at"]],
    }), hide_index=True, width="stretch", placeholder="—")

grant_col, revoke_col = st.columns([3, 2])
with grant_col, st.container(border=True):
    st.markdown(f"**{t('cs.page.grant_header')}**")
    unit_query = st.text_input(t("cs.page.search"), key="cs_ext_search")
    units = ls.find_orgs(unit_query, True, root_code, 50)
    unit_code = None
    if units.empty:
        st.caption(t("cs.page.no_match"))
    else:
        unit_labels = {code: f"{name}（{code}）" for code, name in zip(units["code"], units["name"], strict=True)}
        unit_code = st.selectbox(t("cs.col.unit"), list(unit_labels), key="cs_ext_unit", format_func=unit_labels.__getitem__)
    ext_milestone = st.selectbox(t("cs.page.milestone"), MILESTONES, format_func=lambda m: t(f"cs.milestone.{m}"), key="cs_ext_milestone")
    day_col, time_col = st.columns(2)
    ext_day = day_col.date_input(t("cs.page.due_date"), value=today_local(), key="cs_ext_day")
    ext_time = time_col.time_input(t("cs.page.due_time"), value=time(12, 0), key="cs_ext_time")
    reason = st.text_input(t("cs.page.reason"), max_chars=200, key="cs_ext_reason")
    if st.button(t("cs.page.grant"), type="primary", key="cs_ext_grant", disabled=unit_code is None):
        due = local_to_utc(datetime.combine(ext_day, ext_time))
        done(perform(ctx, acts.grant_extension, campaign_id, unit_code, ext_milestone, due, reason))

with revoke_col, st.container(border=True):
    st.markdown(f"**{t('cs.page.revoke_header')}**")
    if extensions.empty:
        st.caption(t("cs.page.no_extensions"))
    else:
        keys = [f"{code}|{m}" for code, m in zip(extensions["org_code"], extensions["milestone"], strict=True)]
        labels = {
            f"{code}|{m}": f"{name}（{code}）· {t(f'cs.milestone.{m}')}"
            for code, name, m in zip(extensions["org_code"], extensions["org_name"], extensions["milestone"], strict=True)
        }
        picked = st.selectbox(t("cs.col.unit"), keys, format_func=labels.__getitem__, key="cs_rev_pick")
        if st.button(t("cs.page.revoke"), key="cs_rev_go"):
            code, revoked_milestone = picked.split("|", 1)
            done(perform(ctx, acts.revoke_extension, campaign_id, code, revoked_milestone))

# --- history ----------------------------------------------------------------------------------
with st.expander(t("cs.page.history")):
    history = ls.deadline_table(campaign_id, superseded=True)
    if history.empty:
        st.caption(t("cs.page.no_history"))
    else:
        st.dataframe(pd.DataFrame({
            t("cs.col.kind"): [t("cs.kind.extension") if e else t("cs.kind.deadline") for e in history["is_extension"]],
            t("cs.col.milestone"): [t(f"cs.milestone.{m}") for m in history["milestone"]],
            t("cs.col.applies"): [applies_to(row) for _, row in history.iterrows()],
            t("cs.col.due"): [local(v) for v in history["due_at"]], t("cs.col.note"): history["note"],
            t("cs.col.set_by"): history["set_by"], t("cs.col.set_at"): [local(v) for v in history["set_at"]],
            t("cs.col.superseded_at"): [local(v) for v in history["superseded_at"]],
        }), hide_index=True, width="stretch", placeholder="—")
