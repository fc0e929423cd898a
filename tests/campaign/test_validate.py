"""Every rule's findings on real sheets, cell by cell (sheet, row as shown, column header)."""

from __future__ import annotations

from datetime import date

import pytest

from campaign.findings import CODES
from campaign.validate import Config, validate_bytes
from tests.campaign.conftest import AS_OF, build_csv, build_xls, build_xlsx, make_id, sheet_rows

GOOD = make_id("110105", "19800101", "123")


def cells(result: object) -> set[tuple[int | None, str | None, str]]:
    return {(f.row, f.column, f.code) for f in result.findings}  # type: ignore[attr-defined]


BAD_ROWS = [
    [1, "张三", GOOD, "13812345678", "一车间"],  # row 4: clean
    [2, "李 四", GOOD[:17] + ("0" if GOOD[17] != "0" else "1"), "14012345678", ""],  # 5
    [3, "王五", "1.10105198001011E+17", "137-1234-5678", ""],  # 6
    [4, "", make_id("110105", "19850101", "246").lower().replace("x", "x") + " ", "", ""],  # 7
    [5, "赵六", "110105800101123", "1381234567", ""],  # 8
    [6, "孙七", make_id("990105", "19800101", "123"), "13912345678", ""],  # 9
    [7, "周八", make_id("110105", "20050101", "123"), "13912345670", ""],  # 10
    [8, "吴九", make_id("110105", "19500101", "123"), "13912345671", ""],  # 11 retired man
    [9, "郑十", make_id("110105", "19620101", "124"), "13912345672", ""],  # 12 woman 52
    [10, "钱一", GOOD, "13912345673", ""],  # 13 duplicate of 4
    [11, "Tom", make_id("110105", "19800230", "123"), "13912345674", ""],  # 14 bad date
    [12, "刘3", make_id("110199", "19800101", "123"), "13812345678", ""],  # 15 county, phone dup
]
EXPECTED = {
    (5, "姓名", "name_spaces"),
    (5, "身份证号码", "id_check_digit"),
    (5, "手机号码", "phone_unallocated"),
    (6, "身份证号码", "id_excel_number"),
    (6, "手机号码", "phone_normalised"),
    (7, "姓名", "name_missing"),
    (7, "身份证号码", "id_normalised"),
    (7, "手机号码", "phone_missing"),
    (8, "身份证号码", "id_15_digit"),
    (8, "手机号码", "phone_format"),
    (9, "身份证号码", "id_region"),
    (10, "身份证号码", "id_too_young"),
    (11, "身份证号码", "age_retired"),
    (12, "身份证号码", "age_check_cadre"),
    (4, "身份证号码", "id_duplicate_sheet"),
    (13, "身份证号码", "id_duplicate_sheet"),
    (14, "姓名", "name_chars"),
    (14, "身份证号码", "id_birth_date"),
    (15, "姓名", "name_digits"),
    (15, "身份证号码", "id_county_unknown"),
    (4, "手机号码", "phone_duplicate"),
    (15, "手机号码", "phone_duplicate"),
}


@pytest.mark.parametrize("kind", ["xlsx", "xls", "csv-gbk", "csv-utf-8-sig"])
def test_findings_cell_by_cell(kind: str) -> None:
    rows = sheet_rows(BAD_ROWS)
    if kind == "xlsx":
        data = build_xlsx({"一车间": rows})
    elif kind == "xls":
        data = build_xls({"一车间": rows})
    else:
        data = build_csv(rows, kind.split("-", 1)[1])
    result = validate_bytes(data, kind, Config(as_of=AS_OF))
    assert cells(result) == EXPECTED
    by_row = {entry["row"]: entry for entry in result.rows_json()}
    assert sorted(by_row) == list(range(4, 16))
    assert by_row[4]["errors"] == ["id_duplicate_sheet"]
    assert by_row[4]["warnings"] == ["phone_duplicate"]
    for finding in result.findings:
        assert finding.severity == CODES[finding.code].severity
        assert finding.message and finding.suggestion
        assert finding.text("en") != finding.message
    fifteen = next(f for f in result.findings if f.code == "id_15_digit")
    assert "110105198001011234"[:17] in (fifteen.suggestion or "")


def test_shared_phone_severity_is_configurable() -> None:
    rows = sheet_rows([[1, "张三", GOOD, "13812345678", ""], [2, "李四", make_id(seq="246"), "13812345678", ""]])
    data = build_csv(rows)
    strict = validate_bytes(data, "x", Config(as_of=AS_OF, shared_phone_severity="error"))
    assert {f.severity for f in strict.findings if f.code == "phone_duplicate"} == {"error"}
    assert not strict.is_clean


def test_duplicates_across_sheets_units_and_campaign() -> None:
    other = make_id("440305", "19850315", "246")
    data = build_xlsx(
        {
            "一车间": sheet_rows([[1, "张三", GOOD, "13812345678", ""]]),
            "二车间": sheet_rows([[1, "张三", GOOD, "13912345678", ""], [2, "李四", other, "13712345678", ""]]),
        }
    )
    from campaign.rules.id_number import id_hash

    config = Config(as_of=AS_OF, known_ids={id_hash(other): "某某公司工会（2014-09-01上传）"})
    result = validate_bytes(data, "x", config)
    found = {(f.sheet, f.row, f.code) for f in result.findings}
    assert ("一车间", 4, "id_duplicate_unit") in found
    assert ("二车间", 4, "id_duplicate_unit") in found
    assert ("二车间", 5, "id_duplicate_campaign") in found
    campaign_dup = next(f for f in result.findings if f.code == "id_duplicate_campaign")
    assert "某某公司工会" in campaign_dup.message
    assert {e.get("sheet") for e in result.rows_json()} == {"一车间", "二车间"}


def test_cell_quirks_are_findings_not_crashes() -> None:
    rows = sheet_rows(
        [
            [1, "张三", GOOD, "13812345678", ""],
            [2, "李四", make_id(seq="246"), "13912345678", ""],
            [3, "王五", make_id(seq="357"), "13712345678", ""],
        ]
    )

    def tweak(book: object) -> None:
        sheet = book["s"]  # type: ignore[index]
        sheet["D5"] = "=D4"
        sheet["C6"] = "#N/A"
        sheet["C6"].data_type = "e"
        sheet.row_dimensions[4].hidden = True
        sheet.merge_cells("E5:E6")

    result = validate_bytes(build_xlsx({"s": rows}, tweak), "x", Config(as_of=AS_OF))
    assert cells(result) == {
        (5, "手机号码", "cell_formula"),
        (6, "身份证号码", "cell_error_value"),
        (4, None, "row_hidden"),
        (5, "车间", "cell_merged"),
    }


def test_card_unit_mismatch() -> None:
    rows = sheet_rows([[1, "张三", GOOD, "13812345678", ""]], unit="别的单位")
    result = validate_bytes(build_csv(rows), "x", Config(as_of=AS_OF, expected_unit_name="本单位"))
    assert cells(result) == {(2, "办卡单位", "card_unit_mismatch")}


def test_retirement_rules_2025() -> None:
    man = make_id("110105", "19650115", "123")  # 60 on 2025-01-15, retires 2025-02-15
    rows = sheet_rows([[1, "张三", man, "13812345678", ""]])
    on = date(2025, 2, 1)
    assert cells(validate_bytes(build_csv(rows), "x", Config(as_of=on, retirement_rules="2014")))
    assert not cells(validate_bytes(build_csv(rows), "x", Config(as_of=on, retirement_rules="2025")))


def test_clean_members_frame(good_rows: list) -> None:
    result = validate_bytes(build_xlsx({"s": sheet_rows(good_rows)}), "x", Config(as_of=AS_OF))
    assert result.is_clean
    clean = result.clean_members()
    assert clean["id_number"].tolist() == [r[2] for r in good_rows]
    assert clean["sex"].tolist() == ["M", "F", "M"]
