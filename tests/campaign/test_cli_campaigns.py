"""`python -m campaign campaign`: create, list, set, deadline, extend, revoke, deadlines; exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest
from sqlalchemy import Engine, select

from campaign.cli import main
from data_access.auth import hash_demo_password
from data_access.db import read_session, write_session
from data_access.models import Audit, Campaign, Deadline, User
from tests.data_access.test_action_campaigns import count
from tests.data_access.test_action_campaigns import tree as tree  # noqa: F401 (fixture)


@pytest.fixture
def accounts(engine: Engine, tree: dict) -> dict:  # noqa: F811
    with write_session(engine) as session:
        for login, role, scope in (("admin", "admin", None), ("leader1", "district_leader", "D1")):
            session.add(User(login=login, display_name=login, password_hash=hash_demo_password("x"), role=role,
                             scope_id=tree[scope][0] if scope else None))
    return tree


def test_campaign_commands_round_trip(engine: Engine, db_url: str, accounts: dict, capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", db_url]
    assert main(["campaign", "create", "--name", "2026年会员服务卡", "--reference-date", "2026-09-30", "--root", "N",
                 "--review-levels", "district,new_area", "--shared-phone", "error", *db]) == 0
    cid = int(capsys.readouterr().out.strip())
    assert main(["campaign", "list", "--json", *db]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed[0]["id"] == cid and listed[0]["review_levels"] == "district,new_area" and listed[0]["root_code"] == "N"
    assert listed[0]["shared_phone_severity"] == "error" and listed[0]["activation_date"] is None
    assert main(["campaign", "set", str(cid), "--activation-date", "2027-01-01", "--name", "第一批", *db]) == 0
    assert "2027-01-01" in capsys.readouterr().out
    assert main(["campaign", "deadline", str(cid), "--milestone", "unit_submission", "--level", "district",
                 "--due", "2026-10-28 12:00", *db]) == 0
    assert "2026-10-28 12:00" in capsys.readouterr().out
    assert main(["campaign", "deadline", str(cid), "--milestone", "unit_submission", "--org", "D1",
                 "--due", "2026-10-30 12:00", "--note", "区里推迟", *db]) == 0
    assert main(["campaign", "deadline", str(cid), "--milestone", "distribution", "--all", "--due", "2026-12-31 17:00", *db]) == 0
    assert main(["campaign", "extend", str(cid), "--as", "leader1", "--unit", "U1", "--milestone", "unit_submission",
                 "--due", "2026-11-02 12:00", "--reason", "单位停电", *db]) == 0
    capsys.readouterr()
    assert main(["campaign", "deadlines", str(cid), "--json", *db]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["milestone"], r["org_code"], r["level"], r["is_extension"], r["due_at"]) for r in rows} == {
        ("unit_submission", None, "district", False, "2026-10-28 12:00"),
        ("unit_submission", "D1", "district", False, "2026-10-30 12:00"),
        ("distribution", None, None, False, "2026-12-31 17:00"),
        ("unit_submission", "U1", "unit", True, "2026-11-02 12:00"),
    }
    assert [r["set_by"] for r in rows if r["is_extension"]] == ["leader1"]
    with read_session(engine) as s:  # stored as UTC
        assert s.scalar(select(Deadline.due_at).where(Deadline.is_extension.is_(True))) == datetime(2026, 11, 2, 4, 0)
        assert s.get(Campaign, cid).name == "第一批"
    assert main(["campaign", "revoke", str(cid), "--as", "leader1", "--unit", "U1", "--milestone", "unit_submission", *db]) == 0
    assert main(["campaign", "deadlines", str(cid), "--history", *db]) == 0
    assert "U1" in capsys.readouterr().out
    assert count(engine, Audit, Audit.action.in_(("campaign_create", "campaign_update", "deadline_set", "extension_grant", "extension_revoke"))) == 7


def test_campaign_command_refusals_exit_1_and_write_nothing(engine: Engine, db_url: str, accounts: dict,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", db_url]
    assert main(["campaign", "create", "--name", "x", "--reference-date", "2026-09-30", "--root", "N", *db]) == 0
    cid = capsys.readouterr().out.strip()
    before = (count(engine, Campaign), count(engine, Deadline), count(engine, Audit))
    cases = [
        (["create", "--name", "y", "--reference-date", "30/09/2026", "--root", "N"], "YYYY-MM-DD"),
        (["create", "--name", "y", "--reference-date", "2026-09-30", "--root", "NOPE"], "NOPE"),
        (["create", "--as", "leader1", "--name", "y", "--reference-date", "2026-09-30", "--root", "N"], "权限"),
        (["set", cid, "--review-levels", "new_area,district"], "从基层往上"),
        (["set", "999", "--name", "z"], "999"),
        (["deadline", cid, "--milestone", "unit_submission", "--all", "--due", "2026-10-28"], "HH:MM"),
        (["deadline", cid, "--milestone", "unit_submission", "--level", "galaxy", "--due", "2026-10-28 12:00"], "galaxy"),
        (["extend", cid, "--as", "leader1", "--unit", "U3", "--milestone", "unit_submission", "--due", "2026-10-28 12:00",
          "--reason", "r"], "权限"),
        (["extend", cid, "--unit", "U1", "--milestone", "unit_submission", "--due", "2026-10-28 12:00", "--reason", " "], "原因"),
        (["extend", cid, "--as", "nobody", "--unit", "U1", "--milestone", "unit_submission", "--due", "2026-10-28 12:00",
          "--reason", "r"], "nobody"),
    ]
    for args, said in cases:
        assert main(["campaign", *args, *db]) == 1, args
        assert said in capsys.readouterr().err, args
    assert (count(engine, Campaign), count(engine, Deadline), count(engine, Audit)) == before


def test_without_as_and_several_admins_it_asks_who(engine: Engine, db_url: str, accounts: dict,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    with write_session(engine) as session:
        session.add(User(login="admin2", display_name="admin2", password_hash="x", role="admin"))
    assert main(["campaign", "create", "--name", "x", "--reference-date", "2026-09-30", "--root", "N", "--database", db_url]) == 1
    assert "--as" in capsys.readouterr().err
    assert main(["campaign", "create", "--as", "admin2", "--name", "x", "--reference-date", "2026-09-30", "--root", "N",
                 "--database", db_url]) == 0


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_runs_as_a_subprocess(db_url: str, accounts: dict) -> None:
    done = subprocess.run([sys.executable, "-m", "campaign", "campaign", "list", "--database", db_url],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == ""
    done = subprocess.run([sys.executable, "-m", "campaign", "campaign", "deadline", "1", "--milestone", "bank_batch",
                           "--all", "--due", "2026-11-20 12:00", "--database", db_url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "campaign 1" in done.stderr
