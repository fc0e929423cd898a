"""Builders of real member sheets for the campaign tests: xlsx (openpyxl), xls (xlwt), CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from campaign.rules.id_number import calc_check_digit

AS_OF = date(2014, 10, 1)
HEADER = ["序号", "姓名", "身份证号码", "手机号码", "车间"]
TITLE = "申报会员服务卡个人信息采集表"
UNIT = "保税区工会-测试单位工会"


def make_id(region: str = "110105", birth: str = "19800101", seq: str = "123") -> str:
    """A valid ID number (seq odd: male)."""
    first17 = region + birth + seq
    return first17 + calc_check_digit(first17)


def sheet_rows(
    data: Sequence[Sequence[object]],
    header: Sequence[str] = HEADER,
    unit: str | None = UNIT,
    title: bool = True,
) -> list[list[object]]:
    """Title row, 办卡单位 row, header, then data rows (as lists of cell values)."""
    rows: list[list[object]] = []
    if title:
        rows.append([TITLE])
    if unit is not None:
        rows.append([f"办卡单位：{unit}"])
    rows.append(list(header))
    rows.extend(list(r) for r in data)
    return rows


def build_xlsx(sheets: dict[str, list[list[object]]], tweak: Callable[..., None] | None = None) -> bytes:
    """An .xlsx with one worksheet per entry; ``tweak(workbook)`` may add merges, hidden rows."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    if tweak:
        tweak(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_xls(sheets: dict[str, list[list[object]]], tweak: Callable[..., None] | None = None) -> bytes:
    """A legacy .xls with one worksheet per entry."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    handles = {}
    for name, rows in sheets.items():
        sheet = book.add_sheet(name, cell_overwrite_ok=True)
        handles[name] = sheet
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and value != "":
                    sheet.write(r, c, value)
    if tweak:
        tweak(handles)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def build_csv(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    """A CSV in an encoding ('utf-8-sig' for UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def good_rows() -> list[list[object]]:
    """Three clean members."""
    return [
        [1, "张三", make_id("110105", "19800101", "123"), "13812345678", "一车间"],
        [2, "李四", make_id("440305", "19850315", "246"), "13912345678", "一车间"],
        [
            3,
            "阿依古丽·买买提",
            make_id("650102", "19900720", "357"),
            "15012345678",
            "二车间",
        ],
    ]
