"""The day's chase sheet as text rows and as an Excel workbook (one sheet, prints on A4).

Takes the frame ``data_access.chase.chase_sheet`` returns; no SQL, no Streamlit. Unit contact
phones are the unit's work contact (a liaison calls them), so they are written in full; no
member's personal data is on the sheet. Every text cell is neutralised (no formulas).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import _utf16_len, _utf16_truncate

from campaign.distinct import per_combination, per_value
from campaign.i18n import has, t
from campaign.masking import neutralise_cell
from campaign.reminders import countdown_text
from campaign.reports.markup import _COLUMN_LETTERS, _inline
from campaign.reports.progress_workbook import display_width, finish, new_workbook, print_setup
from campaign.stages import SUBMITTED_STATUSES
from campaign.timeutil import TZ, utc_to_local

XLS_STRMAX = 32767  # xlsxwriter's limit on a string cell
PAPER = ("sheet", "unit_form", "id_copies", "consents")
# (column key in ``display_frame``, label key, Excel width cap)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("no", "chase.col.no", 6),
    ("district", "chase.col.district", 14),
    ("area", "chase.col.area", 16),
    ("unit", "chase.col.unit", 34),
    ("contact", "chase.col.contact", 10),
    ("phone", "chase.col.phone", 14),
    ("status", "chase.col.status", 14),
    ("due", "chase.col.due", 17),
    ("countdown", "chase.col.countdown", 16),
    ("reasons", "chase.col.reasons", 22),
    ("missing", "chase.col.missing", 26),
    ("errors", "chase.col.errors", 9),
    ("bank", "chase.col.bank", 10),
    ("contacted", "chase.col.contacted", 10),
    ("last", "chase.col.last", 30),
    ("reminder", "chase.col.reminder", 70),
)


def _present(value: object) -> bool:
    if value is None:
        return False
    try:
        return not bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return True


def _local(value: object) -> datetime | None:
    return utc_to_local(pd.Timestamp(value).to_pydatetime()) if _present(value) else None  # type: ignore[arg-type]


def countdown_for(row: Mapping[str, Any], cutoff: datetime, lang: str = "zh") -> str:
    """"还剩 1 天 18 小时" / "已超期 4 小时" / "已报送" for one row (times naive UTC)."""
    done = row["status"] in SUBMITTED_STATUSES
    return countdown_text(_local(row["due_at"]), utc_to_local(cutoff), lang, done=done)


def missing_for(row: Mapping[str, Any], lang: str = "zh") -> str:
    """The paper still missing, with copies short where a receipt counted them."""
    materials = tuple(row["missing_materials"] or ())
    if not _present(row.get("last_submitted_at")):
        return t("progress.material.all", lang)
    if not materials:
        return t("progress.material.none", lang)
    parts = []
    for name in materials:
        short = row.get(f"{name}_missing")
        label = t(f"progress.material.{name}", lang)
        parts.append(t("progress.material.short", lang, item=label, n=int(short)) if _present(short) and int(short) > 0 else label)
    return ("、" if lang != "en" else ", ").join(parts)


def reasons_for(row: Mapping[str, Any], lang: str = "zh") -> str:
    """Why the unit is on the sheet, in words."""
    return ("、" if lang != "en" else ", ").join(t(f"chase.reason.{r}", lang) for r in row["reasons"])


def status_for(row: Mapping[str, Any], lang: str = "zh") -> str:
    key = f"progress.status.{row['status']}"
    return t(key, lang) if has(key) else str(row["status"])


def channel_for(channel: object, lang: str = "zh") -> str:
    """"电话" for ``phone``; a channel the catalogue lacks as it is."""
    return t(f"progress.channel.{channel}", lang) if has(f"progress.channel.{channel}") else str(channel or "")


def last_contact_for(row: Mapping[str, Any], lang: str = "zh") -> str:
    """"11-19 15:20 电话 李强：答应周五前上报" (empty when never contacted)."""
    at = _local(row.get("last_chase_at"))
    if at is None:
        return ""
    channel_text = channel_for(row.get("last_chase_channel"), lang)
    who = str(row.get("last_chase_by") or "") if _present(row.get("last_chase_by")) else ""
    note = str(row.get("last_chase_note") or "") if _present(row.get("last_chase_note")) else ""
    text = f"{at:%m-%d %H:%M} {channel_text} {who}".strip()
    return f"{text}：{note}" if note else text


def _local_texts(column: pd.Series, fmt: str) -> list[str]:
    """``f"{_local(v):{fmt}}"`` for every value of a column of naive UTC times, "" for a null;
    converted to Shanghai time and formatted as one column (a city has 9,000 distinct times of
    last contact)."""
    at = pd.to_datetime(column)
    present = at.notna().to_numpy()
    out = [""] * len(at)
    texts = at[present].dt.tz_localize("UTC").dt.tz_convert(TZ).dt.strftime(fmt).tolist()
    for position, text in zip(np.flatnonzero(present).tolist(), texts, strict=True):
        out[position] = text
    return out


def display_frame(sheet: pd.DataFrame, cutoff: datetime, lang: str = "zh") -> pd.DataFrame:
    """The sheet as the user reads it: one text or number per cell, keyed by ``COLUMNS``.

    Built column by column (the table view and the Excel file show a city's 38,000 rows): every
    text is the row-wise function's above (``status_for``, ``countdown_for`` ...), called once
    per distinct value of what it reads; only a unit's own names and numbers are per row.
    """
    size = len(sheet)
    if not size:
        return pd.DataFrame([], columns=[key for key, _, _ in COLUMNS])

    def column(name: str) -> pd.Series:
        return sheet[name] if name in sheet.columns else pd.Series([None] * size, index=sheet.index, dtype=object)

    def text_or_empty(name: str) -> Any:  # str(value) if _present(value) else ""
        values = column(name)
        if values.dtype == "str":  # already text: no trip through Python strings
            return values.fillna("").array
        present = values.notna().to_numpy().tolist()
        return [str(value) if on else "" for value, on in zip(values.tolist(), present, strict=True)]

    def as_text(name: str) -> Any:  # str(value)
        values = sheet[name]
        if values.dtype == "str" and not values.isna().any():
            return values.array
        return [str(value) for value in values.tolist()]

    def tuples(name: str) -> pd.Series:  # hashable, as the texts read them
        return pd.Series([tuple(values or ()) for values in sheet[name].tolist()], index=sheet.index, dtype=object)

    submitted = column("last_submitted_at").notna()
    contacted_at = _local_texts(column("contacted_today_at"), "%H:%M")
    last_at = _local_texts(column("last_chase_at"), "%m-%d %H:%M")
    channels = per_value(column("last_chase_channel"), lambda channel: channel_for(channel, lang))
    who = per_value(column("last_chase_by"), lambda by: str(by or "") if _present(by) else "")
    notes = per_value(column("last_chase_note"), lambda note: str(note or "") if _present(note) else "")
    return pd.DataFrame({
        "no": range(1, size + 1),
        "district": per_value(column("district_name"), lambda name: str(name or "")),
        "area": text_or_empty("area_name"),
        "unit": as_text("unit_name"),
        "contact": text_or_empty("contact_name"),
        "phone": text_or_empty("contact_phone"),
        "status": per_value(sheet["status"], lambda status: status_for({"status": status}, lang)),
        "due": _local_texts(sheet["due_at"], "%Y-%m-%d %H:%M"),
        "countdown": per_combination(
            [sheet["status"], sheet["due_at"]], lambda status, due: countdown_for({"status": status, "due_at": due}, cutoff, lang),
        ),
        "reasons": per_value(tuples("reasons"), lambda reasons: reasons_for({"reasons": reasons}, lang)),
        "missing": per_combination(
            [submitted, tuples("missing_materials"), *(column(f"{name}_missing") for name in PAPER)],
            lambda on, names, *short: missing_for({
                "last_submitted_at": 1 if on else None, "missing_materials": names,
                **{f"{name}_missing": n for name, n in zip(PAPER, short, strict=True)},
            }, lang),
        ),
        "errors": [int(n or 0) for n in sheet["open_errors"].tolist()],
        "bank": [int(n or 0) for n in sheet["bank_failures_open"].tolist()],
        "contacted": [
            at if bool(on) and at else "" for on, at in zip(sheet["contacted_today"].tolist(), contacted_at, strict=True)
        ],
        "last": [
            "" if not at else (f"{text}：{note}" if note else text)
            for at, text, note in zip(
                last_at, (f"{at} {channel} {by}".strip() for at, channel, by in zip(last_at, channels, who, strict=True)),
                notes, strict=True,
            )
        ],
        "reminder": as_text("reminder"),
    }, columns=[key for key, _, _ in COLUMNS])


def chase_workbook(
    sheet: pd.DataFrame,
    *,
    campaign_name: str,
    scope_label: str,
    as_of: date,
    cutoff: datetime,
    exported_by: str,
    lang: str = "zh",
) -> bytes:
    """One sheet: a title, a subtitle (campaign, scope, as-of, count, who), a frozen header
    row with a filter, every cell text or number (no formulas), the reminder wrapped."""
    frame = display_frame(sheet, cutoff, lang)
    buffer, book, fmt = new_workbook()
    wrap = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "text_wrap": True,
                            "border": 1, "border_color": "#d0d0d0"})
    top = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "border": 1, "border_color": "#d0d0d0"})
    number = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "border": 1,
                              "border_color": "#d0d0d0", "num_format": "0"})
    ws = book.add_worksheet(t("chase.xlsx.sheet", lang)[:31])
    part = f"xl/worksheets/sheet{len(book.worksheets())}.xml"
    style = {name: f' s="{format_._get_xf_index()}"' for name, format_ in (
        ("title", fmt.title), ("subtitle", fmt.subtitle), ("header", fmt.header), ("wrap", wrap), ("top", top), ("number", number))}
    title = t("chase.xlsx.title", lang)
    subtitle = t("chase.xlsx.subtitle", lang, campaign=campaign_name, scope=scope_label,
                 when=f"{utc_to_local(cutoff):%Y-%m-%d %H:%M}" if as_of >= utc_to_local(cutoff).date() else as_of.isoformat(),
                 n=len(frame), by=exported_by)
    header = 2
    columns = [c for c in COLUMNS if c[0] != "district" or frame["district"].nunique() > 1]
    # the cells as sheet XML column by column, spliced in by ``finish`` (xlsxwriter's per-cell
    # calls took most of the 6 s a city's 38,000 rows took)
    n = len(frame)
    cells: list[list[str]] = []
    labels = []
    for col, (key, label_key, cap) in enumerate(columns):
        letter = _COLUMN_LETTERS[col]
        refs = [f"{letter}{r}" for r in range(header + 2, header + 2 + n)]
        label = t(label_key, lang)
        labels.append(_inline(f"{letter}{header + 1}", label, style["header"]))
        values = frame[key].tolist()
        texts = [str(value) for value in values]
        if key in ("no", "errors", "bank"):
            cells.append([f'<c r="{ref}"{style["number"]}><v>{float(value):.16G}</v></c>' for ref, value in zip(refs, values, strict=True)])
        else:
            kind = style["wrap"] if key in ("reminder", "last", "missing", "unit") else style["top"]
            cells.append([_inline(ref, _excel_text(str(neutralise_cell(text))), kind) for ref, text in zip(refs, texts, strict=True)])
        ws.set_column(col, col, _width(label, texts, cap))
    rows = [
        f'<row r="1">{_inline("A1", _excel_text(str(neutralise_cell(title))), style["title"])}</row>',
        f'<row r="2">{_inline("A2", _excel_text(str(neutralise_cell(subtitle))), style["subtitle"])}</row>',
        f'<row r="{header + 1}">{"".join(labels)}</row>',
    ]
    rows.extend(f'<row r="{header + 2 + k}">{"".join(row)}</row>' for k, row in enumerate(zip(*cells, strict=True)))
    bodies = {part: ("<sheetData>" + "".join(rows) + "</sheetData>", f"A1:{_COLUMN_LETTERS[len(columns) - 1]}{header + 1 + n}")}
    ws.freeze_panes(header + 1, 0)
    ws.autofilter(header, 0, header + max(len(frame), 1), len(columns) - 1)
    print_setup(ws, title, subtitle, lang, repeat_row=header)
    return finish(buffer, book, bodies)


def _excel_text(text: str) -> str:
    """The text as xlsxwriter's ``write_string`` stores it (cut at 32,767 UTF-16 units)."""
    if len(text) > XLS_STRMAX // 2 and _utf16_len(text) > XLS_STRMAX:
        return _utf16_truncate(text, XLS_STRMAX)  # type: ignore[no-any-return]
    return text


def _width(label: str, texts: list[str], cap: int) -> int:
    """``min(max(display_width(x) + 2 for x in [label, *texts]), cap)`` without measuring
    every text: a text at most as wide as twice its length, and the cap reached, end it."""
    widest = display_width(label) + 2
    for text in texts:
        if widest >= cap:
            break
        if 2 * len(text) + 2 > widest:
            widest = max(widest, display_width(text) + 2)
    return min(widest, cap)
