"""The hand-off file for the city card system: one row per issued card of a scope (member, unit
with its hierarchy, card number masked as the bank sent it, the dates of each step), as xlsx
and as CSV (UTF-8 with BOM). ID numbers and card numbers are written as text, never formulas.
"""

from __future__ import annotations

import csv
import io
from typing import Final

import pandas as pd
import xlsxwriter

from campaign.i18n import t
from campaign.masking import neutralise_cell

# (frame column, label key, width); dates are local calendar days (Asia/Shanghai).
COLUMNS: Final = (
    ("name", "ho.col_name", 12),
    ("id_number", "ho.col_id", 22),
    ("card_unit_name", "ho.col_card_unit", 36),
    ("unit_name", "ho.col_unit", 24),
    ("area_name", "ho.col_area", 16),
    ("district_name", "ho.col_district", 16),
    ("card_number", "ho.col_card", 24),
    ("produced_on", "ho.col_produced", 12),
    ("received_on", "ho.col_received", 12),
    ("delivered_on", "ho.col_delivered", 12),
    ("activated_on", "ho.col_activated", 12),
)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(neutralise_cell(str(value)))


def handoff_xlsx(rows: pd.DataFrame, lang: str = "zh") -> bytes:
    """The hand-off workbook (one sheet, header row, every cell text)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(t("ho.sheet", lang))
    for col, (_, key, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width, text)
        sheet.write_string(0, col, t(key, lang), bold)
    values = [rows[c].tolist() if c in rows.columns else [None] * len(rows) for c, _, _ in COLUMNS]
    for r, line in enumerate(zip(*values, strict=True), start=1):
        for col, value in enumerate(line):
            sheet.write_string(r, col, _text(value), text)
    book.close()
    return buffer.getvalue()


def handoff_csv(rows: pd.DataFrame, lang: str = "zh") -> bytes:
    """The same rows as CSV in UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([t(key, lang) for _, key, _ in COLUMNS])
    values = [rows[c].tolist() if c in rows.columns else [None] * len(rows) for c, _, _ in COLUMNS]
    for line in zip(*values, strict=True):
        writer.writerow([_text(v) for v in line])
    return buffer.getvalue().encode("utf-8-sig")
