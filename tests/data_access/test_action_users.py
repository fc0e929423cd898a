"""Accounts (data_access.actions.users) on both databases: adding, scope rules, the last
administrator, passwords and the sign-in lock, sessions that end, and the users-sheet import."""

from __future__ import annotations

import doctest
from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

import campaign.passwords
import campaign.userlist
from campaign.errors import IngestError
from campaign.userlist import UserRow, read_user_list, template_bytes
from data_access.actions import users as acts
from data_access.actions.base import NotAllowed
from data_access.auth import CurrentUser, load_user, session_current, sign_in
from data_access.db import read_session, write_session
from data_access.models import Audit, OrgUnit, User
from tests.campaign.conftest import build_csv, build_xlsx

AT = datetime(2026, 3, 2, 2, 0)
GOOD = "Hubin-Road-7788"
OTHER = "Xinqu-Lane-4521"


@dataclass
class Org:
    """A small tree: 市总 C → 新区 N → D1 (A1: U1, U2 (W1 workshop)), D2 (A2: U3); one admin."""

    engine: Engine
    ids: dict[str, int]

    def user(self, login: str) -> CurrentUser:
        with read_session(self.engine) as session:
            user = load_user(session, login)
        assert user is not None, login
        return user

    def counts(self) -> tuple[int, int]:
        with read_session(self.engine) as session:
            return (session.scalar(select(func.count()).select_from(User)) or 0,
                    session.scalar(select(func.count()).select_from(Audit)) or 0)

    def row(self, login: str) -> User:
        with read_session(self.engine) as session:
            row = session.scalar(select(User).where(User.login == login))
            assert row is not None
            session.expunge(row)  # keep the loaded values past the read session's rollback
            return row


def _org(session, code: str, name: str, level: str, parent: OrgUnit | None) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=name, level=level, path="", parent_id=parent.id if parent else None)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


def build_org(engine: Engine, admin_password: str = GOOD) -> Org:
    """The tree and its first administrator ``root`` (scope everything), as init makes it."""
    with write_session(engine) as session:
        city = _org(session, "C", "市总工会", "city", None)
        new_area = _org(session, "N", "新区总工会", "new_area", city)
        d1 = _org(session, "D1", "一区工会", "district", new_area)
        d2 = _org(session, "D2", "二区工会", "district", new_area)
        a1 = _org(session, "A1", "一区一片", "area", d1)
        a2 = _org(session, "A2", "二区一片", "area", d2)
        u1 = _org(session, "U1", "甲公司工会", "unit", a1)
        u2 = _org(session, "U2", "乙公司工会", "unit", a1)
        u3 = _org(session, "U3", "丙公司工会", "unit", a2)
        w1 = _org(session, "W1", "乙公司一车间", "sub_unit", u2)
        ids = {o.code: o.id for o in (city, new_area, d1, d2, a1, a2, u1, u2, u3, w1)}
        acts.create_first_admin(session, "root", "管理员", admin_password, at=AT)
    return Org(engine, ids)


@pytest.fixture
def org(engine: Engine) -> Org:
    return build_org(engine)


def test_doctests_of_the_rules() -> None:
    for module in (campaign.passwords, campaign.userlist):
        assert doctest.testmod(module).failed == 0


# --- adding ------------------------------------------------------------------------------


def test_add_user_then_they_sign_in_with_their_scope(org: Org) -> None:
    root = org.user("root")
    before = org.counts()
    with write_session(org.engine) as session:
        done = acts.add_user(session, root, "clerk1", "张会计", "unit", "U1", GOOD, at=AT)
        generated = acts.add_user(session, root, "leader1", "李主席", "区工会领导", "D1", None, at=AT)
    assert done.changed and done.generated_password is None
    assert generated.generated_password and len(generated.generated_password) == 12
    assert org.counts() == (before[0] + 2, before[1] + 2)
    row = org.row("clerk1")
    assert row.password_hash.startswith("$argon2id$") and GOOD not in row.password_hash
    assert (row.role, row.scope_id, row.created_by, row.created_at, row.session_version) == ("unit", org.ids["U1"], "root", AT, 0)
    signed = sign_in(org.engine, "clerk1", GOOD)
    assert signed.user is not None and signed.user.scope.root_id == org.ids["U1"]
    leader = sign_in(org.engine, "leader1", generated.generated_password).user
    assert leader is not None and leader.role == "district_leader" and leader.scope.root_id == org.ids["D1"]
    with read_session(org.engine) as session:
        audit = session.execute(select(Audit.user_login, Audit.object, Audit.detail).where(Audit.action == "user_create")
                                .order_by(Audit.id)).all()
    assert [tuple(a) for a in audit] == [
        ("cli:init", "root", "role: admin; scope: *; first administrator"),
        ("root", "clerk1", "role: unit; scope: U1; name set"),
        ("root", "leader1", "role: district_leader; scope: D1; name set"),
    ]
    assert all(GOOD not in (a[2] or "") and generated.generated_password not in (a[2] or "") for a in audit)


@pytest.mark.parametrize(("login", "name", "role", "scope", "password", "error"), [
    ("clerk1", "张", "unit", "NOPE", GOOD, acts.UnknownScope),
    ("clerk1", "张", "unit", "D1", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "unit", "W1", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "liaison", "U1", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "district_leader", "A1", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "district_leader", "*", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "admin", "D1", GOOD, acts.ScopeNotForRole),
    ("clerk1", "张", "boss", "U1", GOOD, acts.BadRole),
    ("ROOT", "张", "unit", "U1", GOOD, acts.DuplicateLogin),
    ("a b", "张", "unit", "U1", GOOD, acts.BadLogin),
    ("clerk1", " ", "unit", "U1", GOOD, acts.BadName),
    ("clerk1", "张", "unit", "U1", "short1A", acts.WeakPassword),
    ("clerk1", "张", "unit", "U1", "abcdefghijkl", acts.WeakPassword),
    ("clerk1", "张", "unit", "U1", "clerk1-Xy-2026", acts.WeakPassword),
    ("clerk1", "张", "unit", "U1", "Demo1234-2026", acts.WeakPassword),
])
def test_add_user_refusals_write_nothing(org: Org, login, name, role, scope, password, error) -> None:  # type: ignore[no-untyped-def]
    before = org.counts()
    with pytest.raises(error) as refused, write_session(org.engine) as session:
        acts.add_user(session, org.user("root"), login, name, role, scope, password, at=AT)
    assert org.counts() == before
    assert refused.value.message("zh") and refused.value.message("en")


def test_only_an_administrator_manages_and_only_inside_their_scope(org: Org) -> None:
    with write_session(org.engine) as session:
        root = org.user("root")
        acts.add_user(session, root, "leader1", "李", "district_leader", "D1", GOOD)
        acts.add_user(session, root, "newadmin", "新区管理员", "admin", "N", GOOD)
        acts.add_user(session, root, "clerk3", "丙", "unit", "U3", GOOD)
    before = org.counts()
    leader = org.user("leader1")
    for act, args in (
        (acts.add_user, ("x1", "x", "unit", "U1", GOOD)),
        (acts.set_active, ("clerk3", False)),
        (acts.reset_password, ("clerk3", OTHER)),
        (acts.set_scope, ("clerk3", "U1")),
        (acts.import_users, ([UserRow(2, "x2", "x", "unit", "U1")], False)),
        (acts.list_users, ()),
    ):
        with pytest.raises(NotAllowed), write_session(org.engine) as session:
            act(session, leader, *args)
    # an administrator of the new area manages inside it, not the whole-city administrator
    scoped = org.user("newadmin")
    with write_session(org.engine) as session:
        acts.set_active(session, scoped, "clerk3", False)
    with pytest.raises(NotAllowed), write_session(org.engine) as session:
        acts.set_active(session, scoped, "root", False)
    with pytest.raises(NotAllowed), write_session(org.engine) as session:
        acts.add_user(session, scoped, "admin3", "x", "admin", "*", GOOD)
    assert org.counts()[0] == before[0]
    with read_session(org.engine) as session:
        assert set(acts.list_users(session, scoped)["login"]) == {"leader1", "newadmin", "clerk3"}


# --- the last administrator, disabling, scope ------------------------------------------


def test_the_last_administrator_stays(org: Org) -> None:
    root = org.user("root")
    before = org.counts()
    for act, args, error in (
        (acts.set_active, ("root", False), acts.OwnAccount),
        (acts.set_scope, ("root", "C"), acts.LastAdmin),
        (acts.set_scope, ("root", "D1", "district_leader"), acts.LastAdmin),
    ):
        with pytest.raises(error), write_session(org.engine) as session:
            act(session, root, *args)
    assert org.counts() == before
    with write_session(org.engine) as session:
        acts.add_user(session, root, "second", "第二管理员", "admin", "*", GOOD)
    second = org.user("second")
    with write_session(org.engine) as session:
        done = acts.set_active(session, second, "root", False)
    assert done.detail == "active: True → False" and org.row("root").session_version == 1
    with pytest.raises(acts.OwnAccount), write_session(org.engine) as session:
        acts.set_active(session, second, "second", False)
    # root is disabled: second is the last one now
    with write_session(org.engine) as session:
        acts.add_user(session, second, "clerk1", "张", "unit", "U1", GOOD)
    with pytest.raises(acts.LastAdmin), write_session(org.engine) as session:
        acts.set_scope(session, second, "second", "N")
    with write_session(org.engine) as session:
        back = acts.set_active(session, second, "root", True)
    assert back.changed and org.row("root").active


def test_disable_and_rescope_end_open_sessions_and_are_audited(org: Org) -> None:
    root = org.user("root")
    with write_session(org.engine) as session:
        acts.add_user(session, root, "liaison1", "王", "liaison", "A1", GOOD)
    signed = sign_in(org.engine, "liaison1", GOOD).user
    assert signed is not None and signed.session_version == 0
    with write_session(org.engine) as session:
        moved = acts.set_scope(session, root, "liaison1", "D2")
        same = acts.set_scope(session, root, "liaison1", "D2")
    assert moved.detail == "scope: A1 → D2" and moved.session_version == 1 and not same.changed
    with read_session(org.engine) as session:
        now = load_user(session, "liaison1")
    assert not session_current(now, signed.session_version) and now is not None and now.scope.root_id == org.ids["D2"]
    with write_session(org.engine) as session:
        promoted = acts.set_scope(session, root, "liaison1", "D2", role="district_leader")
        disabled = acts.set_active(session, root, "liaison1", False)
    assert promoted.detail == "role: liaison → district_leader" and disabled.session_version == 3
    with read_session(org.engine) as session:
        assert load_user(session, "liaison1") is None
        details = session.execute(select(Audit.action, Audit.detail).where(Audit.object == "liaison1").order_by(Audit.id)).all()
    assert [tuple(d) for d in details if d[0].startswith("user_")] == [
        ("user_create", "role: liaison; scope: A1; name set"),
        ("user_scope", "scope: A1 → D2"),
        ("user_scope", "role: liaison → district_leader"),
        ("user_disable", "active: True → False"),
    ]
    assert sign_in(org.engine, "liaison1", GOOD).user is None


def test_reset_clears_the_lock_and_own_password_change(org: Org) -> None:
    root = org.user("root")
    with write_session(org.engine) as session:
        acts.add_user(session, root, "clerk1", "张", "unit", "U1", GOOD)
    for _ in range(5):
        assert sign_in(org.engine, "clerk1", "wrong").user is None
    assert sign_in(org.engine, "clerk1", GOOD).locked
    with write_session(org.engine) as session:
        reset = acts.reset_password(session, root, "clerk1", OTHER)
    assert reset.detail == "password reset; lock cleared" and reset.session_version == 1
    row = org.row("clerk1")
    assert (row.failed_logins, row.locked_until) == (0, None)
    clerk = sign_in(org.engine, "clerk1", OTHER).user
    assert clerk is not None and sign_in(org.engine, "clerk1", GOOD).user is None
    before = org.counts()
    for old, new, error in (
        ("wrong-old-pass", "Brand-New-Pass-9", acts.WrongPassword),
        (OTHER, OTHER, acts.SamePassword),
        (OTHER, "clerk1clerk1X", acts.WeakPassword),
    ):
        with pytest.raises(error), write_session(org.engine) as session:
            acts.change_own_password(session, clerk, old, new)
    assert org.counts() == before
    with write_session(org.engine) as session:
        changed = acts.change_own_password(session, clerk, OTHER, "Brand-New-Pass-9")
    assert changed.session_version == 2
    assert sign_in(org.engine, "clerk1", "Brand-New-Pass-9").user is not None
    with write_session(org.engine) as session:
        generated = acts.reset_password(session, root, "clerk1", None)
        ended = acts.end_sessions(session, root, "clerk1")
    assert generated.generated_password and sign_in(org.engine, "clerk1", generated.generated_password).user is not None
    assert ended.detail == "session_version: 3 → 4"


# --- import ------------------------------------------------------------------------------

ROWS = [
    UserRow(2, "clerk1", "张会计", "基层单位填表人", "U1", GOOD),
    UserRow(3, "clerk2", "李会计", "unit", "U2", ""),
    UserRow(4, "liaison1", "王联络", "片区联络人", "A1", ""),
]


def test_import_preview_apply_and_again(org: Org) -> None:
    root = org.user("root")
    before = org.counts()
    with write_session(org.engine) as session:
        preview = acts.import_users(session, root, ROWS, dry_run=True)
    assert org.counts() == before
    assert [p.login for p in preview.to_add] == ["clerk1", "clerk2", "liaison1"] and not preview.written
    assert [p.generated for p in preview.to_add] == [False, True, True] and preview.passwords == ()
    with write_session(org.engine) as session:
        done = acts.import_users(session, root, ROWS, dry_run=False, at=AT)
    assert done.written and org.counts() == (before[0] + 3, before[1] + 1)
    assert [login for login, _, _ in done.passwords] == ["clerk2", "liaison1"]
    for login, _, password in done.passwords:
        assert sign_in(org.engine, login, password).user is not None
    assert sign_in(org.engine, "clerk1", GOOD).user is not None
    with read_session(org.engine) as session:
        detail = session.scalar(select(Audit.detail).where(Audit.action == "user_import"))
    assert detail is not None and all(password not in detail for _, _, password in done.passwords)
    before = org.counts()
    with write_session(org.engine) as session:
        again = acts.import_users(session, root, ROWS, dry_run=False)
    assert again.nothing_new and not again.written and set(again.unchanged) == {"clerk1", "clerk2", "liaison1"}
    assert org.counts() == before


def test_import_with_a_bad_row_writes_nothing(org: Org) -> None:
    rows = [*ROWS, UserRow(5, "clerk1", "重复", "unit", "U1"), UserRow(6, "x9", "公式", "unit", "U1", formula=True),
            UserRow(7, "root", "改角色", "unit", "U1"), UserRow(8, "leader9", "李", "district_leader", "U3"),
            UserRow(9, "weak1", "弱", "unit", "U3", "12345")]
    before = org.counts()
    with write_session(org.engine) as session:
        result = acts.import_users(session, org.user("root"), rows, dry_run=False)
    assert not result.written and org.counts() == before and result.passwords == ()
    assert [(r.sheet_row, r.key) for r in result.refused] == [
        (5, "users.refuse.duplicate_login"), (6, "users.refuse.formula"), (7, "users.refuse.duplicate_login"),
        (8, "users.refuse.scope_for_role"), (9, "users.refuse.weak_password"),
    ]
    assert all(r.message("zh") and r.message("en") for r in result.refused)


def test_users_sheet_reader_and_hostile_files() -> None:
    header = ["登录名", "姓名", "角色", "管理范围单位编码", "初始密码"]
    rows = read_user_list(build_csv([header, ["clerk1", "张", "基层单位填表人", "U1", ""], [], ["c2", "李", "unit", "U2", GOOD]], "gbk"), "u.csv")
    assert [(r.sheet_row, r.login, r.role, r.scope_code, r.password) for r in rows] == [
        (2, "clerk1", "基层单位填表人", "U1", ""), (4, "c2", "unit", "U2", GOOD),
    ]
    english = read_user_list(build_xlsx({"s": [["login", "name", "role", "scope"], ["a1", "A", "admin", "*"]]}), "u.xlsx")
    assert english[0].role == "admin" and english[0].password == ""
    formula = read_user_list(build_xlsx({"s": [header, ["a1", "A", "unit", "=HYPERLINK(\"x\",\"U1\")"]]}), "u.xlsx")
    assert formula[0].formula
    for data, name in (
        (build_csv([["登录名", "姓名", "角色"], ["a", "b", "unit"]]), "missing.csv"),
        (build_csv([["姓名", "电话"], ["a", "b"]]), "other.csv"),
        (build_csv([header]), "empty.csv"),
        ("登录名,姓名,角色,管理范围单位编码\n".encode("utf-16"), "utf16.csv"),
        (build_csv([header] + [[f"u{i}", "n", "unit", "U1", ""] for i in range(200_000)]), "huge.csv"),
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
    ):
        with pytest.raises(IngestError):
            read_user_list(data, name)


def test_the_template_reads_as_an_empty_users_sheet() -> None:
    with pytest.raises(campaign.userlist.UserListEmpty):
        read_user_list(template_bytes(), "用户导入模板.xlsx")
