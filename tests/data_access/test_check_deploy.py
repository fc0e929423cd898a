"""`python -m campaign check-deploy` (run by `make serve`) refuses a database with demo passwords
or without an administrator."""

from __future__ import annotations

from sqlalchemy import update

from campaign.cli import main
from data_access.auth import hash_demo_password
from data_access.db import write_session
from data_access.models import User


def test_refuses_while_demo_passwords_remain_and_passes_once_changed(demo_engine, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["check-deploy"]) == 1
    err = capsys.readouterr().err
    assert "拒绝启动" in err and "演示密码" in err and "Refusing to start" in err and "admin" in err
    with write_session(demo_engine) as s:
        s.execute(update(User).values(password_hash=hash_demo_password("a-real-passphrase-2026")))
    assert main(["check-deploy"]) == 0
    assert "部署检查通过" in capsys.readouterr().out


def test_an_empty_database_refuses_and_names_init(engine, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)  # nobody could sign in: tell the operator what to run
    assert main(["check-deploy"]) == 1
    assert "python -m campaign init" in capsys.readouterr().out
