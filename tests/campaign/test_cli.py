"""``python -m campaign validate``: JSON shape, row numbers, exit codes, the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from campaign.cli import build_parser, main
from tests.campaign.conftest import build_csv, make_id, sheet_rows

ROOT = Path(__file__).resolve().parents[2]
GOOD = make_id()


def write(tmp_path: Path, rows: list, name: str = "s.csv", encoding: str = "gbk") -> Path:
    path = tmp_path / name
    path.write_bytes(build_csv(sheet_rows(rows), encoding))
    return path


def test_json_has_every_row_with_csv_line_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [[1, "张三", GOOD, "13812345678", ""], [], [2, "李四", "123", "13912345678", ""]])
    code = main(["validate", str(path), "--json", "--as-of", "2014-10-01"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1
    assert payload["rows"] == [
        {"row": 4, "errors": [], "warnings": []},
        {"row": 6, "errors": ["id_length"], "warnings": []},
    ]
    assert payload["summary"]["rows"] == 2 and payload["summary"]["errors"] == 1


def test_clean_file_exits_0_and_writes_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, [[1, "张三", GOOD, "13812345678", ""]])
    report = tmp_path / "out" / "marked.xlsx"
    assert main(["validate", str(path), "--report", str(report), "--as-of", "2014-10-01"]) == 0
    assert openpyxl.load_workbook(report).sheetnames[0] == "错误清单"
    assert "errors=0" in capsys.readouterr().out


def test_as_of_defaults_to_today_in_shanghai() -> None:
    args = build_parser().parse_args(["validate", "x.csv"])
    assert args.as_of is None and args.json is False


def test_as_a_process(tmp_path: Path) -> None:
    path = write(tmp_path, [[1, "张三", GOOD, "14012345678", ""]], encoding="utf-8-sig")
    done = subprocess.run(
        [sys.executable, "-m", "campaign", "validate", str(path), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["rows"][0]["errors"] == ["phone_unallocated"]
