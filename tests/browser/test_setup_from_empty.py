"""A federation sets up its own campaign from an empty database, with no demo and no SQL.

Only the commands and pages an office would use: ``make serve``'s check says what to run,
``python -m campaign init`` creates the administrator, ``org import`` loads a three-district
tree from an Excel file, ``campaign create/deadline/extend`` sets the campaign, its deadline
and one unit's extension, ``users add`` gives four people accounts. Then each signs in through
the real form in Chromium and sees exactly their own part of the tree.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import (
    ROOT,
    SCREENSHOTS,
    Server,
    assert_no_exception,
    sign_in,
    wait_for_app,
    wait_for_charts,
)

PASSWORD = "Gonghui-2027-start"  # strong enough for the password rule
DISTRICTS = {  # code: (name, area code, area name, [(unit code, unit name, expected members)])
    "D1": ("和平区总工会", "A1", "和平一片区", [("U11", "甲电力公司工会", 120), ("U12", "乙商贸公司工会", 80)]),
    "D2": ("河西区总工会", "A2", "河西一片区", [("U21", "丙机械厂工会", 200), ("U22", "丁医院工会", 150)]),
    "D3": ("南开区总工会", "A3", "南开一片区", [("U31", "戊学校工会", 60), ("U32", "己物流公司工会", 90)]),
}
USERS = [  # login, role, scope code, what they must see (units), what they must not see
    ("leader-hp", "district_leader", "D1", {"甲电力公司工会", "乙商贸公司工会"}),
    ("liaison-hx", "liaison", "A2", {"丙机械厂工会", "丁医院工会"}),
    ("clerk-u31", "unit", "U31", {"戊学校工会"}),
    ("city-leader", "district_leader", "C01", {name for *_, units in DISTRICTS.values() for _, name, _ in units}),
]


def _tree_xlsx(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["单位编码", "单位名称", "上级单位编码", "层级", "办卡单位名称", "联系人", "联系电话", "片区联络人", "联络人电话", "应办卡人数"])
    sheet.append(["C01", "天津市总工会", "", "市总工会", "", "", "", "", "", None])
    phone = 13900000000
    for d_code, (d_name, a_code, a_name, units) in DISTRICTS.items():
        sheet.append([d_code, d_name, "C01", "区县局、集团", "", "", "", "", "", None])
        sheet.append([a_code, a_name, d_code, "片区", "", "", "", "联络员" + a_code, str(phone + 1), None])
        for u_code, u_name, expected in units:
            phone += 7
            sheet.append([u_code, u_name, a_code, "基层单位", d_name + u_name, "张" + u_code, str(phone), "联络员" + a_code, str(13900000001), expected])
    book.save(path)


def _cli(*args: str, env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "campaign", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=180, input=stdin)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The empty database set up by commands only; returns its URL and the campaign id."""
    work = tmp_path_factory.mktemp("office")
    url = f"sqlite:///{work / 'campaign.db'}"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    password_file = work / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")

    # make serve's first step on an empty database: it says what to run, and does not start
    check = _cli("check-deploy", env=env)
    assert check.returncode != 0 and "python -m campaign init" in check.stdout + check.stderr

    init = _cli("init", "--database", url, "--password-file", str(password_file), env=env)
    assert init.returncode == 0, init.stderr
    assert _cli("check-deploy", env=env).returncode == 0  # now make serve would start

    tree = work / "单位名单.xlsx"
    _tree_xlsx(tree)
    dry = _cli("org", "import", str(tree), "--dry-run", "--database", url, env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    imported = _cli("org", "import", str(tree), "--database", url, env=env)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    again = _cli("org", "import", str(tree), "--database", url, env=env)
    assert again.returncode == 0  # idempotent: the same list again changes nothing

    created = _cli("campaign", "create", "--name", "2027年会员服务卡办理", "--reference-date", "2026-12-01", "--root", "C01",
                   "--database", url, env=env)
    assert created.returncode == 0, created.stdout + created.stderr
    campaign_id = created.stdout.strip().split()[-1]
    assert campaign_id.isdigit(), created.stdout
    deadline = _cli("campaign", "deadline", campaign_id, "--milestone", "unit_submission", "--level", "unit",
                    "--due", "2027-01-15 17:00", "--database", url, env=env)
    assert deadline.returncode == 0, deadline.stdout + deadline.stderr
    extension = _cli("campaign", "extend", campaign_id, "--unit", "U31", "--milestone", "unit_submission",
                     "--due", "2027-01-22 17:00", "--reason", "学校放寒假，材料收集推迟", "--database", url, env=env)
    assert extension.returncode == 0, extension.stdout + extension.stderr

    for login, role, scope, _ in USERS:
        added = _cli("users", "add", login, "--role", role, "--scope", scope, "--password-file", str(password_file),
                     "--database", url, env=env)
        assert added.returncode == 0, added.stdout + added.stderr
    listed = json.loads(_cli("users", "list", "--json", "--database", url, env=env).stdout)
    assert sorted(u["login"] for u in listed) == sorted(["admin", *(u[0] for u in USERS)])
    return {"url": url, "campaign_id": int(campaign_id)}


@pytest.fixture(scope="module")
def office_server(office: dict[str, object]):
    server = Server(str(office["url"]))
    yield server
    server.stop()


def _signed_in(browser: Browser, server: Server, login: str, path: str = "/") -> Page:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(server.url + path)
    wait_for_app(page)
    assert page.locator('input[type="password"]').count() == 1  # the real sign-in form first
    sign_in(page, login, PASSWORD)
    assert_no_exception(page)
    return page


def _main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


@pytest.mark.parametrize(("login", "role", "scope", "units"), USERS, ids=[u[0] for u in USERS])
def test_each_user_sees_exactly_their_scope(browser: Browser, office_server: Server, login, role, scope, units) -> None:
    page = _signed_in(browser, office_server, login)
    try:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"setup-{login}-overview.png"), full_page=True)
        text = _main_text(page)
        assert "2027年会员服务卡办理" in text
        if len(units) == 1:  # one unit: the view of that unit, its status first
            (only,) = units
            assert only in text and "未上传" in text and "应办卡 60 人" in text
            drawn = ""
        else:
            assert f"0 / {len(units)}" in text  # units submitted out of the units in their scope
            # the drill-down chart names what lies inside the scope (districts for the city,
            # units below a district), and nothing outside it
            wait_for_charts(page, 1)
            drawn = " ".join(page.eval_on_selector_all(".js-plotly-plot text", "els => els.map(e => e.textContent)"))
        inside = {d_name for d_name, *_ in DISTRICTS.values()} if len(units) > 2 else units
        for name in inside if drawn else ():
            assert name in drawn, (login, name, drawn)
        everything = {name for *_, us in DISTRICTS.values() for _, name, _ in us} | {d for d, *_ in DISTRICTS.values()}
        outside = everything - units - {d_name for d_name, *_, us in DISTRICTS.values() if {n for _, n, _ in us} & units}
        for name in outside:
            assert name not in drawn and name not in text, (login, name)
    finally:
        page.context.close()


def test_the_clerk_sees_the_extension_and_the_admin_sees_the_setup(browser: Browser, office_server: Server) -> None:
    clerk = _signed_in(browser, office_server, "clerk-u31")
    try:
        clerk.get_by_role("link", name="提交报送").first.click()
        wait_for_app(clerk)
        assert_no_exception(clerk)
        assert "2027-01-22 17:00" in _main_text(clerk)  # the unit's extended deadline, Beijing time
        assert not clerk.get_by_role("link", name="用户管理").count()  # no admin pages in a clerk's menu
    finally:
        clerk.context.close()

    admin = _signed_in(browser, office_server, "admin")
    try:
        for link, expected in (("用户管理", ["leader-hp", "liaison-hx", "clerk-u31", "city-leader"]),
                               ("组织架构", ["和平区总工会", "河西一片区", "丁医院工会"]),
                               ("活动设置", ["天津市总工会（C01）", "2027-01-15 17:00", "2027-01-22 17:00", "学校放寒假，材料收集推迟"])):
            admin.get_by_role("link", name=link).first.click()
            wait_for_app(admin)
            assert_no_exception(admin)
            admin.screenshot(path=str(SCREENSHOTS / f"setup-admin-{link}.png"), full_page=True)
            text = _main_text(admin) + " ".join(admin.eval_on_selector_all('[data-testid="stDataFrame"] [role="gridcell"]', "els => els.map(e => e.textContent)"))
            for word in expected:
                assert word in text, (link, word)
    finally:
        admin.context.close()


def test_the_tree_file_round_trips(office: dict[str, object], tmp_path: Path) -> None:
    """The exported tree, imported again, changes nothing."""
    env = {**os.environ, "DATABASE_URL": str(office["url"])}
    out = tmp_path / "tree.xlsx"
    assert _cli("org", "export", str(out), "--database", str(office["url"]), env=env).returncode == 0
    names = {row[1] for row in openpyxl.load_workbook(io.BytesIO(out.read_bytes())).worksheets[0].iter_rows(values_only=True)}
    assert {"天津市总工会", "和平区总工会", "戊学校工会"} <= names
    again = _cli("org", "import", str(out), "--dry-run", "--database", str(office["url"]), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
