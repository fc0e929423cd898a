"""The marked-up workbook: the unit's own rows with bad cells coloured and commented, plus a
错误清单 sheet (summary at the top, every finding below, autofilter on).

Row numbers stay those of the uploaded sheet, so "row 17" means the same row in both files.
ID and phone columns are written as text, every text cell is neutralised against formula
injection, and nothing is ever written as a formula. Written with xlsxwriter in
constant_memory mode (rows stream to disk in order; comments only on bad cells).
"""

from __future__ import annotations

import gc
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

import xlsxwriter
import xlsxwriter.exceptions

from campaign.findings import Finding
from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.validate import Result

ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
COMMENT_BOX = {"x_scale": 2.5, "y_scale": 2}
FINDING_COLUMNS = (
    "sheet",
    "row",
    "column",
    "code",
    "severity",
    "message",
    "suggestion",
    "value",
)


def _shown(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".15G")
    return "" if value is None else str(value)


def write_markup(result: Result, target: str | Path | IO[bytes], lang: str = "zh") -> None:
    """Write the marked-up workbook of a validation result to a path or binary stream."""
    enabled = gc.isenabled()
    gc.disable()  # many small objects, no cycles: the collector's passes only cost time
    try:
        _write(result, target, lang)
    finally:
        if enabled:
            gc.enable()


def _write(result: Result, target: str | Path | IO[bytes], lang: str) -> None:
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    fmt = {
        "text": book.add_format({"num_format": "@"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "error": book.add_format({"bg_color": ERROR_FILL, "num_format": "@"}),
        "warning": book.add_format({"bg_color": WARNING_FILL, "num_format": "@"}),
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
    }
    _findings_sheet(book, result, fmt, lang)
    by_sheet: dict[str, dict[tuple[int, int], list[Finding]]] = {}
    for finding in result.findings:
        if finding.row is None:
            continue
        col = finding.col_index if finding.col_index is not None else 0
        by_sheet.setdefault(finding.sheet, {}).setdefault((finding.row, col), []).append(finding)
    for sheet in result.workbook.sheets:
        _member_sheet(book, sheet, by_sheet.get(sheet.name, {}), fmt, lang)
    book.close()


def markup_bytes(result: Result, lang: str = "zh") -> bytes:
    """The marked-up workbook as bytes (for a download button)."""
    buffer = io.BytesIO()
    write_markup(result, buffer, lang)
    return buffer.getvalue()


def _findings_sheet(book: xlsxwriter.Workbook, result: Result, fmt: dict, lang: str) -> None:
    sheet = book.add_worksheet(t("report.sheet_findings", lang)[:31])
    summary = result.summary()
    sheet.write_string(0, 0, t("report.title_findings", lang), fmt["title"])
    line = t(
        "report.summary",
        lang,
        file=summary["file"],
        as_of=summary["as_of"],
        rows=summary["rows"],
        bad_rows=summary["rows_with_errors"],
        errors=summary["errors"],
        warnings=summary["warnings"],
    )
    sheet.write_string(1, 0, neutralise_cell(line))
    verdict = "report.verdict_clean" if result.is_clean else "report.verdict_errors"
    sheet.write_string(2, 0, t(verdict, lang), fmt["bold"])
    top = 4
    for col, key in enumerate(FINDING_COLUMNS):
        sheet.write_string(top, col, t(f"report.col_{key}", lang), fmt["header"])
    row = top
    for row, finding in enumerate(result.findings, start=top + 1):
        values = (
            finding.sheet,
            finding.row,
            finding.column or "",
            finding.code,
            t(f"report.severity_{finding.severity}", lang),
            finding.message if lang == "zh" else finding.text(lang),
            finding.suggestion if lang == "zh" else finding.fix(lang),
            finding.value_shown or "",
        )
        style = fmt["error"] if finding.severity == "error" else fmt["warning"]
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, col, value)
            elif value is None:
                continue
            else:
                sheet.write_string(row, col, neutralise_cell(value), style if col == 4 else None)
    sheet.autofilter(top, 0, max(row, top), len(FINDING_COLUMNS) - 1)
    sheet.freeze_panes(top + 1, 0)
    for col, width in enumerate((12, 7, 12, 20, 7, 60, 50, 22)):
        sheet.set_column(col, col, width)
    sheet.activate()


def _member_sheet(
    book: xlsxwriter.Workbook,
    member_sheet: object,
    marks: dict[tuple[int, int], list[Finding]],
    fmt: dict,
    lang: str,
) -> None:
    from campaign.sheets.header import MemberSheet

    assert isinstance(member_sheet, MemberSheet)
    raw = member_sheet.raw
    name = raw.name[:31]
    try:
        sheet = book.add_worksheet(name)
    except xlsxwriter.exceptions.DuplicateWorksheetName:  # after truncation to 31 chars
        sheet = book.add_worksheet()
    text_cols = {member_sheet.columns[k] for k in ("id", "phone") if k in member_sheet.columns}
    for col in text_cols:
        sheet.set_column(col, col, 22, fmt["text"])
    header_row = member_sheet.header_row
    write_string, text = sheet.write_string, fmt["text"]
    by_row: dict[int, dict[int, list[Finding]]] = {}
    for (row, col), found in marks.items():
        by_row.setdefault(row, {})[col] = found
    for k, cells in enumerate(raw.rows):
        row = raw.first_row + k
        r = row - 1
        row_marks = by_row.get(row)
        if row_marks is None:  # the common case: a row with nothing to mark
            data_row = row > header_row
            for c, value in enumerate(cells):
                style = text if data_row and c in text_cols else None
                if type(value) is str:
                    if value:
                        write_string(r, c, neutralise_cell(value), style)
                elif value is None:
                    continue
                elif style is not None:
                    write_string(r, c, _shown(value), style)
                else:
                    _write_value(sheet, r, c, value, None, fmt)
            continue
        for c, value in enumerate(cells):
            found = row_marks.get(c) if row_marks else None
            style = None
            if found:
                error = any(f.severity == "error" for f in found)
                style = fmt["error"] if error else fmt["warning"]
            elif c in text_cols and row > header_row:
                style = fmt["text"]
            if value is None or value == "":
                if style is not None:
                    sheet.write_blank(r, c, None, style)
            elif type(value) is str:
                write_string(r, c, neutralise_cell(value), style)
            elif c in text_cols and row > header_row:
                write_string(r, c, _shown(value), style)
            else:
                _write_value(sheet, r, c, value, style, fmt)
            if found:
                sheet.write_comment(r, c, _comment(found, lang), COMMENT_BOX)
        if row_marks and 0 in row_marks and not cells:
            sheet.write_blank(r, 0, None, fmt["warning"])
            sheet.write_comment(r, 0, _comment(row_marks[0], lang), COMMENT_BOX)
    sheet.freeze_panes(header_row, 0)


def _write_value(sheet: Any, r: int, c: int, value: object, style: Any, fmt: dict) -> None:
    """A non-text cell value as the type it was read as (never a formula)."""
    if isinstance(value, bool):
        sheet.write_boolean(r, c, value, style)
    elif isinstance(value, (int, float)):
        sheet.write_number(r, c, value, style)
    elif isinstance(value, (datetime, date, time)):
        sheet.write_datetime(r, c, value, style or fmt["date"])
    elif isinstance(value, timedelta):
        sheet.write_string(r, c, str(value), style)
    else:
        sheet.write_string(r, c, neutralise_cell(str(value)), style)


def _comment(found: list[Finding], lang: str) -> str:
    lines = []
    for finding in found:
        label = t(f"report.comment_{finding.severity}", lang)
        message = finding.message if lang == "zh" else finding.text(lang)
        fix = finding.suggestion if lang == "zh" else finding.fix(lang)
        lines.append(f"【{label}】{message}")
        if fix:
            lines.append(f"  {t('report.comment_fix', lang)}：{fix}")
    return "\n".join(lines)
