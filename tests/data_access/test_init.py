"""First run: `python -m campaign init` and `check-deploy` (what `make serve` runs first)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from campaign.cli import main
from data_access.auth import sign_in
from data_access.db import get_engine, read_session
from data_access.models import Audit, User

ROOT = Path(__file__).resolve().parents[2]
STRONG = "Binhai-Harbour-2026"


def _users(url: str) -> list[tuple[str, str, object]]:
    with read_session(get_engine(url)) as session:
        return [tuple(r) for r in session.execute(select(User.login, User.role, User.scope_id).order_by(User.login))]


def test_empty_database_init_then_admin_signs_in_and_check_deploy_passes(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["check-deploy"]) == 1  # nothing migrated yet: no user table at all
    captured = capsys.readouterr()
    assert "python -m campaign init" in captured.out and "python -m campaign init" in captured.err
    password_file = tmp_path / "pw.txt"
    password_file.write_text(STRONG + "\nsecond line ignored\n", encoding="utf-8")
    assert main(["init", "--database", db_url, "--login", "chief", "--name", "办公室", "--password-file", str(password_file)]) == 0
    assert "chief" in capsys.readouterr().out
    assert _users(db_url) == [("chief", "admin", None)]
    result = sign_in(get_engine(db_url), "chief", STRONG)
    assert result.user is not None and result.user.scope.is_everything and result.user.role == "admin"
    with read_session(get_engine(db_url)) as session:
        audit = session.execute(select(Audit.user_login, Audit.object).where(Audit.action == "user_create")).all()
    assert [tuple(a) for a in audit] == [("cli:init", "chief")]
    assert main(["check-deploy"]) == 0
    # a second init only migrates
    assert main(["init", "--database", db_url, "--password-file", str(password_file)]) == 0
    assert "只升级了数据库" in capsys.readouterr().out
    assert _users(db_url) == [("chief", "admin", None)]


def test_a_migrated_database_without_users_does_not_serve(engine, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["check-deploy"]) == 1
    assert capsys.readouterr().out.strip() == "python -m campaign init"


def test_weak_password_is_refused_and_nothing_written(db_url, tmp_path, capsys):
    for weak in ("short", "demo1234demo", "admin-admin-2026", "aaaaaaaaaaaa"):
        password_file = tmp_path / "pw.txt"
        password_file.write_text(weak, encoding="utf-8")
        assert main(["init", "--database", db_url, "--password-file", str(password_file)]) == 1
        assert "密码强度不够" in capsys.readouterr().err
    assert _users(db_url) == []


def test_no_terminal_and_no_password_file_exits_2(db_url, tmp_path, capsys):
    assert main(["init", "--database", db_url]) == 2  # pytest's stdin is not a terminal
    assert "--password-file" in capsys.readouterr().err
    assert main(["init", "--database", db_url, "--password-file", str(tmp_path / "missing.txt")]) == 2
    assert _users(db_url) == []


def test_init_as_a_process_without_a_terminal(tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    env = {**os.environ, "DATABASE_URL": url}
    run = subprocess.run([sys.executable, "-m", "campaign", "init"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "--password-file" in run.stderr
    with read_session(get_engine(url)) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0  # migrated, nobody created
