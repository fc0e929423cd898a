"""`python -m campaign org template|import|export`: exit codes 0/1/2, --dry-run writes nothing,
refused rows printed as "第N行 单位编码 X：原因", export → import a no-op."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from campaign.cli import main
from data_access.db import read_session, write_session
from data_access.models import Audit, OrgUnit, User
from tests.campaign.orgtree_fixture import SEED_TREE, csv_bytes
from tests.conftest import ROOT


def org_count(engine: Engine) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def add_user(engine: Engine, login: str, role: str) -> None:
    with write_session(engine) as session:
        session.add(User(login=login, display_name=login, password_hash="x", role=role, scope_id=None))


def test_template_import_export(engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_user(engine, "boss", "admin")
    template = tmp_path / "template.xlsx"
    assert main(["org", "template", str(template)]) == 0
    tree = tmp_path / "tree.csv"
    tree.write_bytes(csv_bytes(SEED_TREE, "gbk"))
    assert main(["org", "import", str(tree), "--dry-run", "--database", db_url]) == 0  # the sole admin acts
    assert "新增 8" in capsys.readouterr().out and org_count(engine) == 0
    assert main(["org", "import", str(tree), "--database", db_url]) == 0
    assert org_count(engine) == len(SEED_TREE)
    assert main(["org", "import", str(tree), "--database", db_url]) == 0
    assert "没有需要导入的变化" in capsys.readouterr().out
    out = tmp_path / "export.xlsx"
    assert main(["org", "export", str(out), "--database", db_url, "--as", "boss"]) == 0
    assert main(["org", "import", str(out), "--database", db_url]) == 0
    assert "没有需要导入的变化" in capsys.readouterr().out
    with read_session(engine) as session:
        actions = session.scalars(select(Audit.action).order_by(Audit.id)).all()
    assert actions == ["org_import", "export"]


def test_refused_rows_exit_1_and_unreadable_exit_2(engine: Engine, db_url: str, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    add_user(engine, "boss", "admin")
    add_user(engine, "lead", "district_leader")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([*SEED_TREE, {"code": "X1", "name": "丙", "parent_code": "NOPE", "level": "区县局"}]))
    assert main(["org", "import", str(bad), "--database", db_url]) == 1
    assert "第10行 单位编码 X1：上级单位编码 NOPE 在文件和系统中都不存在" in capsys.readouterr().out
    assert org_count(engine) == 0
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["org", "import", str(junk), "--database", db_url]) == 2
    assert main(["org", "import", str(tmp_path / "missing.csv"), "--database", db_url]) == 2
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(SEED_TREE))
    assert main(["org", "import", str(good), "--database", db_url, "--as", "lead"]) == 1  # not an administrator
    add_user(engine, "boss2", "admin")
    assert main(["org", "import", str(good), "--database", db_url]) == 1  # two admins: say which
    assert org_count(engine) == 0


def test_runs_as_a_process(engine: Engine, db_url: str, tmp_path: Path) -> None:
    add_user(engine, "boss", "admin")
    tree = tmp_path / "tree.csv"
    tree.write_bytes(csv_bytes(SEED_TREE))
    done = subprocess.run([sys.executable, "-m", "campaign", "org", "import", str(tree), "--database", db_url],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert org_count(engine) == len(SEED_TREE)
