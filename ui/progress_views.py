"""Charts, tables and messages of the submissions and validation-errors pages (no queries)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from campaign.countdown import countdown
from campaign.i18n import has
from campaign.reminders import ReminderFacts, reminder_text
from campaign.timeutil import utc_to_local
from data_access.metrics import SUBMITTED_STATUSES, UNIT_STATUSES
from ui import components
from ui.frame import unit_link
from ui.safe_text import md

Translate = Callable[..., str]

STATUS_COLOURS = {
    "not_started": "#7f8c8d",
    "errors": components.TRAFFIC_RED,
    "clean": components.TRAFFIC_AMBER,
    "submitted": "#2e86de",
    "returned": "#e67e22",
    "approved": components.TRAFFIC_GREEN,
}
SEVERITY_COLOURS = {"error": components.TRAFFIC_RED, "warning": components.TRAFFIC_AMBER}
BAR_HEIGHT = 34


def to_local(values: pd.Series) -> pd.Series:
    """Naive UTC timestamps as naive Asia/Shanghai wall-clock timestamps."""
    return pd.to_datetime(values) + pd.Timedelta(hours=8)


def local_text(value: object, fmt: str = "%m-%d %H:%M") -> str:
    """One naive UTC time as Shanghai text; empty when missing."""
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    return utc_to_local(pd.Timestamp(value).to_pydatetime()).strftime(fmt)  # type: ignore[arg-type]


def code_label(code: str, t: Translate) -> str:
    """A finding code's short name (the code itself if the catalogue has none)."""
    key = f"progress.code.{code}"
    return t(key) if has(key) else code


def _bar_layout(fig: go.Figure, rows: int, x_title: str, x_max: float) -> go.Figure:
    """Horizontal bars: one row per bar, counts written level just past each bar's end."""
    fig.update_traces(textposition="outside", textangle=0, cliponaxis=False, selector={"type": "bar"})
    fig.update_layout(
        height=max(180, 70 + rows * BAR_HEIGHT),
        showlegend=False,
        uniformtext={"minsize": 11, "mode": "show"},
        xaxis={"title": x_title, "range": [0, max(1.0, float(x_max)) * 1.18]},
        yaxis={"autorange": "reversed", "automargin": True},
        bargap=0.25,
    )
    return fig


def status_chart(board: pd.DataFrame, t: Translate) -> go.Figure:
    """Units per status, in workflow order, coloured like traffic."""
    counts = board["status"].value_counts().reindex(UNIT_STATUSES, fill_value=0)
    fig = go.Figure(
        go.Bar(
            x=counts.to_numpy(),
            y=[t(f"progress.status.{s}") for s in counts.index],
            orientation="h",
            marker={"color": [STATUS_COLOURS[s] for s in counts.index]},
            text=counts.to_numpy(),
            hovertemplate="%{y}: %{x}<extra></extra>",
        )
    )
    return _bar_layout(fig, len(counts), t("sub.units_axis"), counts.max())


def missing_text(
    materials: tuple[str, ...], submitted: bool, t: Translate, counts: dict[str, object] | None = None
) -> str:
    """Missing paper materials as a short list, with how many copies are short where counted."""
    if not submitted:
        return t("progress.material.all")
    if not materials:
        return t("progress.material.none")
    parts = []
    for m in materials:
        short = (counts or {}).get(m)
        label = t(f"progress.material.{m}")
        parts.append(t("progress.material.short", item=label, n=int(short)) if _counted(short) else label)  # type: ignore[arg-type]
    return "、".join(parts)


def _counted(value: object) -> bool:
    return value is not None and not pd.isna(value) and int(value) > 0  # type: ignore[arg-type, call-overload]


def _shortfalls(row: pd.Series) -> dict[str, object]:
    return {"id_copies": row.get("id_copies_missing"), "consents": row.get("consents_missing")}


STATUS_URGENCY = {"not_started": 0, "errors": 1, "returned": 2, "clean": 3, "submitted": 4, "approved": 5}


def hours_text(value: object) -> str:
    """Hours before (+) or after (−) the deadline, one decimal; empty when not submitted.

    >>> hours_text(24.0), hours_text(-2.25), hours_text(float("nan"))
    ('+24.0', '−2.2', '')
    """
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    number = float(value)  # type: ignore[arg-type]
    return f"+{number:.1f}" if number >= 0 else f"−{abs(number):.1f}"


def by_urgency(board: pd.DataFrame) -> pd.DataFrame:
    """The board's units, the most urgent first (the unit table's order): late, then most days
    overdue, at risk, by status, by code."""
    return board.assign(
        _urgency=board["status"].map(STATUS_URGENCY),
        _late=~board["overdue"].astype(bool),
        _risk=~board["at_risk"].astype(bool),
    ).sort_values(["_late", "days_overdue", "_risk", "_urgency", "code"], ascending=[True, False, True, True, True])


def submissions_table(
    board: pd.DataFrame, t: Translate, cutoff: datetime | None = None, lang: str = "zh"
) -> tuple[pd.DataFrame, dict[str, object]]:
    """The unit table with the user's column names, the most urgent units first, and its
    column configuration. Optional times and hours are text, so empty cells stay empty. With a
    cut-off, a countdown column ("还剩 1 天 18 小时", "已超期 4 小时", "已报送")."""
    board = by_urgency(board)
    submitted = board["last_submitted_at"].notna()
    columns: dict[str, object] = {
        t("sub.col.unit"): board["unit_name"],
        t("sub.col.status"): [t(f"progress.status.{s}") for s in board["status"]],
        t("sub.col.due"): to_local(board["due_at"]),
        **({t("sub.col.countdown"): [
            countdown(None if pd.isna(d) else pd.Timestamp(d).to_pydatetime(), cutoff, lang,
                      done=s in SUBMITTED_STATUSES, done_key="cd.submitted")
            for d, s in zip(board["due_at"], board["status"], strict=True)
        ]} if cutoff is not None else {}),
        t("sub.col.days_overdue"): board["days_overdue"].round(1),
        t("sub.col.open_errors"): board["open_errors"].astype("int64"),
        t("sub.col.missing"): [
            missing_text(m, s, t, {"id_copies": copies, "consents": consents})
            for m, s, copies, consents in zip(
                board["missing_materials"], submitted, board["id_copies_missing"], board["consents_missing"], strict=True
            )
        ],
        t("sub.col.contact"): board["contact_name"].fillna(""),
        t("sub.col.phone"): board["contact_phone"].fillna(""),
        t("sub.col.submitted_at"): [local_text(v) for v in board["first_submitted_at"]],
        t("sub.col.hours_early"): [hours_text(v) for v in board["hours_early"]],
        t("sub.col.extended"): board["extended"].astype(bool),
        t("sub.col.expected"): board["expected_members"].astype("int64"),
        t("sub.col.outstanding"): board["members_outstanding"].astype("int64"),
        t("sub.col.last_chase"): [local_text(v) for v in board["last_chase_at"]],
    }
    if board["area_name"].nunique() > 1:
        columns[t("sub.col.area")] = board["area_name"]
    frame = pd.DataFrame(columns).reset_index(drop=True)
    config: dict[str, object] = {
        t("sub.col.unit"): st.column_config.TextColumn(pinned=True, width="medium"),
        t("sub.col.due"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
        t("sub.col.extended"): st.column_config.CheckboxColumn(width="small"),
        t("sub.col.hours_early"): st.column_config.TextColumn(help=t("sub.table_caption")),
        t("sub.col.days_overdue"): st.column_config.NumberColumn(format="%.1f"),
        t("sub.col.open_errors"): st.column_config.NumberColumn(format="%d"),
        t("sub.col.expected"): st.column_config.NumberColumn(format="%d"),
        t("sub.col.outstanding"): st.column_config.NumberColumn(format="%d"),
    }
    return frame, config


def chase_state(row: pd.Series, t: Translate, cutoff: datetime, lang: str = "zh") -> str:
    """The unit's status and its countdown: '已上传有错误，已超期 4 小时', '未上传，还剩 1 天 18 小时'
    (hours under two days; a submitted unit is never shown as overdue)."""
    due = None if pd.isna(row["due_at"]) else pd.Timestamp(row["due_at"]).to_pydatetime()
    done = row["status"] in SUBMITTED_STATUSES
    return t("sub.state_due", status=t(f"progress.status.{row['status']}"),
             countdown=countdown(due, cutoff, lang, done=done, done_key="cd.submitted"))


def last_chase_text(row: pd.Series, t: Translate) -> str:
    """The last chase in one line, or 'not contacted yet' (markdown: user text escaped)."""
    if pd.isna(row.get("last_chase_at")):
        return t("sub.never_chased")
    text = t(
        "sub.last_chase",
        when=local_text(row["last_chase_at"]),
        channel=t(f"progress.channel.{row['last_chase_channel']}"),
        by=md(row["last_chase_by"]),
        note=md(row["last_chase_note"]),
    )
    if not pd.isna(row.get("last_promised_date")):
        text += t("sub.promised", day=pd.Timestamp(row["last_promised_date"]).strftime("%m-%d"))
    return text


def reminder_for(row: pd.Series, cutoff: datetime) -> str:
    """The Chinese reminder for one row of the submissions board."""
    due = None if pd.isna(row["due_at"]) else utc_to_local(pd.Timestamp(row["due_at"]).to_pydatetime())
    promised = None if pd.isna(row.get("last_promised_date")) else pd.Timestamp(row["last_promised_date"]).date()
    facts = ReminderFacts(
        unit_name=row["unit_name"],
        status=row["status"],
        now=utc_to_local(cutoff),
        due_at=due,
        contact_name=row["contact_name"],
        area_name=row["area_name"],
        liaison_name=row["liaison_name"],
        liaison_phone=row["liaison_phone"],
        open_errors=int(row["open_errors"]),
        missing_materials=tuple(row["missing_materials"]),
        missing_counts={k: int(v) for k, v in _shortfalls(row).items() if _counted(v)},  # type: ignore[call-overload]
        return_reason=None if pd.isna(row.get("return_reason")) else row["return_reason"],
        promised_date=promised,
    )
    return reminder_text(facts, "zh")


# --- validation page ------------------------------------------------------------------


def by_code_chart(codes: pd.DataFrame, t: Translate) -> go.Figure:
    """Open findings per code: errors (red) first, then warnings (amber), most first in each."""
    shown = codes[codes["open"] > 0].assign(rank=lambda f: (f["severity"] != "error").astype(int))
    shown = shown.sort_values(["rank", "open"], ascending=[True, False])
    fig = go.Figure(
        go.Bar(
            x=shown["open"],
            y=[code_label(c, t) for c in shown["code"]],
            orientation="h",
            marker={"color": [SEVERITY_COLOURS.get(s, "#7f8c8d") for s in shown["severity"]]},
            text=shown["open"],
            customdata=[t(f"progress.severity.{s}") for s in shown["severity"]],
            hovertemplate="%{y}（%{customdata}）: %{x}<extra></extra>",
        )
    )
    return _bar_layout(fig, len(shown), t("val.findings_axis"), shown["open"].max() if not shown.empty else 1)


def trend_chart(trend: pd.DataFrame, t: Translate) -> go.Figure:
    """Errors raised per day as bars, errors open at each day's end as a line."""
    days = pd.to_datetime(trend["day"])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=days, y=trend["raised"], name=t("val.trend_raised"), marker={"color": "#f5b7b1"}))
    fig.add_trace(
        go.Scatter(x=days, y=trend["open"], name=t("val.trend_open"), mode="lines+markers",
                   line={"color": components.TRAFFIC_RED, "width": 2}, marker={"size": 5})
    )
    fig.update_layout(
        height=320,
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        xaxis={"tickformat": "%m-%d"},
        yaxis={"rangemode": "tozero"},
        hovermode="x unified",
    )
    return fig


def attempts_chart(attempts: pd.DataFrame, t: Translate, cap: int = 4) -> go.Figure:
    """Units by the upload that was first clean: 1st, 2nd, ..., cap+, not yet."""
    labels: list[str] = []
    values: list[int] = []
    colours: list[str] = []
    clean = attempts.dropna(subset=["attempts_until_clean"])
    for n in range(1, cap + 1):
        chosen = clean["attempts_until_clean"] >= n if n == cap else clean["attempts_until_clean"] == n
        labels.append(t("val.attempts_more", n=n) if n == cap else t("val.attempts_n", n=n))
        values.append(int(clean.loc[chosen, "units"].sum()))
        colours.append(components.TRAFFIC_GREEN if n == 1 else components.PALETTE[1])
    labels.append(t("val.attempts_never"))
    values.append(int(attempts.loc[attempts["attempts_until_clean"].isna(), "units"].sum()))
    colours.append(components.TRAFFIC_RED)
    fig = go.Figure(
        go.Bar(x=values, y=labels, orientation="h", marker={"color": colours}, text=values,
               hovertemplate="%{y}: %{x}<extra></extra>")
    )
    return _bar_layout(fig, len(labels), t("sub.units_axis"), max(values))


def units_table(units: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """Units with open findings, with the user's column names."""
    return pd.DataFrame(
        {
            t("val.col.unit"): units["unit_name"],
            t("val.col.area"): units["area_name"],
            t("val.col.open_errors"): units["open_errors"].astype("int64"),
            t("val.col.open_warnings"): units["open_warnings"].astype("int64"),
            t("val.col.uploads"): units["uploads"].astype("int64"),
            t("val.col.last_upload"): to_local(units["last_upload_at"]),
            t("val.col.contact"): units["contact_name"],
            t("tl.link"): [unit_link("timeline", u) for u in units["unit_id"]],
        }
    )


def units_config(units: pd.DataFrame, t: Translate) -> dict[str, object]:
    """Column configuration of the units table (error counts as bars, a link to the timeline)."""
    top = int(units["open_errors"].max()) if not units.empty else 1
    return {
        t("tl.link"): st.column_config.LinkColumn(display_text=t("tl.link_text")),
        t("val.col.unit"): st.column_config.TextColumn(pinned=True, width="medium"),
        t("val.col.open_errors"): st.column_config.ProgressColumn(format="%d", min_value=0, max_value=max(top, 1), color="red"),
        t("val.col.last_upload"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
    }


def findings_table(findings: pd.DataFrame, t: Translate) -> pd.DataFrame:
    """One unit's findings with the user's column names."""
    return pd.DataFrame(
        {
            t("val.col.row"): findings["row"],
            t("val.col.code"): [code_label(c, t) for c in findings["code"]],
            t("val.col.message"): findings["message"],
            t("val.col.suggestion"): findings["suggestion"].fillna(""),
            t("val.col.column"): findings["column"],
            t("val.col.severity"): [t(f"progress.severity.{s}") for s in findings["severity"]],
            t("val.col.state"): [t("val.state_open") if o else t("val.state_closed") for o in findings["is_open"]],
            t("val.col.uploaded_at"): to_local(findings["raised_at"]),
            t("val.col.file"): findings["file_name"],
        }
    )


def findings_config(t: Translate) -> dict[str, object]:
    """Column configuration of the findings table."""
    return {
        t("val.col.row"): st.column_config.NumberColumn(format="%d", width="small", pinned=True),
        t("val.col.message"): st.column_config.TextColumn(width="large"),
        t("val.col.suggestion"): st.column_config.TextColumn(width="large"),
        t("val.col.uploaded_at"): st.column_config.DatetimeColumn(format="MM-DD HH:mm"),
    }
