"""`python -m campaign users ...`: exit codes 0 done, 1 refused (nothing written), 2 unreadable
file or no terminal; `--as` may be left out while there is one administrator."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from campaign.cli import main
from data_access.auth import sign_in
from data_access.db import read_session
from data_access.models import Audit, User
from tests.campaign.conftest import build_csv, build_xlsx
from tests.data_access.test_action_users import GOOD, OTHER, build_org

HEADER = ["登录名", "姓名", "角色", "管理范围单位编码", "初始密码"]


def _count(engine, model=User) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_users_commands_end_to_end(engine, db_url, tmp_path, capsys):
    org = build_org(engine)
    db = ["--database", db_url]
    password_file = tmp_path / "pw"
    password_file.write_text(GOOD + "\n", encoding="utf-8")
    assert main(["users", "add", "clerk1", "--role", "unit", "--scope", "U1", "--name", "张会计", "--password-file", str(password_file), *db]) == 0
    assert main(["users", "add", "leader1", "--role", "district_leader", "--scope", "D1", "--generate", "--as", "root", *db]) == 0
    out = capsys.readouterr().out
    generated = out.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert sign_in(engine, "leader1", generated).user is not None
    assert sign_in(engine, "clerk1", GOOD).user is not None

    assert main(["users", "list", "--json", *db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [u["login"] for u in listed] == ["clerk1", "leader1", "root"]
    assert set(listed[0]) == {"login", "display_name", "role", "scope_code", "scope_name", "active", "locked_until"}
    assert listed[0] == {"login": "clerk1", "display_name": "张会计", "role": "unit", "scope_code": "U1",
                          "scope_name": "甲公司工会", "active": True, "locked_until": None}
    assert "argon2" not in json.dumps(listed)

    for _ in range(5):
        sign_in(engine, "clerk1", "wrong")
    assert main(["users", "list", "--json", *db]) == 0
    assert json.loads(capsys.readouterr().out)[0]["locked_until"].endswith("Z")
    other_file = tmp_path / "pw2"
    other_file.write_text(OTHER, encoding="utf-8")
    assert main(["users", "reset", "clerk1", "--password-file", str(other_file), *db]) == 0
    assert sign_in(engine, "clerk1", OTHER).user is not None
    assert main(["users", "scope", "clerk1", "A1", "--role", "liaison", *db]) == 0
    assert main(["users", "disable", "clerk1", *db]) == 0
    assert sign_in(engine, "clerk1", OTHER).user is None
    assert main(["users", "enable", "clerk1", *db]) == 0
    assert main(["users", "sessions", "clerk1", *db]) == 0
    capsys.readouterr()

    # refused: nothing written, exit 1
    audits = _count(engine, Audit)
    for argv in (
        ["users", "add", "x1", "--role", "unit", "--scope", "NOPE", "--generate"],
        ["users", "add", "clerk1", "--role", "unit", "--scope", "U1", "--generate"],
        ["users", "scope", "root", "D1", "--role", "district_leader"],
        ["users", "disable", "nobody"],
        ["users", "add", "x2", "--role", "unit", "--scope", "U1", "--generate", "--as", "leader1"],
    ):
        assert main([*argv, *db]) == 1, argv
        assert capsys.readouterr().err
    weak = tmp_path / "weak"
    weak.write_text("12345", encoding="utf-8")
    assert main(["users", "add", "x3", "--role", "unit", "--scope", "U1", "--password-file", str(weak), *db]) == 1
    # no terminal and no password file; an unreadable password file
    assert main(["users", "add", "x4", "--role", "unit", "--scope", "U1", *db]) == 2
    assert main(["users", "reset", "clerk1", "--password-file", str(tmp_path / "missing"), *db]) == 2
    assert _count(engine, Audit) == audits and _count(engine) == 3
    assert org.ids["U1"]


def test_users_import_command(engine, db_url, tmp_path, capsys):
    build_org(engine)
    db = ["--database", db_url]
    sheet = tmp_path / "users.xlsx"
    sheet.write_bytes(build_xlsx({"用户": [HEADER, ["clerk1", "张", "基层单位填表人", "U1", GOOD], ["clerk3", "丙", "unit", "U3", ""]]}))
    assert main(["users", "import", str(sheet), "--dry-run", *db]) == 0
    assert "将新增 2 个账号" in capsys.readouterr().out and _count(engine) == 1
    assert main(["users", "import", str(sheet), *db]) == 0
    out = capsys.readouterr().out
    assert "已导入 2 个账号" in out and _count(engine) == 3
    clerk3_password = next(line.split("\t")[2] for line in out.splitlines() if line.startswith("clerk3\t"))
    assert sign_in(engine, "clerk3", clerk3_password).user is not None
    assert main(["users", "import", str(sheet), *db]) == 0
    assert "都已存在" in capsys.readouterr().out and _count(engine) == 3

    bad = tmp_path / "bad.csv"
    bad.write_bytes(build_csv([HEADER, ["clerk9", "九", "unit", "D1", ""], ["clerk8", "八", "unit", "U1", ""]]))
    assert main(["users", "import", str(bad), *db]) == 1
    out = capsys.readouterr().out
    assert out.startswith("2\tclerk9\t") and _count(engine) == 3

    for data in (b"\x00\x01garbage" * 10, build_csv([["姓名", "电话"], ["a", "b"]]),
                 build_csv([HEADER] + [[f"u{i}", "n", "unit", "U1", ""] for i in range(200_000)])):
        hostile = tmp_path / "hostile.csv"
        hostile.write_bytes(data)
        assert main(["users", "import", str(hostile), *db]) == 2
        capsys.readouterr()
    assert main(["users", "import", str(tmp_path / "missing.xlsx"), *db]) == 2
    assert _count(engine) == 3


def test_without_as_and_no_administrator(engine, db_url, capsys):
    assert main(["users", "list", "--database", db_url]) == 1
    assert "python -m campaign init" in capsys.readouterr().err
