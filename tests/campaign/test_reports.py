"""Marked-up workbook, template and bank batch-opening file, read back with openpyxl."""

from __future__ import annotations

import io

import openpyxl

from campaign.formats.bank_open import bank_files
from campaign.reports.markup import ERROR_FILL, WARNING_FILL, markup_bytes
from campaign.reports.template import template_bytes
from campaign.sheets import read_workbook
from campaign.validate import Config, validate_bytes
from tests.campaign.conftest import AS_OF, build_csv, build_xlsx, make_id, sheet_rows

GOOD = make_id()


def marked(rows: list, csv: bool = False) -> tuple[openpyxl.Workbook, object]:
    if csv:
        data, name = build_csv(sheet_rows(rows)), "u.csv"
    else:
        data, name = build_xlsx({"一车间": sheet_rows(rows)}), "u.xlsx"
    result = validate_bytes(data, name, Config(as_of=AS_OF))
    return openpyxl.load_workbook(io.BytesIO(markup_bytes(result))), result


def fill(cell: object) -> str:
    return cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type else ""  # type: ignore[attr-defined]


def test_markup_colours_comments_and_text() -> None:
    rows = [
        [1, '=HYPERLINK("x")', GOOD, 13812345678, "+车间"],
        [2, "李四", 1.10105198001011e17, "138 1234 5679", "@a"],
    ]
    book, result = marked(rows)
    assert book.sheetnames == ["错误清单", "一车间"]
    sheet = book["一车间"]
    assert fill(sheet["B4"]) == ERROR_FILL[1:]  # a formula cell
    assert sheet["C4"].value == GOOD and sheet["C4"].data_type == "s"
    assert sheet["D4"].value == "13812345678" and sheet["D4"].data_type == "s"
    assert sheet["C5"].value == "1.10105198001011E+17"
    assert fill(sheet["C5"]) == ERROR_FILL[1:] and "文本" in sheet["C5"].comment.text
    assert fill(sheet["D5"]) == WARNING_FILL[1:]
    assert sheet["A4"].comment is None and fill(sheet["A4"]) == ""
    listing = book["错误清单"]
    assert listing.auto_filter.ref == f"A5:H{5 + len(result.findings)}"
    assert "错误" in listing["A2"].value
    listed = {(listing.cell(r, 2).value, listing.cell(r, 4).value) for r in range(6, 6 + len(result.findings))}
    assert listed == {(f.row, f.code) for f in result.findings}


def test_markup_neutralises_formula_text() -> None:
    rows = [[1, '=HYPERLINK("x")', GOOD, "13812345678", "+车间"], [2, "-1", GOOD, "", "@a"]]
    book, _ = marked(rows, csv=True)
    sheet = book["CSV"]
    assert sheet["B4"].value == '\'=HYPERLINK("x")' and fill(sheet["B4"]) == ERROR_FILL[1:]
    assert sheet["E4"].value == "'+车间" and sheet["E5"].value == "'@a" and sheet["B5"].value == "'-1"
    for row in book["错误清单"].iter_rows(min_row=6, values_only=True):
        assert not any(isinstance(v, str) and v and v[0] in "=+-@" for v in row)


def test_markup_keeps_row_numbers() -> None:
    book, result = marked([[1, "张三", GOOD, "13812345678", ""], [2, "李四", "123", "13912345678", ""]])
    bad = next(f for f in result.findings if f.code == "id_length")
    assert bad.row == 5
    assert book["一车间"]["C5"].comment is not None


def test_template_round_trips_and_formats_text() -> None:
    data = template_bytes("测试工会")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["个人信息采集表", "说明"]
    sheet = book["个人信息采集表"]
    assert sheet["A1"].value == "申报会员服务卡个人信息采集表"
    assert [c.value for c in sheet[3]] == ["序号", "姓名", "身份证号码", "手机号码", "车间/部门"]
    assert sheet.column_dimensions["C"].number_format == "@"
    assert sheet.column_dimensions["D"].number_format == "@"
    rules = {str(v.sqref): (v.type, v.formula1) for v in sheet.data_validations.dataValidation}
    assert rules["C4:C1003"] == ("textLength", "18")
    assert rules["D4:D1003"] == ("textLength", "11")
    read = read_workbook(data).sheets[0]
    assert read.header_row == 3 and read.unit_name == "测试工会" and read.data_rows == []


def test_bank_files_one_per_card_unit_clean_rows_only() -> None:
    data = build_xlsx(
        {
            "甲": sheet_rows(
                [[1, "张三", GOOD, "13812345678", ""], [2, "坏", "123", "13812345679", ""]], unit="甲单位工会"
            ),
            "乙": sheet_rows([[1, "李四", make_id(seq="246"), "13912345678", ""]], unit="乙单位工会"),
        }
    )
    result = validate_bytes(data, "x", Config(as_of=AS_OF))
    files = bank_files(result)
    assert sorted(files) == ["乙单位工会_批量开卡.xlsx", "甲单位工会_批量开卡.xlsx"]
    sheet = openpyxl.load_workbook(io.BytesIO(files["甲单位工会_批量开卡.xlsx"])).active
    assert [c.value for c in sheet[1]] == ["办卡单位", "姓名", "证件类型", "证件号码", "手机号码"]
    assert [c.value for c in sheet[2]] == ["甲单位工会", "张三", "身份证", GOOD, "13812345678"]
    assert sheet.max_row == 2 and sheet["D2"].data_type == "s"
    single = bank_files(result, registered_unit="登记名称")
    assert list(single) == ["登记名称_批量开卡.xlsx"]
