"""Reading the bank's issued-card list and reconciling it with the members produced here."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from campaign.errors import IngestError
from campaign.reconcile import BankListColumnsMissing, card_tail, read_bank_list, reconcile

PRODUCED = pd.DataFrame({
    "member_id": [1, 2, 3, 4],
    "name": ["张三", "李四", "王五", "赵六"],
    "id_number": ["11010519491231002X", "110105198001010016", "110105198001010024", "110105198001010032"],
    "card_tail": ["1111", "2222", "3333", "4444"],
    "unit_name": ["一号单位"] * 4,
})


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_reads_an_xlsx_with_title_rows_and_full_width_ids():
    data = _xlsx([["某银行已制卡清单"], [], ["序号", "姓名", "身份证号码", "卡号"],
                  [1, "张三", "１１０１０５１９４９１２３１００２ｘ", "6222 0200 0000 1111"], [2, "李四", None, "****2222"], [3, None, None, None]])
    frame = read_bank_list(data, "bank.xlsx")
    assert frame.to_dict("records") == [
        {"id_number": "11010519491231002X", "name": "张三", "card_tail": "1111", "sheet_row": 4},
        {"id_number": "", "name": "李四", "card_tail": "2222", "sheet_row": 5},
    ]


def test_reads_a_gbk_csv_with_name_and_card_tail_only():
    data = "姓名,卡号后四位\n王五,3333\n".encode("gbk")
    assert read_bank_list(data, "bank.csv").to_dict("records") == [
        {"id_number": "", "name": "王五", "card_tail": "3333", "sheet_row": 2},
    ]


def test_reconcile_matches_by_id_then_by_name_and_card_tail():
    bank = pd.DataFrame({
        "id_number": ["11010519491231002X", "", "999999199001010000", "11010519491231002X", ""],
        "name": ["张叁", "李四", "外人", "张三", "王五"],
        "card_tail": ["1111", "2222", "0000", "1111", "9999"],
        "sheet_row": [2, 3, 4, 5, 6],
    })
    result = reconcile(bank, PRODUCED)
    assert result.counts == {"matched": 2, "bank_only": 3, "here_only": 2}
    matched = result.matched.set_index("member_id")
    assert matched.loc[1, "matched_by"] == "id" and bool(matched.loc[1, "name_differs"]) is True
    assert matched.loc[2, "matched_by"] == "name_card" and bool(matched.loc[2, "name_differs"]) is False
    assert result.bank_only["sheet_row"].tolist() == [4, 5, 6]
    assert result.bank_only["duplicate"].tolist() == [False, True, False]  # row 5 repeats row 2
    assert result.here_only["name"].tolist() == ["王五", "赵六"]


def test_everything_matches():
    bank = PRODUCED[["id_number", "name", "card_tail"]].assign(sheet_row=range(2, 6))
    result = reconcile(bank, PRODUCED)
    assert result.counts == {"matched": 4, "bank_only": 0, "here_only": 0}


def test_card_tail_from_numbers_and_text():
    assert card_tail(6222020000001111) == "1111"
    assert card_tail("62220200****1111") == "1111"
    assert card_tail(None) == "" and card_tail("12") == ""


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 2**20))
    return buffer.getvalue()


@pytest.mark.parametrize("data, words", [
    (b"", "空"),
    (b"\x00\x01\x02garbage" * 10, ""),
    (b"PK\x03\x04 not really a zip", ""),
    (_zip_bomb(), ""),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', ""),
    ("备注,金额\n你好,3\n".encode(), ""),
])
def test_hostile_or_bad_files_are_rejected_with_a_chinese_message(data, words):
    with pytest.raises(IngestError) as caught:
        read_bank_list(data, "bank.xlsx")
    message = str(caught.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message
    assert words in message


def test_header_without_id_or_name_and_card_names_what_is_missing():
    with pytest.raises(BankListColumnsMissing, match="身份证号"):
        read_bank_list("姓名,手机号\n张三,13800000000\n".encode(), "x.csv")
