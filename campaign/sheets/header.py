"""Finding the header row of a member sheet and what each column holds, whatever its wording.

>>> column_kind("身份证号码（18位）"), column_kind(" 手机号 *"), column_kind("备注")
('id', 'phone', None)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from campaign.errors import MissingColumns
from campaign.i18n import t
from campaign.rules.id_number import INVISIBLE
from campaign.sheets.model import Cell, RawSheet

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": (
        "身份证号",
        "身份证号码",
        "公民身份号码",
        "证件号码",
        "身份证",
        "身份证件号码",
    ),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "移动电话", "电话", "联系方式"),
    "name": ("姓名", "职工姓名", "会员姓名"),
    "dept": ("车间", "部门", "班组", "所在部门", "车间/部门", "所在车间"),
    "seq": ("序号", "编号"),
    "unit": ("办卡单位", "单位名称", "单位"),
}
REQUIRED: Final = ("name", "id", "phone")
_LOOKUP = {alias: kind for kind, aliases in ALIASES.items() for alias in aliases}
_DECORATION_RE = re.compile(r"[(（\[【].*?[)）\]】]|[*＊:：\s]")
UNIT_LABEL = "办卡单位"


def clean_text(value: Cell) -> str:
    """A cell as compact text: NFKC, no invisible characters or whitespace."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value).translate(INVISIBLE))
    return "".join(text.split())


def column_kind(value: Cell) -> str | None:
    """What a header cell names (``id``, ``phone``, ``name``, ``dept``, ``seq``, ``unit``)."""
    if not isinstance(value, str):
        return None
    text = _DECORATION_RE.sub("", unicodedata.normalize("NFKC", value.translate(INVISIBLE)))
    return _LOOKUP.get(text)


@dataclass(slots=True)
class MemberSheet:
    """A sheet with a recognised header: where each kind of column is, which rows hold data."""

    raw: RawSheet
    header_row: int
    columns: dict[str, int]
    headers: dict[int, str]
    data_rows: list[int] = field(default_factory=list)
    unit_name: str | None = None
    unit_cell: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """The worksheet's name."""
        return self.raw.name

    def cell(self, row: int, col: int) -> Cell:
        """The value at a spreadsheet row and 0-based column ('' when outside)."""
        cells = self.raw.rows[row - self.raw.first_row] if row - self.raw.first_row < len(self.raw.rows) else []
        return cells[col] if col < len(cells) else ""

    def values(self, kind: str) -> list[Cell]:
        """The data rows' values of a kind of column (empty strings when absent)."""
        col = self.columns.get(kind)
        if col is None:
            return [""] * len(self.data_rows)
        rows, first = self.raw.rows, self.raw.first_row
        out: list[Cell] = []
        append = out.append
        for r in self.data_rows:
            cells = rows[r - first]
            append(cells[col] if col < len(cells) else "")
        return out


def header_row(
    raw: RawSheet, scan_rows: int, kind_of: Callable[[Cell], str | None], accept: Callable[[dict[str, int]], bool]
) -> tuple[int, dict[str, int]] | None:
    """(row index, kind -> first column of that kind) of the first of the top ``scan_rows``
    rows whose column kinds ``accept`` takes: the header of a bank list, result file or
    signed sheet, each with its own kinds and required columns."""
    for k, cells in enumerate(raw.rows[:scan_rows]):
        kinds: dict[str, int] = {}
        for col, value in enumerate(cells):
            kind = kind_of(value)
            if kind and kind not in kinds:
                kinds[kind] = col
        if accept(kinds):
            return k, kinds
    return None


def _unit_name(raw: RawSheet, above: int) -> tuple[str | None, tuple[int, int] | None]:
    """The card unit named in a "办卡单位：…" line above the header."""
    for k, cells in enumerate(raw.rows[:above]):
        for col, value in enumerate(cells):
            text = clean_text(value)
            if not text.startswith(UNIT_LABEL):
                continue
            rest = text[len(UNIT_LABEL) :].lstrip(":：")
            if not rest:
                rest = next((clean_text(v) for v in cells[col + 1 :] if clean_text(v)), "")
            return (rest or None), (raw.first_row + k, col)
    return None, None


def find_header(raw: RawSheet, scan_rows: int = 30) -> MemberSheet | None:
    """The sheet's header and data rows, or None when no row looks like a header.

    Raises ``MissingColumns`` when a header names some but not all required columns.
    """
    best: tuple[int, dict[str, int]] | None = None
    for k, cells in enumerate(raw.rows[:scan_rows]):
        kinds: dict[str, int] = {}
        for col, value in enumerate(cells):
            kind = column_kind(value)
            if kind and kind not in kinds:
                kinds[kind] = col
        if sum(kind in kinds for kind in REQUIRED) >= 2:
            best = (k, kinds)
            break
        if best is None and sum(kind in kinds for kind in REQUIRED) == 1 and len(kinds) >= 2:
            best = (k, kinds)
    if best is None:
        return None
    k, kinds = best
    missing = [kind for kind in REQUIRED if kind not in kinds]
    if missing:
        names = "、".join(t(f"report.col_{kind}") for kind in missing)
        raise MissingColumns(sheet=raw.name, columns=names)
    header_cells = raw.rows[k]
    headers = {col: str(header_cells[col]).strip() for col in kinds.values()}
    for col, value in enumerate(header_cells):
        if col not in headers and value not in (None, ""):
            headers[col] = str(value).strip()
    sheet = MemberSheet(raw=raw, header_row=raw.first_row + k, columns=kinds, headers=headers)
    sheet.unit_name, sheet.unit_cell = _unit_name(raw, k)
    watched = [kinds[kind] for kind in ("name", "id", "phone")]
    quirky = {r for r, _ in raw.formulas} | {r for r, _ in raw.errors}
    data_rows = sheet.data_rows
    first = raw.first_row
    for j, cells in enumerate(raw.rows[k + 1 :], start=k + 1):
        width = len(cells)
        for col in watched:  # inlined _filled: this loop runs once per row of the sheet
            if col < width:
                value = cells[col]
                if value is not None and value != "" and not (type(value) is str and value.isspace()):
                    data_rows.append(first + j)
                    break
        else:
            if first + j in quirky:
                data_rows.append(first + j)
    return sheet


def _filled(value: Cell) -> bool:
    return value is not None and value != "" and not (isinstance(value, str) and value.isspace())


def label(kind: str, lang: str = "zh") -> str:
    """The standard header text of a column kind."""
    return t(f"report.col_{kind}", lang)
