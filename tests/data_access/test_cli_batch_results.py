"""`python -m campaign batch ...` and `results ...`: the same actions from the command line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from campaign.cli import main
from data_access.db import read_session
from data_access.models import BankBatch, BankResult
from tests.conftest import ROOT
from tests.data_access.bank_workflow_fixture import Tree, build_tree, result_csv


@pytest.fixture
def tree(engine: Engine) -> Tree:
    return build_tree(engine)


def results(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(BankResult)) or 0


def test_create_file_and_results(tree: Tree, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", "create", "--as", "leader1", "--database", db_url, "--district", "D1", "--unit", "U1", "--branch", "滨海支行"]) == 0
    out = capsys.readouterr().out
    with read_session(tree.engine) as session:
        reference = session.scalar(select(BankBatch.reference))
    assert reference and reference in out and "5" in out
    book_path = tmp_path / "bank.xlsx"
    assert main(["batch", "file", "--as", "leader1", "--database", db_url, reference, str(book_path)]) == 0
    assert openpyxl.load_workbook(io.BytesIO(book_path.read_bytes())).sheetnames[1] == "D1区工会-U1公司工会"
    # a masked role may not have the file
    assert main(["batch", "file", "--as", "liaison1", "--database", db_url, reference, str(tmp_path / "x.xlsx")]) == 1
    assert not (tmp_path / "x.xlsx").exists()

    u1 = tree.people["U1"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(result_csv([(u1[0], "成功", ""), (u1[0], "成功", ""), (tree.people["U3"][0], "成功", "")]))
    capsys.readouterr()
    assert main(["results", "--as", "leader1", "--database", db_url, reference, str(bad)]) == 1
    printed = capsys.readouterr()
    assert "与第2行重复" in printed.out and "repeats line 2" in printed.out
    assert all(p[1] not in printed.out + printed.err for p in u1 + tree.people["U3"])
    assert results(tree.engine) == 0

    good = tmp_path / "good.csv"
    good.write_bytes(result_csv([(u1[0], "失败", "手机号码无效或为空号")] + [(p, "成功", "") for p in u1[1:]]))
    assert main(["results", "--as", "leader1", "--database", db_url, reference, str(good), "--dry-run"]) == 0
    assert results(tree.engine) == 0
    assert main(["results", "--as", "leader1", "--database", db_url, reference, str(good)]) == 0
    assert results(tree.engine) == 5
    capsys.readouterr()
    assert main(["results", "--as", "leader1", "--database", db_url, reference, str(good)]) == 0
    assert "已导入过" in capsys.readouterr().out and results(tree.engine) == 5


def test_refusals_and_unreadable(tree: Tree, db_url: str, tmp_path: Path) -> None:
    assert main(["batch", "create", "--as", "liaison1", "--database", db_url, "--district", "D1", "--branch", "b"]) == 1
    assert main(["batch", "create", "--as", "leader1", "--database", db_url, "--district", "NOPE", "--branch", "b"]) == 1
    assert main(["batch", "create", "--as", "nobody", "--database", db_url, "--district", "D1", "--branch", "b"]) == 1
    assert main(["batch", "create", "--as", "admin", "--database", db_url, "--district", "D2", "--branch", "b"]) == 0
    with read_session(tree.engine) as session:
        reference = session.scalar(select(BankBatch.reference))
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["results", "--as", "admin", "--database", db_url, str(reference), str(junk)]) == 2
    assert main(["results", "--as", "admin", "--database", db_url, str(reference), str(tmp_path / "missing.csv")]) == 2
    assert main(["results", "--as", "admin", "--database", db_url, "PC-NONE-1", str(junk)]) == 1


def test_help_as_a_process() -> None:
    for command in (["batch", "create", "--help"], ["batch", "file", "--help"], ["results", "--help"]):
        done = subprocess.run([sys.executable, "-m", "campaign", *command], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "--as" in done.stdout
