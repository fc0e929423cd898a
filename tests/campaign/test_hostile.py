"""Hostile files: each gets exit 2, a one-line reason in Chinese and English, and no report."""

from __future__ import annotations

import io
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
    TooManyColumns,
    TooManyRows,
    UnsafeArchive,
    UnsafeXml,
)
from campaign.sheets import read_workbook
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
        error = error_class(sheet="s", rows=1, limit=1, cols=1, columns="x", size_mb=1, limit_mb=1)
        assert error.message("zh") and error.message("en")
        assert error.message("zh") != error.message("en")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope.xlsx")]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_clean_file_still_reads(good_rows: list) -> None:
    assert read_workbook(build_xlsx({"s": sheet_rows(good_rows)})).row_count == 3
    assert make_id()
