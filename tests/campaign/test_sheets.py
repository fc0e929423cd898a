"""Reading real sheets: formats, encodings, header variants, title rows, quirks as findings."""

from __future__ import annotations

import pytest

from campaign.errors import MissingColumns, NoHeader, UnknownEncoding
from campaign.sheets import read_workbook
from tests.campaign.conftest import UNIT, build_csv, build_xls, build_xlsx, make_id, sheet_rows

HEADER_VARIANTS = [
    ["序号", "姓名", "身份证号", "手机", "车间"],
    ["序号", "姓名", "身份证号码", "手机号", "部门"],
    ["序号", "姓名", "公民身份号码", "手机号码", "班组"],
    ["序号", "姓名 ", "证件号码*", "联系电话", "所在部门"],
]


@pytest.mark.parametrize("header", HEADER_VARIANTS)
@pytest.mark.parametrize("kind", ["xlsx", "xls", "utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_reads_every_format_and_header(kind: str, header: list[str], good_rows: list) -> None:
    rows = sheet_rows(good_rows, header=header) + [[], ["", "", "", ""], []]
    if kind == "xlsx":
        data = build_xlsx({"一车间": rows})
    elif kind == "xls":
        data = build_xls({"一车间": rows})
    else:
        data = build_csv(rows, kind)
    book = read_workbook(data, f"sheet.{kind}")
    (sheet,) = book.sheets
    assert sheet.header_row == 3
    assert sheet.data_rows == [4, 5, 6]
    assert sheet.unit_name == UNIT
    assert sheet.values("name") == ["张三", "李四", "阿依古丽·买买提"]
    assert [str(v) for v in sheet.values("id")] == [r[2] for r in good_rows]
    assert sheet.headers[sheet.columns["id"]] == header[2].strip()
    assert "dept" in sheet.columns


def test_utf8_is_never_read_as_gb18030() -> None:
    data = build_csv(sheet_rows([[1, "张三", make_id(), "13812345678", ""]]), "utf-8")
    assert read_workbook(data).sheets[0].values("name") == ["张三"]


def test_undecodable_csv_is_rejected() -> None:
    data = "姓名,身份证号码,手机号码\n".encode() + b"\xff\xfe\xfd\x80\x81,1,2\n"
    with pytest.raises(UnknownEncoding):
        read_workbook(data, "x.csv")


def test_several_sheets_one_per_workshop(good_rows: list) -> None:
    data = build_xlsx(
        {"说明": [["请按表填写"]], "一车间": sheet_rows(good_rows[:2]), "二车间": sheet_rows(good_rows[2:])}
    )
    book = read_workbook(data)
    assert [s.name for s in book.sheets] == ["一车间", "二车间"]
    assert book.row_count == 3


def test_no_header_and_missing_columns() -> None:
    with pytest.raises(NoHeader):
        read_workbook(build_csv([["a", "b"], ["1", "2"]]))
    with pytest.raises(MissingColumns) as caught:
        read_workbook(build_csv([["姓名", "身份证号码", "备注"], ["张三", make_id(), ""]]))
    assert "手机号码" in str(caught.value)


def test_xlsx_quirks_are_recorded(good_rows: list) -> None:
    rows = sheet_rows(good_rows)

    def tweak(book: object) -> None:
        sheet = book["s"]  # type: ignore[index]
        sheet["D5"] = "=A5"
        sheet["C6"] = "#N/A"
        sheet["C6"].data_type = "e"
        sheet.row_dimensions[4].hidden = True
        sheet.merge_cells("E4:E5")

    book = read_workbook(build_xlsx({"s": rows}, tweak))
    raw = book.sheets[0].raw
    assert raw.formulas == {(5, 3): "=A5"}
    assert raw.errors == {(6, 2): "#N/A"}
    assert raw.hidden_rows == {4}
    assert raw.merged == [(4, 4, 5, 4)]


def test_xls_quirks_are_recorded(good_rows: list) -> None:
    import xlwt

    rows = sheet_rows(good_rows)

    def tweak(sheets: dict) -> None:
        sheet = sheets["s"]
        sheet.write(4, 3, xlwt.Formula("1+2"))
        sheet.row(3).hidden = True
        sheet.merge(5, 6, 4, 4)

    book = read_workbook(build_xls({"s": rows}, tweak))
    raw = book.sheets[0].raw
    assert (5, 3) in raw.formulas
    assert raw.hidden_rows == {4}
    assert (6, 4, 7, 4) in raw.merged


def test_numbers_stay_numbers_for_the_rules(good_rows: list) -> None:
    rows = sheet_rows([[1, "张三", 1.10105198001011e17, 13812345678, ""]])
    sheet = read_workbook(build_xlsx({"s": rows})).sheets[0]
    assert isinstance(sheet.values("id")[0], float)
