"""Reading the bank's result file: encodings, formats, aliases, hostile files."""

from __future__ import annotations

import pytest

from campaign.errors import IngestError, TooManyRows
from campaign.formats.bank_result import (
    ResultColumnsMissing,
    ResultFormula,
    read_result_file,
    summarise,
)
from campaign.sheets.model import Limits
from tests.campaign.conftest import build_csv, build_xls, build_xlsx, make_id

ID1, ID2, ID3 = make_id(seq="101"), make_id(seq="102"), make_id(seq="103")
ROWS = [
    ["身份证号码", "姓名", "开卡结果", "失败原因", "卡号"],
    [ID1, "张三", "成功", "", "6222021234567890123"],
    [ID2, "李四", "失败", "身份证号与姓名联网核查不一致", ""],
    [ID3.lower(), "王五", "失败", "手机号为空号", ""],
]


@pytest.mark.parametrize("kind", ["utf-8", "gbk", "utf-8-sig", "xlsx", "xls"])
def test_reads_every_format(kind: str) -> None:
    data = build_xlsx({"s": ROWS}) if kind == "xlsx" else build_xls({"s": ROWS}) if kind == "xls" else build_csv(ROWS, kind)
    lines = read_result_file(data, f"r.{kind}")
    assert lines["id_number"].tolist() == [ID1, ID2, ID3]
    assert lines["outcome"].tolist() == ["produced", "failed", "failed"]
    assert lines["reason_code"].tolist() == ["", "id_name_mismatch", "phone_invalid"]
    assert lines["card_masked"].tolist() == ["***************0123", "", ""]
    assert lines["sheet_row"].tolist() == [2, 3, 4]
    assert summarise(lines).failed == 2


def test_english_headers_and_bank_masked_cards() -> None:
    rows = [["ID number", "Name", "Result", "Failure reason", "Card number"], [ID1, "张三", "success", "", "622202******0123"]]
    lines = read_result_file(build_csv(rows))
    assert lines["outcome"].tolist() == ["produced"] and lines["card_masked"].tolist() == ["622202******0123"]


def test_numeric_id_cell_is_a_line_problem_not_a_guess() -> None:
    rows = [ROWS[0], [1.10105198001011e17, "张三", "成功", "", ""]]
    lines = read_result_file(build_xlsx({"s": rows}))
    assert lines["id_problem"].tolist() == ["id_excel_number"]


def test_missing_outcome_column_refused() -> None:
    with pytest.raises(ResultColumnsMissing):
        read_result_file(build_csv([["身份证号码", "姓名"], [ID1, "张三"]]))


def test_formula_refused() -> None:
    def tweak(book) -> None:  # type: ignore[no-untyped-def]
        book["s"]["E2"] = "=1+1"

    with pytest.raises(ResultFormula):
        read_result_file(build_xlsx({"s": ROWS}, tweak))


def test_too_many_lines_refused() -> None:
    rows = [ROWS[0]] + [[ID1, "张三", "成功", "", ""]] * 30
    with pytest.raises(TooManyRows):
        read_result_file(build_csv(rows), limits=Limits(max_rows=20))


@pytest.mark.parametrize("data", [b"", b"\x00\x01garbage" * 10, "名称,数值\n甲,1\n".encode(), "身份证号码,x\n".encode("utf-16")])
def test_unreadable_files_are_ingest_errors(data: bytes) -> None:
    with pytest.raises(IngestError):
        read_result_file(data)


@pytest.mark.parametrize("name", ["campaign.formats.bank_result", "campaign.formats.bank_open"])
def test_doctests(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
