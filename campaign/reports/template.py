"""The blank 《申报会员服务卡个人信息采集表》: ID and phone columns as text, length checks, 说明 sheet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import xlsxwriter

from campaign.i18n import t
from campaign.masking import neutralise_cell

COLUMNS = ("seq", "name", "id", "phone", "dept")
WIDTHS = (6, 12, 24, 16, 18)
TEMPLATE_ROWS = 1000
HEADER_ROW = 2  # 0-based: title, unit line, header


def write_template(target: str | Path | IO[bytes], unit_name: str = "", lang: str = "zh") -> None:
    """Write the blank personal-information sheet (optionally with the card unit filled in)."""
    book = xlsxwriter.Workbook(target, {"strings_to_formulas": False})
    title = book.add_format({"bold": True, "font_size": 16, "align": "center"})
    header = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#D9E1F2"})
    text = book.add_format({"num_format": "@", "border": 1})
    plain = book.add_format({"border": 1})
    sheet = book.add_worksheet(t("template.sheet_data", lang))
    last_col = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last_col, t("template.title", lang), title)
    unit_line = t("template.unit_line", lang) + neutralise_cell(unit_name)  # type: ignore[operator]
    sheet.merge_range(1, 0, 1, last_col, unit_line)
    for col, (kind, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True)):
        sheet.write_string(HEADER_ROW, col, t(f"report.col_{kind}", lang), header)
        style = text if kind in ("id", "phone") else plain
        sheet.set_column(col, col, width, style)
    first, last = HEADER_ROW + 1, HEADER_ROW + TEMPLATE_ROWS
    id_col, phone_col = COLUMNS.index("id"), COLUMNS.index("phone")
    sheet.data_validation(
        first,
        id_col,
        last,
        id_col,
        {
            "validate": "length",
            "criteria": "==",
            "value": 18,
            "input_title": t("template.id_rule_title", lang),
            "input_message": t("template.id_rule", lang),
            "error_title": t("template.id_rule_title", lang),
            "error_message": t("template.id_rule", lang),
        },
    )
    sheet.data_validation(
        first,
        phone_col,
        last,
        phone_col,
        {
            "validate": "length",
            "criteria": "==",
            "value": 11,
            "input_title": t("template.phone_rule_title", lang),
            "input_message": t("template.phone_rule", lang),
            "error_title": t("template.phone_rule_title", lang),
            "error_message": t("template.phone_rule", lang),
        },
    )
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    help_sheet = book.add_worksheet(t("template.sheet_help", lang))
    help_sheet.set_column(0, 0, 110, book.add_format({"text_wrap": True, "valign": "top"}))
    for row, line in enumerate(t("template.help", lang).split("\n")):
        help_sheet.write_string(row, 0, line)
    sheet.activate()
    book.close()


def template_bytes(unit_name: str = "", lang: str = "zh") -> bytes:
    """The template as bytes (for a download button)."""
    buffer = io.BytesIO()
    write_template(buffer, unit_name, lang)
    return buffer.getvalue()
