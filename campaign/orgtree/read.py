"""Reading an organisation-tree file (xlsx/xls/CSV in UTF-8 or GBK) through the safe sheet readers.

Codes are read as text (leading zeros kept; an Excel number 1001.0 becomes "1001"); formulas are
never evaluated: a row with a formula cell keeps the column's name in ``OrgRow.formulas`` and is
refused by the checks. Call ``read_org_rows`` inside ``campaign.sheets.isolated.read_untrusted``
on the server (the command line is its own worker).

>>> cell_text(1001.0), cell_text(" ００１２\\u200b "), cell_text(None), cell_text(12.5)
('1001', '0012', '', '12.5')
>>> header_field("上级单位编码"), header_field("Parent_Code"), header_field("单位编码*"), header_field("备注")
('parent_code', 'parent_code', 'code', None)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Final

from campaign.errors import TooManyRows
from campaign.orgtree.model import (
    COLUMNS,
    FIELDS,
    MAX_NODES,
    REQUIRED_COLUMNS,
    OrgColumnsMissing,
    OrgEmpty,
    OrgNoHeader,
    OrgRow,
    OrgTooManyRows,
)
from campaign.rules.id_number import INVISIBLE
from campaign.sheets import read_raw_sheets
from campaign.sheets.header import header_row
from campaign.sheets.model import Cell, Limits, RawSheet

_ALIASES: Final = {
    **{zh: field for field, zh in COLUMNS},
    **{field: field for field in FIELDS},
    "编码": "code", "单位代码": "code", "unitcode": "code",
    "上级编码": "parent_code", "上级单位代码": "parent_code", "parent": "parent_code", "parentcode": "parent_code",
    "级别": "level", "单位层级": "level",
    "办卡单位": "card_unit_name", "cardunitname": "card_unit_name", "cardunit": "card_unit_name",
    "单位联系人": "contact_name", "contact": "contact_name", "contactname": "contact_name",
    "联系人电话": "contact_phone", "contactphone": "contact_phone",
    "联络人": "liaison_name", "liaison": "liaison_name", "liaisonname": "liaison_name",
    "片区联络人电话": "liaison_phone", "liaisonphone": "liaison_phone",
    "应办卡人数": "expected_members", "应办人数": "expected_members", "会员人数": "expected_members",
    "expectedmembers": "expected_members",
}
_DECORATION_RE = re.compile(r"[(（\[【].*?[)）\]】]|[*＊:：\s]")


def cell_text(value: Cell) -> str:
    """A cell as clean text: integer-valued numbers without ".0", NFKC, no invisible characters,
    no surrounding whitespace."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", str(value).translate(INVISIBLE))
    return text.strip()


def header_field(value: Cell) -> str | None:
    """Which field a header cell names (Chinese header or English alias), or None."""
    if not isinstance(value, str):
        return None
    text = _DECORATION_RE.sub("", unicodedata.normalize("NFKC", value.translate(INVISIBLE)))
    return _ALIASES.get(text) or _ALIASES.get(text.lower().replace("_", "").replace("-", "")) or _ALIASES.get(text.lower())


def _header(raw: RawSheet, scan_rows: int) -> tuple[int, dict[str, int]] | None:
    return header_row(raw, scan_rows, header_field, lambda kinds: all(field in kinds for field in REQUIRED_COLUMNS))


def rows_of_sheet(raw: RawSheet, k: int, columns: Mapping[str, int]) -> list[OrgRow]:
    """The data rows under the header row ``k`` (blank rows skipped)."""
    out: list[OrgRow] = []
    formulas_by_row: dict[int, set[int]] = {}
    for row, col in raw.formulas:
        formulas_by_row.setdefault(row, set()).add(col)
    for j in range(k + 1, len(raw.rows)):
        cells = raw.rows[j]
        sheet_row = raw.first_row + j
        values: dict[str, str] = {}
        formulas: list[str] = []
        marked = formulas_by_row.get(sheet_row, ())
        for field, col in columns.items():
            value = cells[col] if col < len(cells) else None
            text = cell_text(value)
            if col in marked or (isinstance(value, str) and text.startswith("=")):
                formulas.append(field)
                text = ""
            values[field] = text
        if not any(values.values()) and not formulas:
            continue
        out.append(OrgRow(sheet_row=sheet_row, formulas=tuple(formulas), **values))
    return out


def read_org_rows(data: bytes, file_name: str = "", limits: Limits | None = None) -> list[OrgRow]:
    """Every data row of the first sheet with the template's header; raises an ``IngestError``
    (Chinese message) when the file cannot be read as a tree."""
    limits = limits or Limits()
    _, raws = read_raw_sheets(data, limits)
    partial = False
    for raw in raws:
        found = _header(raw, limits.header_scan_rows)
        if found is None:
            partial = partial or any(header_field(v) for cells in raw.rows[: limits.header_scan_rows] for v in cells)
            continue
        k, columns = found
        if len(raw.rows) - k - 1 > limits.max_rows:
            raise TooManyRows(sheet=raw.name, rows=len(raw.rows) - k - 1, limit=limits.max_rows)
        rows = rows_of_sheet(raw, k, columns)
        if len(rows) > MAX_NODES:
            raise OrgTooManyRows(rows=len(rows), limit=MAX_NODES)
        if not rows:
            raise OrgEmpty()
        return rows
    if partial:
        raise OrgColumnsMissing(columns="、".join(dict(COLUMNS)[field] for field in REQUIRED_COLUMNS))
    raise OrgNoHeader()


def rows_from_records(records: Iterable[Mapping[str, object]], first_row: int = 2) -> list[OrgRow]:
    """Rows from dicts keyed by field (tests, other importers): cleaned like cells are."""
    out = []
    for offset, record in enumerate(records):
        values = {field: cell_text(record.get(field)) for field in FIELDS}  # type: ignore[arg-type]
        out.append(OrgRow(sheet_row=first_row + offset, **values))
    return out
