"""Tree rows for the org-tree tests: the seed's chain, a tree without areas, a big generated tree,
and writers of the same rows as CSV (UTF-8/GBK), xlsx and xls."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from campaign.orgtree import COLUMNS, FIELDS

HEADER_ZH = [zh for _, zh in COLUMNS]

# The seed's chain: city → new area → district/bureau/group → liaison area → unit → workshop.
SEED_TREE: list[dict[str, object]] = [
    {"code": "0001", "name": "天津市总工会", "parent_code": "", "level": "市总工会"},
    {"code": "0002", "name": "滨海新区总工会", "parent_code": "0001", "level": "新区总工会"},
    {"code": "0010", "name": "保税区工会", "parent_code": "0002", "level": "区县局、集团", "contact_name": "赵主席", "contact_phone": "022-25601234"},
    {"code": "0011", "name": "开发区工会", "parent_code": "0002", "level": "区县局"},
    {"code": "001001", "name": "保税区第一片区", "parent_code": "0010", "level": "片区", "liaison_name": "钱联络", "liaison_phone": "13812345678"},
    {"code": "00100101", "name": "甲公司工会", "parent_code": "001001", "level": "基层单位",
     "card_unit_name": "滨海新区保税区工会-甲公司工会", "contact_name": "孙填表", "contact_phone": "13912345678", "expected_members": 120},
    {"code": "0010010101", "name": "一车间", "parent_code": "00100101", "level": "车间", "expected_members": 40},
    {"code": "001101", "name": "乙公司工会", "parent_code": "0011", "level": "基层单位",
     "card_unit_name": "开发区工会乙公司工会", "contact_name": "李四", "contact_phone": "13712345678", "expected_members": 30},
]

# A district union's own tree: district → units, no liaison areas.
NO_AREAS: list[dict[str, object]] = [
    {"code": "H", "name": "和平区总工会", "parent_code": "", "level": "district"},
    {"code": "H1", "name": "甲公司工会", "parent_code": "H", "level": "unit", "card_unit_name": "和平区总工会甲公司工会", "expected_members": 10},
    {"code": "H2", "name": "乙公司工会", "parent_code": "H", "level": "unit", "card_unit_name": "和平区总工会乙公司工会", "expected_members": 20},
]


def big_tree(units: int, districts: int = 20) -> list[dict[str, object]]:
    """A root, ``districts`` districts and ``units`` units spread over them (codes with leading zeros)."""
    rows: list[dict[str, object]] = [{"code": "000", "name": "市总工会", "parent_code": "", "level": "市总工会"}]
    for d in range(districts):
        rows.append({"code": f"0{d:03d}", "name": f"第{d}区工会", "parent_code": "000", "level": "区县局、集团"})
    for u in range(units):
        d = u % districts
        rows.append({"code": f"0{d:03d}{u:06d}", "name": f"单位{u}工会", "parent_code": f"0{d:03d}", "level": "基层单位",
                     "card_unit_name": f"第{d}区工会单位{u}工会", "expected_members": u % 500})
    return rows


def as_table(records: Sequence[dict[str, object]], header: Sequence[str] = HEADER_ZH) -> list[list[object]]:
    """Header plus one list per record in the template's column order."""
    return [list(header)] + [[record.get(field, "") for field in FIELDS] for record in records]


def csv_bytes(records: Sequence[dict[str, object]], encoding: str = "utf-8", header: Sequence[str] = HEADER_ZH) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in as_table(records, header):
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(table: Sequence[Sequence[object]]) -> bytes:
    """An xlsx of raw cells (numbers stay numbers; a string starting with = becomes a formula)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in table:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls_bytes(table: Sequence[Sequence[object]]) -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("组织架构")
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            if value is not None and value != "":
                sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
