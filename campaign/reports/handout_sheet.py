"""The hand-out sheet 发放签收表 of one unit: printed with masked IDs and card numbers and a
signature column, and read back once signed (身份证号码, 姓名, 签收日期).

Reading goes through the safe sheet readers (size, zip-bomb and XML checks, one boundary for
parser failures), as ``campaign.reconcile.read_bank_list`` does.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Final

import pandas as pd
import xlsxwriter

from campaign.errors import IngestError, NoHeader, TooManyRows
from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.reconcile import BankListEmpty
from campaign.rules import name as name_rules
from campaign.sheets import read_raw_sheets
from campaign.sheets.header import clean_text, column_kind, header_row
from campaign.sheets.model import Cell, Limits

DATE_ALIASES: Final = ("签收日期", "领取日期", "发放日期", "签收时间", "领卡日期", "日期")
SIGNED_COLUMNS: Final = ("id_number", "name", "signed_on", "sheet_row")
COLUMNS: Final = ("seq", "name", "id", "card", "signed_on", "signature")
WIDTHS: Final = (6, 12, 22, 24, 14, 18)
_DATE_RE = re.compile(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})")
_EXCEL_EPOCH = date(1899, 12, 30)


class SignedSheetColumnsMissing(IngestError):
    """The sheet names no ID-number column (or no signing-date column)."""

    key = "cards.signed_missing_columns"


def handout_workbook(
    unit_name: str, campaign_name: str, rows: Sequence[tuple[str, str, str]], lang: str = "zh"
) -> bytes:
    """The printable 发放签收表: rows of (name, masked ID, masked card number), empty date and
    signature cells to fill in by hand. Every text cell is written as text, never a formula."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"strings_to_formulas": False, "strings_to_numbers": False})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    header = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#D9E1F2"})
    cell = book.add_format({"border": 1, "num_format": "@"})
    tall = book.add_format({"border": 1})
    sheet = book.add_worksheet(t("cards.sheet_name", lang))
    last = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last, t("cards.sheet_title", lang), title)
    sheet.merge_range(1, 0, 1, last, str(neutralise_cell(f"{campaign_name} · {t('cards.sheet_unit', lang)}{unit_name}")))
    for col, (kind, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        sheet.write_string(2, col, t(f"cards.col_{kind}", lang), header)
        sheet.set_column(col, col, width)
    for k, (name, id_masked, card_masked) in enumerate(rows):
        row = 3 + k
        sheet.set_row(row, 28)
        sheet.write_number(row, 0, k + 1, tall)
        for col, value in ((1, name), (2, id_masked), (3, card_masked)):
            sheet.write_string(row, col, str(neutralise_cell(value or "")), cell)
        sheet.write_blank(row, 4, None, cell)
        sheet.write_blank(row, 5, None, tall)
    footer = 3 + len(rows) + 1
    sheet.write_string(footer, 0, t("cards.sheet_footer", lang, count=len(rows)))
    sheet.repeat_rows(2)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def parse_date(value: Cell) -> date | None:
    """A signing date from whatever the cell holds.

    >>> parse_date("2014年11月3日"), parse_date("2014/11/03"), parse_date(41946.0), parse_date("明天")
    (datetime.date(2014, 11, 3), datetime.date(2014, 11, 3), datetime.date(2014, 11, 3), None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        if 20000 < value < 80000:
            return _EXCEL_EPOCH + timedelta(days=int(value))
        return None
    match = _DATE_RE.search(unicodedata.normalize("NFKC", str(value)))
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _kind(value: Cell) -> str | None:
    kind = column_kind(value)
    if kind in ("id", "name"):
        return kind
    return "date" if clean_text(value) in DATE_ALIASES else None


def _id_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(text.split()).upper().replace("＊", "*")


def read_signed_sheet(data: bytes, file_name: str = "", limits: Limits | None = None) -> pd.DataFrame:
    """The signed hand-out sheet as rows of (id_number, name, signed_on, sheet_row); the ID may
    be masked as printed (matched then by name and mask). Raises ``IngestError``."""
    limits = limits or Limits()
    _, raws = read_raw_sheets(data, limits)
    rows: list[tuple[str, str, date | None, int]] = []
    found = False
    for raw in raws:
        header = header_row(raw, limits.header_scan_rows, _kind, lambda kinds: "id" in kinds and "name" in kinds)
        if header is None:
            continue
        first, kinds = header
        if "date" not in kinds:
            raise SignedSheetColumnsMissing()
        found = True
        columns = dict(kinds)
        for j in range(first + 1, len(raw.rows)):
            cells = raw.rows[j]

            def cell(kind: str, cells: list[Cell] = cells, columns: dict[str, int] = columns) -> Cell:
                col = columns[kind]
                return cells[col] if col < len(cells) else None

            id_number = _id_text(cell("id"))
            name = name_rules.compact(str(cell("name") or ""))
            if id_number and name:
                rows.append((id_number, name, parse_date(cell("date")), raw.first_row + j))
            if len(rows) > limits.max_rows:
                raise TooManyRows(sheet=raw.name, rows=len(rows), limit=limits.max_rows)
    if not found:
        if any(_kind(v) for raw in raws for cells in raw.rows[: limits.header_scan_rows] for v in cells):
            raise SignedSheetColumnsMissing()
        raise NoHeader()
    if not rows:
        raise BankListEmpty()
    return pd.DataFrame(rows, columns=list(SIGNED_COLUMNS))
