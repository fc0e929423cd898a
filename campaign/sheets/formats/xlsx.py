"""Office Open XML workbooks (.xlsx): safety pre-scan of the raw XML, then python-calamine.

Calamine gives values fast but hides formulas, error values and hidden rows, and it allocates
rows × columns cells up front (one cell at XFD1048576 aborts the process). So every worksheet's
XML is first scanned with byte searches: its extent, formula cells, error cells, hidden rows.
"""

from __future__ import annotations

import io
import re
import zipfile

import python_calamine

from campaign.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    TooManyColumns,
    TooManyRows,
)
from campaign.sheets import safety
from campaign.sheets.model import Limits, RawSheet

NAME = "xlsx"
HEADER_SLACK = 1_000
_SHEET_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR_RE = {
    name: re.compile(rb"\b" + name.encode() + rb'="([^"]*)"') for name in ("name", "r:id", "state", "Id", "Target")
}
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_CELL_COL_RE = re.compile(rb'<(?:\w+:)?c r="([A-Z]{1,3})')
_ROW_R_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_HIDDEN_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_CELL_OPEN_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*>')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA_START_RE = re.compile(rb"<(?:\w+:)?f[\s/>]")
_ERROR_CELL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*>')


def _cell_before(xml: bytes, pos: int) -> tuple[int, int] | None:
    """(row, column) of the cell whose opening tag is the last one before ``pos``."""
    start = xml.rfind(b"<c ", 0, pos)
    if start < 0:
        return None
    match = _CELL_OPEN_RE.match(xml, start)
    if match is None:
        return None
    return int(match.group(2)), column_index(match.group(1))


def sniff(data: bytes) -> bool:
    """A zip archive (every .xlsx is one)."""
    return data[:4] == b"PK\x03\x04"


def column_index(letters: bytes | str) -> int:
    """0-based index of a column name: A → 0, AA → 26."""
    index = 0
    for char in letters if isinstance(letters, str) else letters.decode():
        index = index * 26 + ord(char) - 64
    return index - 1


def _attr(tag: bytes, name: str) -> str | None:
    match = _ATTR_RE[name].search(tag)
    return match.group(1).decode("utf-8", "replace") if match else None


def _sheet_parts(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[str, str, bool]]:
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        raise CorruptWorkbook("xl/workbook.xml")
    workbook = safety.read_entry(archive, "xl/workbook.xml", limits)
    safety.check_xml(workbook)
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        rels = safety.read_entry(archive, "xl/_rels/workbook.xml.rels", limits)
        safety.check_xml(rels)
        for tag in _REL_RE.findall(rels):
            rel_id, target = _attr(tag, "Id"), _attr(tag, "Target")
            if rel_id and target:
                target = target.lstrip("/")
                targets[rel_id] = target if target.startswith("xl/") else "xl/" + target
    sheets = []
    for tag in _SHEET_RE.findall(workbook):
        name, rel_id = _attr(tag, "name"), _attr(tag, "r:id")
        path = targets.get(rel_id or "", "")
        if name is not None and path in names:
            sheets.append((name, path, _attr(tag, "state") in (None, "visible")))
    return sheets


def _scan(name: str, xml: bytes, limits: Limits) -> RawSheet:
    """Extent check and the quirks calamine does not report."""
    safety.check_xml(xml)
    rows = xml.count(b"<row ") + xml.count(b"<row>")
    last = xml.rfind(b"<row ")
    last_row = 0
    if last >= 0:
        match = _ROW_R_RE.match(xml, last)
        last_row = int(match.group(1)) if match else rows
    height = max(rows, last_row)
    if height > limits.max_rows + HEADER_SLACK:
        raise TooManyRows(sheet=name, rows=limits.max_rows + HEADER_SLACK, limit=limits.max_rows)
    letters = set(_CELL_COL_RE.findall(xml))
    width = max((column_index(c) + 1 for c in letters), default=0)
    if width > limits.max_columns:
        raise TooManyColumns(sheet=name, cols=width)
    sheet = RawSheet(name=name, rows=[])
    if b"hidden=" in xml:
        for match in _HIDDEN_ROW_RE.finditer(xml):
            found = _ROW_R_RE.match(match.group(0))
            if found:
                sheet.hidden_rows.add(int(found.group(1)))
    has_formula = b"<f" in xml or b":f>" in xml or b":f " in xml
    for match in _FORMULA_START_RE.finditer(xml) if has_formula else ():
        cell = _cell_before(xml, match.start())
        if cell is not None:
            formula = _FORMULA_RE.match(xml, match.start())
            text = (formula.group(1) or b"").decode("utf-8", "replace") if formula else ""
            sheet.formulas[cell] = "=" + text
    for match in _ERROR_CELL_RE.finditer(xml) if b't="e"' in xml else ():
        cell = _cell_before(xml, match.end())
        if cell is not None:
            value = _VALUE_RE.search(xml, match.end(), match.end() + 400)
            sheet.errors[cell] = value.group(1).decode() if value else "#ERROR"
    return sheet


def read(data: bytes, limits: Limits) -> list[RawSheet]:
    """Check, scan and read every worksheet."""
    archive = safety.open_zip(data, limits)
    names = archive.namelist()
    if "EncryptedPackage" in names:
        raise EncryptedWorkbook()
    parts = _sheet_parts(archive, limits)
    if not parts:
        raise CorruptWorkbook("no worksheets")
    for entry in names:
        if entry.endswith((".xml", ".rels")) and not entry.startswith("xl/worksheets/"):
            safety.check_xml(safety.read_entry(archive, entry, limits))
    scanned = {}
    for name, path, visible in parts[: limits.max_sheets]:
        sheet = _scan(name, safety.read_entry(archive, path, limits), limits)
        sheet.visible = visible
        scanned[name] = sheet
    return fill_from_calamine(data, scanned)


def fill_from_calamine(data: bytes, scanned: dict[str, RawSheet], max_sheets: int | None = None) -> list[RawSheet]:
    """Read the cell values (and merged ranges) of the pre-scanned sheets with calamine.

    Only sheets the safety scan has already measured reach calamine, which reserves memory
    for a sheet's whole declared extent.
    """
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise EncryptedWorkbook() from None
    sheets = []
    for name in workbook.sheet_names[:max_sheets]:
        sheet = scanned.get(name)
        if sheet is None:
            continue
        calamine_sheet = workbook.get_sheet_by_name(name)
        sheet.rows = calamine_sheet.to_python(skip_empty_area=False)
        for (r0, c0), (r1, c1) in calamine_sheet.merged_cell_ranges or []:
            sheet.merged.append((r0 + 1, c0, r1 + 1, c1))
        sheets.append(sheet)
    return sheets
