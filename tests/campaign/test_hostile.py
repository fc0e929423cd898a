"""Hostile files: each gets exit 2, a one-line reason in Chinese and English, and no report."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

from campaign.cli import main
from campaign.errors import (
    CorruptWorkbook,
    EncryptedWorkbook,
    IngestError,
    MissingColumns,
    NoHeader,
    NotASpreadsheet,
    SheetTooLarge,
    TooManyColumns,
    TooManyRows,
    UnsafeArchive,
    UnsafeXml,
)
from campaign.sheets import read_workbook
from campaign.sheets.isolated import run_isolated
from tests.campaign.conftest import build_csv, build_xls, build_xlsx, make_id, sheet_rows

NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
WORKBOOK = (
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def hand_zipped_xlsx(sheet_xml: bytes | str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .xlsx assembled by hand (cheap even with a million rows)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>身份证号码</t></is></c></row>'
)


def openable_xlsx(sheet_data: str) -> bytes:
    """A hand-zipped .xlsx that calamine also opens (it needs the package relationships)."""
    return hand_zipped_xlsx(NS + "<sheetData>" + sheet_data + "</sheetData></worksheet>", {"_rels/.rels": PACKAGE_RELS})


def far_cell_xlsx(ref: str) -> bytes:
    """A header and one far cell: a tiny file whose extent is huge."""
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return openable_xlsx(HEADER_ROW + f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>')


def quoted_far_cell_xlsx() -> bytes:
    """Issue 10: the far cell's reference in single quotes (the old byte scan saw nothing)."""
    return openable_xlsx(HEADER_ROW + "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>")


def encrypted_xlsx() -> bytes:
    """An OLE2 container whose stream is named EncryptionInfo (how Office stores encryption)."""
    data = bytearray(build_xls({"s": [["a"]]}))
    name = "Workbook".encode("utf-16-le")
    at = data.find(name)
    entry = "EncryptionInfo\0".encode("utf-16-le")
    data[at : at + 64] = entry.ljust(64, b"\0")
    data[at + 64 : at + 66] = struct.pack("<H", len(entry))
    return bytes(data)


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (64 * 2**20))
    return buffer.getvalue()


def many_entries() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for k in range(1_500):
            archive.writestr(f"xl/media/{k}.xml", b"x")
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    + NS
    + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def million_rows_xlsx() -> bytes:
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 1_000_002))
    return hand_zipped_xlsx(NS + '<dimension ref="A1:A1000001"/><sheetData>' + rows + "</sheetData></worksheet>")


def million_rows_csv() -> bytes:
    return ("姓名,身份证号码,手机号码\n" + "张,1,1\n" * 1_000_000).encode()


def sparse_xlsx() -> bytes:
    return hand_zipped_xlsx(
        NS + '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>'
        '<row r="2"><c r="XFD2"><v>1</v></c></row></sheetData></worksheet>'
    )


def sparse_xls() -> bytes:
    def tweak(sheets: dict) -> None:
        sheets["s"].write(65535, 255, 1)

    return build_xls({"s": [["姓名"]]}, tweak)


HOSTILE = {
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, NotASpreadsheet),
    "random": (bytes((k * 7919) % 251 for k in range(5000)), NotASpreadsheet),
    "encrypted": (encrypted_xlsx(), EncryptedWorkbook),
    "truncated_zip": (build_xlsx({"s": [["a"]]})[:300], UnsafeArchive),
    "zip_bomb": (zip_bomb(), UnsafeArchive),
    "many_entries": (many_entries(), UnsafeArchive),
    "xml_entities": (hand_zipped_xlsx(BILLION_LAUGHS), UnsafeXml),
    "sparse_xlsx": (sparse_xlsx(), TooManyColumns),
    "sparse_xls": (sparse_xls(), TooManyColumns),
    "no_header": (build_csv([["甲", "乙"], ["1", "2"]]), NoHeader),
    "missing_columns": (build_csv([["姓名", "手机号码"], ["张三", "13812345678"]]), MissingColumns),
    "garbage_xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x01" * 600, CorruptWorkbook),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_rejected_with_reason(case: str) -> None:
    data, error = HOSTILE[case]
    with pytest.raises(error):
        read_workbook(data, case)


@pytest.mark.parametrize("builder", [million_rows_csv, million_rows_xlsx])
def test_a_million_rows_is_rejected_early(builder: object) -> None:
    with pytest.raises(TooManyRows) as caught:
        read_workbook(builder())  # type: ignore[operator]
    assert "200000" in str(caught.value)


@pytest.mark.parametrize("case", ["png", "encrypted", "zip_bomb", "xml_entities", "no_header"])
def test_command_exits_2_and_writes_nothing(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / f"{case}.xlsx"
    source.write_bytes(HOSTILE[case][0])
    report = tmp_path / "out.xlsx"
    code = main(["validate", str(source), "--json", "--report", str(report)])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and " / " in lines[0]
    assert not report.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def test_every_ingest_error_has_both_languages() -> None:
    for error_class in IngestError.__subclasses__():
        error = error_class(sheet="s", row=1, rows=1, limit=1, cols=1, columns="x", size_mb=1, limit_mb=1)
        assert error.message("zh") and error.message("en")
        assert error.message("zh") != error.message("en")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_clean_file_still_reads(good_rows: list) -> None:
    assert read_workbook(build_xlsx({"s": sheet_rows(good_rows)})).row_count == 3
    assert make_id()


# --- Issue 10: the extent is measured from the XML as calamine reads it ----------------------
# Each sheet below is a header row and a far cell written some legal way the old byte scan did
# not see. They are read in a worker (``run_isolated``) so that a regression aborts a worker,
# not the test run; that this process is still alive is checked by the test continuing.
PREFIXED = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
FAR = {
    "single_quotes": ("<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>", TooManyColumns),
    "attribute_before_r": ('<row r="1048576"><c s="0" r="XFD1048576"><v>1</v></c></row>', TooManyColumns),
    "spaces_around_equals": ('<row r="1048576"><c r = "XFD1048576"><v>1</v></c></row>', TooManyColumns),
    "prefixed": (f'<x:row {PREFIXED} r="9"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>', TooManyColumns),
    "character_reference": ('<row r="3"><c r="&#88;FD1048576"><v>1</v></c></row>', TooManyColumns),
    "far_cell": ('<row r="200000"><c r="GR200000"><v>1</v></c></row>', SheetTooLarge),
    "far_cell_attribute_first": ('<row r="200000"><c t="n" r="GR200000"><v>1</v></c></row>', SheetTooLarge),
    "lowercase_reference": ('<row r="200000"><c r="gr200000"><v>1</v></c></row>', SheetTooLarge),
    "cell_below_its_row": (
        '<row r="2"><c r="GR200000"><v>1</v></c></row><row r="3"><c r="A3"><v>1</v></c></row>',
        SheetTooLarge,
    ),
    "cells_without_r": ('<row r="200000">' + "<c><v>1</v></c>" * 200 + "</row>", SheetTooLarge),
    "rows_and_cells_without_r": ("<row>" + "<c><v>1</v></c>" * 201 + "</row>", TooManyColumns),
    "duplicate_r": ('<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>', CorruptWorkbook),
}


@pytest.mark.parametrize("case", sorted(FAR))
def test_a_far_cell_written_any_legal_way_is_refused(case: str) -> None:
    sheet_data, error = FAR[case]
    data = openable_xlsx(HEADER_ROW + sheet_data)
    assert len(data) < 2_000
    with pytest.raises(error) as caught:
        run_isolated(read_workbook, data, case)
    assert type(caught.value) is error


def test_the_issue_sheets_are_refused_in_process_before_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    import python_calamine

    def no_calamine(*args: object) -> None:
        raise AssertionError("calamine was reached")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", no_calamine)
    with pytest.raises(SheetTooLarge) as caught:
        read_workbook(far_cell_xlsx("GR200000"))
    assert str(caught.value).startswith("工作表“S”的表格范围过大：从A1到最远的单元格共 200000 行 × 200 列")
    with pytest.raises(TooManyColumns):
        read_workbook(quoted_far_cell_xlsx())


def test_sparse_xls_beyond_the_cell_limit_is_refused() -> None:
    def tweak(sheets: dict) -> None:
        sheets["s"].write(60_000, 120, 1)  # 60,001 rows × 121 columns: 7.3 M cells

    with pytest.raises(SheetTooLarge):
        read_workbook(build_xls({"s": [["姓名"]]}, tweak))


def test_a_sheet_in_any_legal_spelling_reads_like_the_plain_one(good_rows: list) -> None:
    """Single quotes, attribute order, prefixes and missing references give the same sheet."""

    def tweak(book: object) -> None:
        sheet = book["s"]  # type: ignore[index]
        sheet["D5"] = "=A5"
        sheet["C6"] = "#N/A"
        sheet["C6"].data_type = "e"
        sheet.row_dimensions[4].hidden = True

    plain = build_xlsx({"s": sheet_rows(good_rows)}, tweak)
    with zipfile.ZipFile(io.BytesIO(plain)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    head, _, rest = xml.partition("<sheetData>")
    head = head.replace("<worksheet ", f"<worksheet {PREFIXED} ", 1)  # binds x: for the prefixed spelling
    body, _, tail = rest.partition("</sheetData>")
    spellings = {
        "single_quotes": body.replace('"', "'"),
        "r_last": re.sub(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(/?)>', r'<c\2 r="\1"\3>', body),
        "prefixed": body.replace("<", "<x:").replace("<x:/", "</x:"),
        "no_cell_references": re.sub(r' r="[A-Z]+[0-9]+"', "", body),
    }
    expected = read_workbook(plain).sheets[0].raw
    for spelling, new_body in spellings.items():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for name, content in parts.items():
                if name == "xl/worksheets/sheet1.xml":
                    content = (head + "<sheetData>" + new_body + "</sheetData>" + tail).encode()
                archive.writestr(name, content)
        raw = read_workbook(buffer.getvalue(), spelling).sheets[0].raw
        assert raw.rows == expected.rows, spelling
        assert (raw.formulas, raw.errors, raw.hidden_rows) == ({(5, 3): "=A5"}, {(6, 2): "#N/A"}, {4}), spelling
