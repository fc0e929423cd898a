"""Office Open XML workbooks (.xlsx): safety pre-scan of the raw XML, then python-calamine.

Calamine gives values fast but hides formulas, error values and hidden rows, and it allocates
rows × columns cells up front (one cell at XFD1048576 aborts the process). So every worksheet's
XML is measured first: its real extent (the furthest cell calamine would place), formula cells,
error cells, hidden rows. The extent must fit ``Limits`` before calamine sees the file.

Two ways to measure, with the same answer for legal XML. A sheet whose cell tags all have the
plain shape writers produce (``<c r="B7" s="1">``: unprefixed, ``r`` first, double quotes, no
character references, no second ``r``) is measured with byte searches; one search proves that
shape for every cell tag. Any other sheet (single quotes, another attribute order, namespace
prefixes, cells or rows without ``r``, lowercase references) is parsed with expat, which also
refuses XML that is not well formed (duplicate attributes and the like).
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.parsers import expat

import python_calamine

from campaign.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    SheetTooLarge,
    TooManyColumns,
    TooManyRows,
)
from campaign.sheets import safety
from campaign.sheets.model import Limits, RawSheet

NAME = "xlsx"
HEADER_SLACK = 1_000
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_REF_RE = re.compile(r"([A-Za-z]{1,3})([0-9]{1,9})")
_ROW_NUMBER_RE = re.compile(r"[0-9]{1,9}")
_PLAIN_COL_RE = re.compile(rb'<c r="([A-Z]{1,3})')
_PLAIN_CELL_RE = re.compile(rb'<c r="[A-Z]{1,3}([1-9][0-9]*)"')
_PREFIXED_RE = re.compile(rb":(?:c|row|f|v)[\s/>]")
_ROW_R_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\br="([0-9]+)"')
_HIDDEN_ROW_RE = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_CELL_OPEN_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]+)"[^>]*>')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.DOTALL)
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA_START_RE = re.compile(rb"<(?:\w+:)?f[\s/>]")
_ERROR_CELL_RE = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*>')


def sniff(data: bytes) -> bool:
    """A zip archive (every .xlsx is one)."""
    return data[:4] == b"PK\x03\x04"


def column_index(letters: bytes | str) -> int:
    """0-based index of a column name: A → 0, AA → 26 (lowercase as calamine reads it).

    >>> column_index("A"), column_index(b"AA"), column_index("gr"), column_index("XFD")
    (0, 26, 199, 16383)
    """
    index = 0
    for char in (letters if isinstance(letters, str) else letters.decode()).upper():
        index = index * 26 + ord(char) - 64
    return index - 1


def at_most(n: int) -> bytes:
    """A regex for the decimal numbers 1..n written without leading zeros.

    >>> pattern = re.compile(at_most(305))
    >>> [bool(pattern.fullmatch(str(k).encode())) for k in (1, 99, 299, 305, 306, 1000, 0)]
    [True, True, True, True, False, False, False]
    """
    if n < 1:
        return b"(?!)"
    digits = str(n)
    width = len(digits)
    options = [b"[1-9][0-9]{0,%d}" % (width - 2)] if width > 1 else []
    for i, char in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(char) > low:
            rest = width - i - 1
            options.append(
                digits[:i].encode() + b"[%d-%d]" % (low, int(char) - 1) + (b"[0-9]{%d}" % rest if rest else b"")
            )
    options.append(digits.encode())
    return b"(?:" + b"|".join(options) + b")"


def _elements(xml: bytes, local_name: str) -> list[dict[str, str]]:
    """The attributes of every element with that local name (any prefix, any quoting).

    A namespaced attribute is keyed ``"namespace-uri name"``, a plain one by its name.
    """
    found: list[dict[str, str]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag.rpartition(" ")[2] == local_name:
            found.append(attrs)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as error:
        raise CorruptWorkbook(f"XML: {expat.ErrorString(error.code)}") from None
    return found


def _rel_id(attrs: dict[str, str]) -> str | None:
    for namespace in _REL_NS:
        if (value := attrs.get(f"{namespace} id")) is not None:
            return value
    return None


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
        for attrs in _elements(rels, "Relationship"):
            rel_id, target = attrs.get("Id"), attrs.get("Target")
            if rel_id in targets:
                raise CorruptWorkbook(f"relationship {rel_id} twice")
            if rel_id and target:
                target = target.lstrip("/")
                targets[rel_id] = target if target.startswith("xl/") else "xl/" + target
    sheets = []
    seen: set[str] = set()
    for attrs in _elements(workbook, "sheet"):
        name, rel_id = attrs.get("name"), _rel_id(attrs)
        if name is not None and name.casefold() in seen:
            raise CorruptWorkbook(f"sheet {name} twice")
        seen.add((name or "").casefold())
        path = targets.get(rel_id or "", "")
        if name is not None and path in names:
            sheets.append((name, path, attrs.get("state") in (None, "visible")))
    return sheets


def _plain_extent(xml: bytes) -> tuple[int, int] | None:
    """(rows, columns) of a sheet whose cell tags all have the plain shape, else ``None``.

    Every plain cell names its position, so the furthest column is the largest letters seen;
    the last cell's row is taken as the height and one search proves that no cell tag is
    other than plain with a row at most that height.
    """
    if b"'" in xml or _PREFIXED_RE.search(xml):
        return None
    letters = set(_PLAIN_COL_RE.findall(xml))
    last = xml.rfind(b'<c r="')
    height = 0
    if last >= 0:
        match = _PLAIN_CELL_RE.match(xml, last)
        if match is None:
            return None
        height = int(match.group(1))
    odd_cell = re.compile(
        rb'<c(?! r="[A-Z]{1,3}' + at_most(height) + rb'"(?:\s+(?!r=)[A-Za-z]+="[^"<&]*")*\s*/?>)[\s/>]'
    )
    if odd_cell.search(xml):
        return None
    width = max((column_index(c) + 1 for c in letters), default=0)
    return height, width


def _cell_before(xml: bytes, pos: int) -> tuple[int, int] | None:
    """(row, column) of the cell whose opening tag is the last one before ``pos``."""
    start = xml.rfind(b"<c ", 0, pos)
    if start < 0:
        return None
    match = _CELL_OPEN_RE.match(xml, start)
    if match is None:
        return None
    return int(match.group(2)), column_index(match.group(1))


def _plain_quirks(sheet: RawSheet, xml: bytes) -> None:
    """Formulas, error cells and hidden rows of a plain sheet, by byte searches."""
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


class _SheetParser:
    """One expat pass over a worksheet: extent (as calamine places cells) and quirks."""

    def __init__(self, sheet: RawSheet, limits: Limits) -> None:
        self.sheet, self.limits = sheet, limits
        self.row = 0  # the current row, as shown (1-based)
        self.col = -1  # the last cell's 0-based column in the current row
        self.height = self.width = 0
        self.cell: tuple[int, int] = (0, 0)
        self.error_cell = False
        self.text: list[str] = []
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self.start

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        local = tag.rpartition(" ")[2]
        if local == "c":
            ref = attrs.get("r")
            if ref is None:
                row, col = max(self.row, 1), self.col + 1
            else:
                match = _REF_RE.fullmatch(ref.strip())
                if match is None:
                    raise CorruptWorkbook(f"cell reference {ref[:20]!r}")
                row, col = int(match.group(2)), column_index(match.group(1))
            self.row, self.col, self.cell = row, col, (row, col)
            self.height, self.width = max(self.height, row), max(self.width, col + 1)
            if self.width > self.limits.max_columns:
                raise TooManyColumns(sheet=self.sheet.name, cols=self.width)
            if self.height > self.limits.max_rows + HEADER_SLACK:
                raise TooManyRows(
                    sheet=self.sheet.name, rows=self.limits.max_rows + HEADER_SLACK, limit=self.limits.max_rows
                )
            self.error_cell = attrs.get("t") == "e"
            if self.error_cell:
                self.sheet.errors[self.cell] = "#ERROR"
        elif local == "row":
            ref = attrs.get("r")
            if ref is not None and not _ROW_NUMBER_RE.fullmatch(ref.strip()):
                raise CorruptWorkbook(f"row number {ref[:20]!r}")
            self.row, self.col = int(ref) if ref is not None else self.row + 1, -1
            if attrs.get("hidden") in ("1", "true"):
                self.sheet.hidden_rows.add(self.row)
        elif local == "f" or (local == "v" and self.error_cell):
            self.text = []
            self.parser.CharacterDataHandler = self.text.append
            self.parser.EndElementHandler = self.end

    def end(self, tag: str) -> None:
        """Close the formula or error value whose text is being collected."""
        if tag.rpartition(" ")[2] == "f":
            self.sheet.formulas[self.cell] = "=" + "".join(self.text)
        else:
            self.sheet.errors[self.cell] = "".join(self.text) or "#ERROR"
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None

    def parse(self, xml: bytes) -> tuple[int, int]:
        try:
            self.parser.Parse(xml, True)
        except expat.ExpatError as error:
            raise CorruptWorkbook(f"XML: {expat.ErrorString(error.code)}") from None
        return self.height, self.width


def check_extent(name: str, height: int, width: int, limits: Limits) -> None:
    """Refuse a sheet whose extent (what calamine would allocate) is beyond the limits."""
    if width > limits.max_columns:
        raise TooManyColumns(sheet=name, cols=width)
    if height > limits.max_rows + HEADER_SLACK:
        raise TooManyRows(sheet=name, rows=limits.max_rows + HEADER_SLACK, limit=limits.max_rows)
    if height * width > limits.max_cells:
        raise SheetTooLarge(sheet=name, rows=height, cols=width, limit=limits.max_cells)


def _scan(name: str, xml: bytes, limits: Limits) -> RawSheet:
    """Extent check and the quirks calamine does not report."""
    safety.check_xml(xml)
    sheet = RawSheet(name=name, rows=[])
    extent = _plain_extent(xml)
    if extent is None:
        extent = _SheetParser(sheet, limits).parse(xml)
    else:
        _plain_quirks(sheet, xml)
    check_extent(name, *extent, limits)
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
    wanted = {path: (name, visible) for name, path, visible in parts[: limits.max_sheets]}
    scanned = {}
    for entry in names:
        if entry in wanted:
            name, visible = wanted[entry]
            sheet = _scan(name, safety.read_entry(archive, entry, limits), limits)
            sheet.visible = visible
            scanned[name] = sheet
            continue
        content = safety.read_entry(archive, entry, limits)
        if entry.endswith((".xml", ".rels")):
            safety.check_xml(content)
        if b"sheetData" in content:  # any part a reader might take for a sheet is measured too
            _scan(entry, content, limits)
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
