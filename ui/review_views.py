"""Loaders, tables and the audited unit-form download of the submit (7) and review (8) pages.

Every cached loader takes the scope in its key. What they return holds no member's ID or
phone: the filler's phone is the unit's work contact (liaisons call it), like the submissions
board's contact phone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

import pandas as pd
import streamlit as st

from campaign.reports.unit_form import unit_form_bytes
from campaign.timeutil import format_local, now_utc
from data_access.actions import review as review_actions
from data_access.actions import submit as submit_actions
from data_access.actions.materials import missing_text
from data_access.db import read_session
from data_access.scope import Scope
from ui.downloads import deferred, export_name
from ui.frame import unit_link
from ui.loaders import TTL, engine

Translate = Callable[..., str]
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: object) -> str:
    """User text made inert for st.markdown / st.error (no links, images or emphasis).

    >>> md_escape("![x](http://e.com)")
    '\\\\!\\\\[x\\\\]\\\\(http\\\\://e\\\\.com\\\\)'
    """
    return _MARKDOWN.sub(r"\\\1", "" if text is None else str(text))


@st.cache_data(ttl=TTL, show_spinner=False)
def unit_state(scope: Scope, campaign_id: int, unit_id: int) -> submit_actions.UnitSubmitState | None:
    """The unit's list count, errored uploads, deadline and chain (None outside the scope)."""
    with read_session(engine()) as session:
        return submit_actions.unit_submit_state(session, scope, campaign_id, unit_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def unit_history(scope: Scope, campaign_id: int, unit_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The unit's submissions and review decisions, newest first."""
    with read_session(engine()) as session:
        return (
            submit_actions.unit_submissions(session, scope, campaign_id, unit_id),
            submit_actions.unit_decisions(session, scope, campaign_id, unit_id),
        )


@st.cache_data(ttl=TTL, show_spinner=False)
def queue(scope: Scope, campaign_id: int, level: str | None) -> pd.DataFrame:
    """Pending submissions in scope (at one level, or all), oldest first."""
    with read_session(engine()) as session:
        return review_actions.review_queue(session, scope, campaign_id, level)


@st.cache_data(ttl=TTL, show_spinner=False)
def deciding_level(login: str, scope: Scope) -> str | None:
    """The level a district leader decides at (their scope root's level); None: every level."""
    from data_access.auth import load_user

    with read_session(engine()) as session:
        user = load_user(session, login)
        return review_actions.decidable_level(user, session) if user is not None else None


def timing(submitted_at: object, due_at: object, t: Translate, lang: str) -> str:
    """'按时' or '逾期 x' for a table cell."""
    if not isinstance(submitted_at, datetime) or pd.isna(submitted_at):
        return ""
    if not isinstance(due_at, datetime) or pd.isna(due_at) or submitted_at <= due_at:
        return t("wfr.on_time")
    hours = (submitted_at - due_at).total_seconds() / 3600
    return t("wfr.late_by", late=submit_actions.duration_text(hours, lang))


def row_timing(row: pd.Series, lang: str) -> str:
    """On time or late by how long, for one queue row (a missing deadline is NaT there)."""
    due = row["due_at"]
    return submit_actions.timing_text(row["submitted_at"], None if pd.isna(due) else due, lang)


def queue_table(frame: pd.DataFrame, t: Translate, lang: str) -> pd.DataFrame:
    """The queue as shown: unit, district, submitted, late, members, materials, waiting level."""
    return pd.DataFrame({
        t("wfr.col.unit"): frame["unit_name"],
        t("wfr.col.district"): frame["district_name"].fillna(""),
        t("wfr.col.submitted_at"): [format_local(v) for v in frame["submitted_at"]],
        t("wfr.col.late"): [timing(s, d, t, lang) for s, d in zip(frame["submitted_at"], frame["due_at"], strict=True)],
        t("wfr.col.members"): frame["member_count"].astype("int64"),
        t("wfr.col.materials"): [
            missing_text(tuple(m), int(i), int(c), lang)
            for m, i, c in zip(frame["missing"], frame["id_copies_missing"], frame["consents_missing"], strict=True)
        ],
        t("wfr.col.waiting"): [review_actions.level_label(v, lang) for v in frame["review_level"]],
        t("tl.link"): [unit_link("timeline", u) for u in frame["unit_id"]],
    })


def history_tables(subs: pd.DataFrame, decisions: pd.DataFrame, t: Translate, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The submissions and the decisions of one unit as shown."""
    shown_subs = pd.DataFrame({
        t("wfr.col.submitted_at"): [format_local(v) for v in subs["submitted_at"]],
        t("wfr.col.submitted_by"): subs["submitted_by"].fillna(""),
        t("wfr.col.members"): subs["member_count"].fillna(0).astype("int64"),
        t("wfr.col.timing"): [timing(s, d, t, lang) for s, d in zip(subs["submitted_at"], subs["due_at"], strict=True)],
        t("wfr.col.outcome"): [t(f"wfr.outcome.{o}") for o in subs["outcome"]],
        t("wfr.col.reason"): subs["return_reason"].fillna(""),
        t("wfr.col.reviewer"): subs["reviewer"].fillna(""),
        t("wfr.col.reviewed_at"): [format_local(v) if isinstance(v, datetime) else "" for v in subs["reviewed_at"]],
    }) if not subs.empty else subs
    shown_decisions = pd.DataFrame({
        t("wfr.col.at"): [format_local(v) for v in decisions["at"]],
        t("wfr.col.level"): [review_actions.level_label(v, lang) for v in decisions["level"]],
        t("wfr.col.decision"): [t(f"wfr.outcome.{d}") for d in decisions["decision"]],
        t("wfr.col.reason"): [review_actions.reason_label(r, lang) for r in decisions["reason"]],
        t("wfr.col.note"): decisions["note"].fillna(""),
        t("wfr.col.by"): decisions["by"].fillna(""),
    }) if not decisions.empty else decisions
    return shown_subs, shown_decisions


def unit_form_download(ctx: object, unit_id: int, unit_code: str, filler_name: str, filler_phone: str, key: str) -> None:
    """The printable unit form, built on click and audited (``ui.downloads.deferred``)."""
    scope, campaign_id, user, lang = ctx.user.scope, ctx.campaign_id, ctx.user, ctx.lang  # type: ignore[attr-defined]

    def build() -> tuple[bytes, int]:
        with read_session(engine()) as session:
            form = submit_actions.unit_form_data(
                session, scope, campaign_id, unit_id, now=now_utc(), filler_name=filler_name, filler_phone=filler_phone
            )
        if form is None:
            return b"", 0
        return unit_form_bytes(form, lang), 1

    name = export_name(ctx.t("wfr.form.file"), unit_code, ctx.as_of, "xlsx")  # type: ignore[attr-defined]
    st.download_button(
        ctx.t("wfr.submit.download"),  # type: ignore[attr-defined]
        data=deferred(build, user, scope, name, f"unit_form campaign={campaign_id} unit={unit_id}"),
        file_name=name,
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/print:",
        key=key,
    )
