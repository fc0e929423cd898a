"""The chase sheet's display texts as they were written row by row, before they were written
per column: the oracle ``test_chase_oracle`` and ``test_chase_texts_oracle`` both compare with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pandas as pd

from campaign.i18n import has, t
from campaign.reports import chase_sheet as sheet_text


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    columns = list(frame.columns)
    return [dict(zip(columns, values, strict=True)) for values in zip(*(frame[c].tolist() for c in columns), strict=True)]


def old_last_contact_for(row: Mapping[str, Any], lang: str = "zh") -> str:
    at = sheet_text._local(row.get("last_chase_at"))
    if at is None:
        return ""
    channel = row.get("last_chase_channel")
    channel_text = t(f"progress.channel.{channel}", lang) if has(f"progress.channel.{channel}") else str(channel or "")
    who = str(row.get("last_chase_by") or "") if sheet_text._present(row.get("last_chase_by")) else ""
    note = str(row.get("last_chase_note") or "") if sheet_text._present(row.get("last_chase_note")) else ""
    text = f"{at:%m-%d %H:%M} {channel_text} {who}".strip()
    return f"{text}：{note}" if note else text


def old_display_frame(sheet: pd.DataFrame, cutoff: datetime, lang: str = "zh") -> pd.DataFrame:
    """``display_frame`` as it was: row by row (the row helpers it called are unchanged)."""
    present = sheet_text._present
    rows = []
    for number, row in enumerate(records(sheet), start=1):
        due = sheet_text._local(row["due_at"])
        contacted = sheet_text._local(row.get("contacted_today_at"))
        rows.append({
            "no": number,
            "district": str(row.get("district_name") or ""),
            "area": str(row["area_name"]) if present(row.get("area_name")) else "",
            "unit": str(row["unit_name"]),
            "contact": str(row["contact_name"]) if present(row.get("contact_name")) else "",
            "phone": str(row["contact_phone"]) if present(row.get("contact_phone")) else "",
            "status": sheet_text.status_for(row, lang),
            "due": f"{due:%Y-%m-%d %H:%M}" if due else "",
            "countdown": sheet_text.countdown_for(row, cutoff, lang),
            "reasons": sheet_text.reasons_for(row, lang),
            "missing": sheet_text.missing_for(row, lang),
            "errors": int(row["open_errors"] or 0),
            "bank": int(row["bank_failures_open"] or 0),
            "contacted": f"{contacted:%H:%M}" if bool(row["contacted_today"]) and contacted else "",
            "last": old_last_contact_for(row, lang),
            "reminder": str(row["reminder"]),
        })
    return pd.DataFrame(rows, columns=[key for key, _, _ in sheet_text.COLUMNS])
