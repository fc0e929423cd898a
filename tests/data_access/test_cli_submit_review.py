"""`python -m campaign submit` and `review`: what they print, what they write, exit codes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from campaign.cli import main
from data_access.auth import hash_demo_password
from data_access.db import write_session
from data_access.models import Member, PaperReceipt, ReviewDecision, Submission, User
from tests.data_access.test_action_submit import NOW, count, store
from tests.data_access.test_action_submit import wf as wf  # noqa: F401 (fixture)
from tests.data_access.test_upload_hostile import people


@pytest.fixture
def accounts(engine: Engine, wf: dict) -> dict:  # noqa: F811
    with write_session(engine) as session:
        for login, role, scope in (("clerk1", "unit", "U1"), ("leader1", "district_leader", "D1"),
                                   ("newarea", "district_leader", "N"), ("liaison1", "liaison", "A1")):
            session.add(User(login=login, display_name=login, password_hash=hash_demo_password("x"), role=role, scope_id=wf[scope]))
    store(engine, wf, "U1", people(1, 4), at=NOW - timedelta(days=1))
    return wf


def test_submit_review_materials_round_trip(engine: Engine, db_url: str, accounts: dict, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = ["--database", db_url]
    form = tmp_path / "form.xlsx"
    assert main(["submit", "--as", "clerk1", "--unit", "U1", "--filler", "王芳", "--filler-phone", "13812345678", *db]) == 1
    assert "同意书" in capsys.readouterr().err  # consents not confirmed
    assert main(["submit", "--as", "clerk1", "--unit", "U1", "--filler", "王芳", "--filler-phone", "13812345678",
                 "--consents-collected", "--form", str(form), *db]) == 0
    out = capsys.readouterr().out
    assert "已报送4名会员" in out and "submitted 4 members" in out and form.stat().st_size > 1000
    assert main(["review", "--as", "liaison1", "approve", "--unit", "U1", *db]) == 1
    assert "权限" in capsys.readouterr().err
    assert main(["review", "--as", "leader1", "materials", "--unit", "U1", "--sheet", "--id-copies", "6", "--consents", "4", *db]) == 0
    out = capsys.readouterr().out
    assert "身份证复印件2份" in out and "盖章单位信息审核表" in out
    assert main(["review", "--as", "leader1", "approve", "--unit", "U1", *db]) == 0
    assert "新区工会" in capsys.readouterr().out
    assert main(["review", "--as", "newarea", "return", "--unit", "U1", "--reason", "other", *db]) == 1
    assert "其他" in capsys.readouterr().err
    assert main(["review", "--as", "newarea", "return", "--unit", "U1", "--reason", "materials_missing", "--note", "缺复印件", *db]) == 0
    assert "已退回" in capsys.readouterr().out
    assert main(["review", "--as", "leader1", "approve", "--unit", "NOPE", *db]) == 1
    assert count(engine, ReviewDecision) == 2 and count(engine, PaperReceipt) == 1
    assert count(engine, Submission, Submission.outcome == "returned") == 1
    assert count(engine, Member, Member.stage == "validated") == 4
