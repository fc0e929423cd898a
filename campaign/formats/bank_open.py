"""The bank's batch card-opening file: clean members, one .xlsx per card unit.

Columns: 办卡单位, 姓名, 证件类型 (身份证), 证件号码, 手机号码 — ID and phone written as text.
"""

from __future__ import annotations

import io
import re

import pandas as pd
import xlsxwriter

from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.validate import Result

COLUMNS = ("unit", "name", "id_type", "id", "phone")
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\s]+')


def file_name(card_unit: str, lang: str = "zh") -> str:
    """A safe file name for a card unit's file."""
    stem = _UNSAFE_NAME.sub("_", card_unit).strip("_") or "unit"
    return f"{stem}_{t('bank.file_suffix', lang)}.xlsx"


def write_bank_file(members: pd.DataFrame, card_unit: str, lang: str = "zh") -> bytes:
    """One card unit's batch-opening workbook from members (columns name, id_number, phone)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet()
    for col, key in enumerate(COLUMNS):
        sheet.write_string(0, col, t(f"bank.col_{key}", lang), bold)
        sheet.set_column(col, col, 24 if key in ("unit", "id") else 14, text)
    id_type = t("bank.id_type", "zh")
    unit = neutralise_cell(card_unit)
    rows = zip(
        members["name"].tolist(),
        members["id_number"].tolist(),
        members["phone"].tolist(),
        strict=True,
    )
    for r, (name, number, phone) in enumerate(rows, start=1):
        sheet.write_string(r, 0, unit, text)
        sheet.write_string(r, 1, neutralise_cell(name), text)
        sheet.write_string(r, 2, id_type, text)
        sheet.write_string(r, 3, number, text)
        sheet.write_string(r, 4, phone, text)
    book.close()
    return buffer.getvalue()


def bank_files(result: Result, registered_unit: str | None = None, lang: str = "zh") -> dict[str, bytes]:
    """File name → bytes, one file per card unit, clean rows only.

    The card unit is the registered name when given, else the sheet's own 办卡单位 line.
    """
    clean = result.clean_members()
    if registered_unit:
        groups = {registered_unit: clean}
    else:
        units = clean["card_unit"].fillna("").astype(object)
        groups = {str(unit): part for unit, part in clean.groupby(units, sort=True)}
    return {file_name(unit, lang): write_bank_file(part, unit, lang) for unit, part in groups.items()}
