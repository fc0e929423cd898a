"""The audit log, read (data_access.audit_log): filters, paging, the unit filter, the export,
administrators only; and no audit row a whole campaign writes holds a full ID or mobile.

(UPDATE / DELETE / TRUNCATE refused: tests/data_access/test_audit.py, both databases.)"""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import Engine, select

from campaign.demo import DemoConfig
from campaign.demo.story import generate_story
from data_access import audit_log
from data_access.actions import people
from data_access.actions.base import NotAllowed, log_action
from data_access.audit import log_export
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.demo_driver import drive_story
from data_access.models import Audit, Member
from data_access.scope import Scope
from tests.data_access.bank_workflow_fixture import Tree, build_tree

FULL_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ADMIN = CurrentUser("admin", "admin", "admin", Scope.everything())
LEADER = CurrentUser("leader", "leader", "district_leader", Scope.everything())


def _write(engine: Engine, rows: list[tuple[datetime, str, str, str, str]]) -> None:
    """Audit rows at given (UTC) times: (at, login, action, object, detail)."""
    with write_session(engine) as s:
        for at, login, action, obj, detail in rows:
            s.add(Audit(at=at, user_login=login, action=action, object=obj, detail=detail, row_count=1))


@pytest.fixture
def logged(engine: Engine) -> Engine:
    # 2026-11-19 23:30 UTC is 2026-11-20 07:30 in Beijing
    _write(engine, [
        (datetime(2026, 11, 18, 2, 0), "clerk1", "import", "upload:1:名单.xlsx", "unit=7 errors=0"),
        (datetime(2026, 11, 19, 23, 30), "leader1", "review", "submission 3", "unit=17 approved"),
        (datetime(2026, 11, 20, 2, 0), "leader1", "export", "报送进度-U7公司-2026-11-20.xlsx", "rows"),
        (datetime(2026, 11, 20, 3, 0), "admin", "person_move", "member 5→9", "campaign=1 unit=7 to unit=8 单位 U7 x→U8 y; 调整"),
        (datetime(2026, 11, 20, 4, 0), "admin", "sign_in", "admin", None),
    ])
    return engine


def test_rows_newest_first_in_beijing_time(logged: Engine) -> None:
    with read_session(logged) as s:
        rows = audit_log.audit_rows(s, ADMIN, audit_log.AuditFilters())
        assert audit_log.audit_count(s, ADMIN, audit_log.AuditFilters()) == 5
        assert audit_log.audit_actions(s, ADMIN) == ["export", "import", "person_move", "review", "sign_in"]
        assert audit_log.audit_logins(s, ADMIN) == ["admin", "clerk1", "leader1"]
    assert rows["action"].tolist() == ["sign_in", "person_move", "export", "review", "import"]
    assert rows["at"].iloc[0] == datetime(2026, 11, 20, 12, 0)


@pytest.mark.parametrize(("filters", "expected"), [
    (audit_log.AuditFilters(login="leader1"), ["export", "review"]),
    (audit_log.AuditFilters(action="import"), ["import"]),
    (audit_log.AuditFilters(day_from=date(2026, 11, 20), day_to=date(2026, 11, 20)), ["sign_in", "person_move", "export", "review"]),
    (audit_log.AuditFilters(day_to=date(2026, 11, 19)), ["import"]),
    (audit_log.AuditFilters(day_from=date(2026, 11, 21), day_to=date(2026, 11, 19)), []),
    (audit_log.AuditFilters(unit="U7"), ["person_move", "export", "import"]),  # by code, and unit=<id>
    (audit_log.AuditFilters(unit="U7公司"), ["person_move", "export", "import"]),  # by name
    (audit_log.AuditFilters(unit="U8", action="person_move"), ["person_move"]),
    (audit_log.AuditFilters(unit="50%"), []),  # LIKE wildcards are literal
])
def test_filters(logged: Engine, filters: audit_log.AuditFilters, expected: list[str]) -> None:
    with write_session(logged) as s:
        from data_access.models import OrgUnit

        for unit_id, code in ((7, "U7"), (8, "U8"), (17, "U17")):
            s.add(OrgUnit(id=unit_id, code=code, name=f"{code}公司", level="unit", path=f"/{unit_id}/"))
    with read_session(logged) as s:
        rows = audit_log.audit_rows(s, ADMIN, filters)
        count = audit_log.audit_count(s, ADMIN, filters)
    assert rows["action"].tolist() == expected and count == len(expected)


def test_paging_with_limit_and_offset(engine: Engine) -> None:
    start = datetime(2026, 1, 1)
    _write(engine, [(start + timedelta(minutes=i), "u", "export", f"f{i}", None) for i in range(25)])
    with read_session(engine) as s:
        pages = [audit_log.audit_rows(s, ADMIN, audit_log.AuditFilters(), limit=10, offset=o)["object"].tolist() for o in (0, 10, 20)]
    assert pages[0][0] == "f24" and pages[2] == ["f4", "f3", "f2", "f1", "f0"]
    assert len({x for page in pages for x in page}) == 25


def test_admin_only(logged: Engine) -> None:
    with read_session(logged) as s, pytest.raises(NotAllowed):
        audit_log.audit_rows(s, LEADER, audit_log.AuditFilters())
    with read_session(logged) as s, pytest.raises(NotAllowed):
        audit_log.audit_count(s, LEADER, audit_log.AuditFilters())


def test_export_workbook_holds_the_filtered_rows_as_text(logged: Engine) -> None:
    _write(logged, [(datetime(2026, 11, 20, 5, 0), "admin", "export", "=HYPERLINK(\"http://x\")", "@SUM(1)")])
    with read_session(logged) as s:
        data, rows = audit_log.audit_workbook(s, ADMIN, audit_log.AuditFilters(login="admin"))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows == 3 and len(values) == 4
    assert values[0][0] == "时间（北京时间）" and values[1][2] == "导出文件"
    assert values[1][3].startswith("'=") and values[1][4].startswith("'@")
    assert audit_log.AuditFilters(login="admin", day_from=date(2026, 11, 1)).label() == "2026-11-01 admin"


def test_no_full_id_or_mobile_in_any_audit_row_of_a_campaign(engine: Engine) -> None:
    """A small campaign driven through the actions, then corrections to people, exports and
    imports: every audit row's object and detail is scanned for an 18-digit ID or a mobile."""
    story = generate_story(datetime(2026, 11, 20, 2, 0), DemoConfig(seed=7, units=12, members=600))
    with write_session(engine) as s:
        report = drive_story(s, story)
    assert not report.refused, report.reasons
    with write_session(engine) as s:
        member = s.scalars(select(Member).where(Member.superseded_at.is_(None), Member.withdrawn_at.is_(None),
                                                Member.sent_at.is_(None)).order_by(Member.id)).first()
        assert member is not None
        admin = CurrentUser("admin", "admin", "admin", Scope.everything())
        phone = "139" + member.phone[3:]
        done = people.correct_member(s, admin, member.campaign_id, member.id, phone=phone,
                                     reason=f"本人来电 {member.phone}，身份证 {member.id_number}")
        people.withdraw_member(s, admin, member.campaign_id, done.member_id, f"离职 {phone}")
        log_action(s, admin, "noop", "x", 0, "controls the scan itself")
    with read_session(engine) as s:
        rows = s.execute(select(Audit.action, Audit.object, Audit.detail)).all()
    assert {"submit", "review", "batch", "results", "person_correct", "person_withdraw"} <= {r.action for r in rows}
    leaks = [r for r in rows if FULL_ID.search(f"{r.object} {r.detail or ''}") or MOBILE.search(f"{r.object} {r.detail or ''}")]
    assert leaks == []
    # the scan does find one when there is one
    with write_session(engine) as s:
        log_export(s, "x", "file", 1, "13812345678")
        hits = [d for d in s.scalars(select(Audit.detail)) if d and MOBILE.search(d)]
    assert hits == ["13812345678"]


def test_tree_actions_appear_by_unit(engine: Engine) -> None:
    tree: Tree = build_tree(engine)
    member_id = tree.member_ids("U1")[0]
    with write_session(engine) as s:
        people.move_member(s, tree.user("leader1"), tree.campaign, member_id, tree.orgs["U2"], "调整")
    with read_session(engine) as s:
        admin = tree.user("admin")
        by_target = audit_log.audit_rows(s, admin, audit_log.AuditFilters(unit="U2"))
        by_name = audit_log.audit_rows(s, admin, audit_log.AuditFilters(unit="U1公司工会", action="person_move"))
    assert "person_move" in by_target["action"].tolist() and by_name["action"].tolist() == ["person_move"]
    assert audit_log.action_label("person_move") == "调整人员单位" and audit_log.action_label("zzz") == "zzz"
