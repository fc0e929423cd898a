"""The bank's batch card-opening file: one .xlsx per card unit (from a checked sheet), or one
workbook per bank batch with a summary sheet and one sheet per card unit.

Columns: 办卡单位, 姓名, 证件类型 (身份证), 证件号码, 手机号码 — ID and phone written as text,
headers always in Chinese (the bank loads them), text cells defused against formulas.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

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


SHEET_NAME_MAX = 31
_SHEET_UNSAFE = re.compile(r"[\\/*?:\[\]']+")
SUMMARY_COLUMNS = ("unit", "members")


@dataclass(frozen=True)
class BatchHeader:
    """What the summary sheet of a batch workbook says about the batch."""

    reference: str
    district: str
    branch: str
    sent_at: datetime
    member_count: int


def batch_file_name(reference: str, lang: str = "zh") -> str:
    """The batch workbook's file name.

    >>> batch_file_name("PC-D1-20141030-1")
    'PC-D1-20141030-1_批量开卡.xlsx'
    """
    return file_name(reference, lang)


def sheet_names(units: list[str]) -> list[str]:
    """A valid, unique worksheet name per card unit (31 characters at most, no []:*?/\\).

    >>> sheet_names(["保税区工会/甲公司", "保税区工会/甲公司", "x" * 40])
    ['保税区工会_甲公司', '保税区工会_甲公司(2)', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx']
    """
    used: set[str] = {"批次汇总"}
    names: list[str] = []
    for unit in units:
        stem = _SHEET_UNSAFE.sub("_", unit).strip("_ ") or "unit"
        name = stem[:SHEET_NAME_MAX]
        n = 1
        while name.lower() in {u.lower() for u in used}:
            n += 1
            suffix = f"({n})"
            name = stem[: SHEET_NAME_MAX - len(suffix)] + suffix
        used.add(name)
        names.append(name)
    return names


def write_batch_workbook(header: BatchHeader, members: pd.DataFrame, lang: str = "zh") -> bytes:
    """One batch's workbook: a summary sheet, then one sheet per card unit.

    ``members`` has card_unit, name, id_number, phone (full: the bank needs them), in order.
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    text = book.add_format({"num_format": "@"})
    bold = book.add_format({"bold": True})
    groups = [(str(unit), part) for unit, part in members.groupby(members["card_unit"].astype(object), sort=False)]
    summary = book.add_worksheet("批次汇总")
    summary.set_column(0, 0, 40, text)
    summary.set_column(1, 1, 16, text)
    lines = (
        ("批次编号", header.reference), ("报送单位", header.district), ("开卡网点", header.branch),
        ("报送时间", f"{header.sent_at:%Y-%m-%d %H:%M}"), ("人数", str(header.member_count)),
    )
    for r, (label, value) in enumerate(lines):
        summary.write_string(r, 0, label, bold)
        summary.write_string(r, 1, str(neutralise_cell(value)), text)
    start = len(lines) + 1
    summary.write_string(start, 0, t("bank.col_unit", "zh"), bold)
    summary.write_string(start, 1, "人数", bold)
    for r, (unit, part) in enumerate(groups, start=start + 1):
        summary.write_string(r, 0, str(neutralise_cell(unit)), text)
        summary.write_number(r, 1, len(part))
    id_type = t("bank.id_type", "zh")
    for name, (unit, part) in zip(sheet_names([u for u, _ in groups]), groups, strict=True):
        sheet = book.add_worksheet(name)
        for col, key in enumerate(COLUMNS):
            sheet.write_string(0, col, t(f"bank.col_{key}", "zh"), bold)
            sheet.set_column(col, col, 24 if key in ("unit", "id") else 14, text)
        shown_unit = str(neutralise_cell(unit))
        rows = zip(part["name"].tolist(), part["id_number"].tolist(), part["phone"].tolist(), strict=True)
        for r, (person, number, phone) in enumerate(rows, start=1):
            sheet.write_string(r, 0, shown_unit, text)
            sheet.write_string(r, 1, str(neutralise_cell(person)), text)
            sheet.write_string(r, 2, id_type, text)
            sheet.write_string(r, 3, str(number), text)
            sheet.write_string(r, 4, str(phone), text)
    book.close()
    return buffer.getvalue()
