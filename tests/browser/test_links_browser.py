"""Links, reloads and sign-in in headless Chromium (issue 9 points 13-16): a reload, a new tab
or a colleague's link keeps the session for the working day; sign-out ends that token; a
disabled account is out on its next click; a deep link's filters survive navigation; ``?lang=en``
is honoured from the first request; a link outside the user's scope says so in Chinese."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from data_access.auth import hash_demo_password
from data_access.db import get_engine, read_session, write_session
from data_access.models import Audit, OrgUnit, User
from data_access.sessions import COOKIE_NAME
from tests.browser.conftest import SCREENSHOTS, Server, assert_no_exception, sign_in, wait_for_app

pytestmark = pytest.mark.browser

OUT_OF_SCOPE = "该链接指向的单位不在您的查看范围内，已显示您自己的范围"


def _context(browser: Browser, viewport: tuple[int, int] = (1440, 900)) -> BrowserContext:
    return browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")


def _signed_out(page: Page) -> bool:
    return page.locator('input[type="password"]').count() > 0


def _session_cookie(context: BrowserContext) -> dict | None:
    return next((c for c in context.cookies() if c["name"] == COOKIE_NAME), None)


def _wait_for_cookie(context: BrowserContext, page: Page, different_from: str | None = None) -> dict:
    for _ in range(40):
        cookie = _session_cookie(context)
        if cookie and cookie["value"] != different_from:
            return cookie
        page.wait_for_timeout(250)
    raise AssertionError("the session cookie was not written")


def _query(page: Page) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlparse(page.url).query).items()}


def _click_menu(page: Page, label: str) -> None:
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name=label, exact=True).click()
    page.wait_for_function(
        f"() => [...document.querySelectorAll('[data-testid=\"stMain\"] h1')].some(h => h.innerText.includes({label!r}))",
        timeout=60_000,
    )
    wait_for_app(page)
    assert_no_exception(page)


def _add_user(url: str, login: str, role: str = "district_leader", scope: str = "保税区工会") -> None:
    engine = get_engine(url)
    with write_session(engine) as s:
        if s.scalar(select(User.id).where(User.login == login)) is None:
            scope_id = s.scalar(select(OrgUnit.id).where(OrgUnit.name == scope))
            s.add(User(login=login, display_name="临时账号", password_hash=hash_demo_password("demo1234"), role=role, scope_id=scope_id))


def _set_active(url: str, login: str, active: bool) -> None:
    with write_session(get_engine(url)) as s:
        s.scalar(select(User).where(User.login == login)).active = active


def test_a_reload_and_a_new_tab_keep_the_session_and_sign_out_ends_that_cookie(browser: Browser, server: Server, demo_sqlite_url: str):
    _add_user(demo_sqlite_url, "links_reload")
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + "/")
    sign_in(page, "links_reload")
    cookie = _wait_for_cookie(context, page)
    assert cookie["sameSite"] == "Strict" and cookie["path"] == "/" and cookie["expires"] > 0
    assert "links_reload" not in cookie["value"] and "demo1234" not in page.url  # only a random token
    page.reload()  # F5
    wait_for_app(page)
    assert not _signed_out(page) and page.get_by_role("heading", name="总览").is_visible()
    tab = context.new_page()  # a new tab, on another page
    tab.goto(server.url + "/submissions")
    wait_for_app(tab)
    assert not _signed_out(tab)
    assert_no_exception(tab)

    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    page.wait_for_selector('input[type="password"]', timeout=30_000)
    for _ in range(40):  # the page clears the cookie in the browser too
        if _session_cookie(context) is None:
            break
        page.wait_for_timeout(250)
    assert _session_cookie(context) is None
    # the other tab holding the same token is out on its next interaction
    tab.locator('[data-testid="stSidebar"]').get_by_role("link", name="校验错误", exact=True).click()
    tab.wait_for_selector('input[type="password"]', timeout=30_000)
    assert "退出登录" in tab.locator('[data-testid="stMain"]').inner_text()
    # the old cookie, replayed in a fresh browser, signs no one in
    replay = _context(browser)
    replay.add_cookies([{**cookie}])
    old = replay.new_page()
    old.goto(server.url + "/")
    wait_for_app(old)
    assert _signed_out(old)
    with read_session(get_engine(demo_sqlite_url)) as s:
        actions = s.scalars(select(Audit.action).where(Audit.user_login == "links_reload").order_by(Audit.id)).all()
    assert actions[0] == "sign_in" and actions[-1] == "sign_out" and "session_resumed" in actions
    replay.close()
    context.close()


def test_a_disabled_account_is_signed_out_on_its_next_click_even_after_a_reload(browser: Browser, server: Server, demo_sqlite_url: str):
    _add_user(demo_sqlite_url, "links_disabled")
    _set_active(demo_sqlite_url, "links_disabled", True)
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + "/")
    sign_in(page, "links_disabled")
    cookie = _wait_for_cookie(context, page)
    page.reload()
    wait_for_app(page)
    assert not _signed_out(page)
    _set_active(demo_sqlite_url, "links_disabled", False)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="报送进度", exact=True).click()
    page.wait_for_selector('input[type="password"]', timeout=30_000)
    assert "您的账号信息已变更" in page.locator('[data-testid="stMain"]').inner_text()
    _set_active(demo_sqlite_url, "links_disabled", True)  # enabled again: that session stays over
    replay = _context(browser)
    replay.add_cookies([{**cookie}])
    old = replay.new_page()
    old.goto(server.url + "/")
    wait_for_app(old)
    assert _signed_out(old)
    replay.close()
    context.close()


def test_a_deep_links_filters_survive_sign_in_and_two_page_changes(browser: Browser, server: Server):
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + "/?district=保税区工会&area=保税区第二片区&as_of=2026-11-18")
    sign_in(page, "admin")
    expected = {"district": "保税区工会", "area": "保税区第二片区", "as_of": "2026-11-18"}
    assert expected.items() <= _query(page).items()
    for label in ("报送进度", "银行制卡"):
        _click_menu(page, label)
        assert expected.items() <= _query(page).items(), page.url
        shown = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').evaluate_all(
            "els => els.map(e => (e.querySelector('input') || {}).value || e.innerText).join(' | ')")
        assert "保税区工会" in shown and "保税区第二片区" in shown, shown
        assert page.locator('[data-testid="stSidebar"] [data-testid="stDateInput"] input').input_value() == "2026-11-18"
    page.reload()  # and a reload keeps both the session and the filters
    wait_for_app(page)
    assert not _signed_out(page) and expected.items() <= _query(page).items()
    context.close()


def test_lang_en_is_honoured_before_and_after_sign_in_and_the_switch_writes_one_spelling(browser: Browser, server: Server):
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + "/submissions?lang=en")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    assert page.get_by_role("heading", name="Member card campaign dashboard").is_visible()
    assert main.get_by_role("radio", name="English").count() + main.get_by_text("English").count() >= 1  # the switch is on the form
    page.get_by_label("User name").fill("leader1")
    page.get_by_label("Password", exact=True).fill("demo1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector('input[type="password"]', state="detached", timeout=30_000)
    wait_for_app(page)
    assert page.get_by_role("heading", name="Submissions").is_visible()
    assert _query(page).get("lang") == "en"
    _click_menu(page, "Overview")
    assert _query(page).get("lang") == "en"
    page.locator('[data-testid="stSidebar"]').get_by_text("中文", exact=True).click()
    page.wait_for_function("() => location.search.includes('lang=zh')", timeout=30_000)
    wait_for_app(page)
    assert page.get_by_role("heading", name="总览").is_visible()
    assert "English" not in _query(page).get("lang", "") and _query(page)["lang"] == "zh"
    context.close()


def test_an_old_link_with_lang_english_renders_english_and_is_rewritten(browser: Browser, server: Server):
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + "/?lang=English")
    wait_for_app(page)
    assert page.get_by_role("button", name="Sign in").is_visible()
    page.wait_for_function("() => location.search.includes('lang=en') && !location.search.includes('English')", timeout=30_000)
    context.close()


@pytest.mark.parametrize("link", ["/?district=开发区工会", "/timeline?unit_id={unit}"])
def test_a_link_outside_the_users_scope_says_so_in_chinese(browser: Browser, server: Server, demo_sqlite_url: str, link: str):
    with read_session(get_engine(demo_sqlite_url)) as s:
        elsewhere = s.scalar(select(OrgUnit.id).where(OrgUnit.level == "unit", OrgUnit.path.like("/1/2/106/%")).limit(1))
    context = _context(browser)
    page = context.new_page()
    page.goto(server.url + link.format(unit=elsewhere))
    sign_in(page, "liaison1")
    assert_no_exception(page)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert OUT_OF_SCOPE in main
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "开发区" not in sidebar and "开发区" not in page.url
    context.close()


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)])
@pytest.mark.parametrize("login", ["leader1", "liaison1", "unit1"])
def test_screenshots_of_sign_in_and_a_reloaded_page(browser: Browser, server: Server, login: str, viewport: tuple[int, int]):
    context = _context(browser, viewport)
    page = context.new_page()
    page.goto(server.url + "/?lang=en" if login == "unit1" else server.url + "/?as_of=2026-11-18")
    wait_for_app(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    size = f"{viewport[0]}x{viewport[1]}"
    page.screenshot(path=str(SCREENSHOTS / f"links-sign-in-{login}-{size}.png"), full_page=True)
    if login == "unit1":
        page.get_by_label("User name").fill(login)
        page.get_by_label("Password", exact=True).fill("demo1234")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector('input[type="password"]', state="detached", timeout=30_000)
        wait_for_app(page)
    else:
        sign_in(page, login)
    _wait_for_cookie(context, page)
    page.reload()
    wait_for_app(page)
    assert not _signed_out(page)
    assert_no_exception(page)
    page.screenshot(path=str(SCREENSHOTS / f"links-reloaded-{login}-{size}.png"), full_page=True)
    context.close()
