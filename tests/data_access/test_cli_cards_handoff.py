"""``python -m campaign cards`` and ``handoff``: what they print, what they write, exit codes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from campaign.cli import main
from data_access.db import read_session, write_session
from data_access.models import Campaign, CardMovement, Handoff, User
from tests.campaign.conftest import build_csv
from tests.data_access.test_action_cards import produced  # noqa: F401  (fixture)
from tests.data_access.test_upload_hostile import people


@pytest.fixture
def logins(engine: Engine, produced: dict) -> dict:  # noqa: F811
    with write_session(engine) as session:
        session.add(User(login="leader1", display_name="一区", password_hash="x", role="district_leader", scope_id=produced["d1"]))
        session.add(User(login="clerk1", display_name="一单位", password_hash="x", role="unit", scope_id=produced["unit1"]))
    return produced


def steps(engine: Engine) -> dict[str, int]:
    with read_session(engine) as session:
        return dict(session.execute(select(CardMovement.step, func.count()).group_by(CardMovement.step)).all())


def test_cards_and_handoff_commands(engine: Engine, db_url: str, logins: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--as", "leader1", "--database", db_url]
    bank = tmp_path / "bank.csv"
    bank.write_bytes(build_csv([["身份证号码", "姓名", "卡号"], *[[p[2], p[1], "62220000"] for p in people(1, 6)]], "gbk"))
    assert main(["cards", *common, "received", "--file", str(bank), "--dry-run"]) == 0
    assert "预览" in capsys.readouterr().out and steps(engine) == {}
    assert main(["cards", *common, "received", "--file", str(bank)]) == 0
    assert "已登记 recorded: 6" in capsys.readouterr().out and steps(engine) == {"received_by_district": 6}
    assert main(["cards", *common, "received", "--file", str(bank)]) == 0
    assert "已导入过" in capsys.readouterr().out and steps(engine) == {"received_by_district": 6}
    assert main(["cards", *common, "handed", "--unit", "U1"]) == 1  # no --handed-to
    assert "--handed-to" in capsys.readouterr().err
    assert main(["cards", *common, "handed", "--unit", "U1", "--handed-to", "李会计"]) == 0
    assert main(["cards", *common, "handed", "--unit", "U2", "--handed-to", "x"]) == 1  # another district
    assert "权限" in capsys.readouterr().err
    assert main(["cards", *common, "delivered", "--file", str(tmp_path / "missing.csv")]) == 2
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a workbook")
    assert main(["cards", *common, "delivered", "--file", str(junk)]) == 2
    assert main(["cards", "--as", "clerk1", "--database", db_url, "delivered", "--unit", "U1"]) == 0
    assert steps(engine)["delivered"] == 6
    with write_session(engine) as session:
        session.get(Campaign, logins["campaign"]).activation_date = date(2099, 1, 1)
    assert main(["cards", *common, "activated", "--file", str(bank)]) == 1  # before the activation date
    assert "2099-01-01" in capsys.readouterr().err
    out = tmp_path / "handoff.xlsx"
    assert main(["handoff", *common, str(out), "--csv", str(tmp_path / "handoff.csv")]) == 0
    assert "6" in capsys.readouterr().out and out.read_bytes()[:2] == b"PK"
    assert main(["handoff", *common, str(out)]) == 1
    assert "没有新的" in capsys.readouterr().err
    assert main(["handoff", "--as", "clerk1", "--database", db_url, str(out)]) == 1
    assert main(["handoff", "--as", "nobody", "--database", db_url, str(out)]) == 1
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Handoff)) == 1
