"""A real server: the workbook is built on the click and logged; after the user is disabled the
same button gives no file and says why in Chinese; no audit row before the click."""

from __future__ import annotations

import shutil

from sqlalchemy import func, select, update

from data_access.db import get_engine, read_session, write_session
from data_access.models import Audit, User
from tests.browser.conftest import Server, sign_in


def _exports(engine) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Audit).where(Audit.action == "export", Audit.user_login == "leader1")))


def test_disabled_after_the_draw_gets_nothing(browser, demo_sqlite_url, tmp_path):
    target = tmp_path / "demo-browser-downloads.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    engine = get_engine(url)
    server = Server(url)
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        page = context.new_page()
        page.goto(server.url + "/reports")
        sign_in(page, "leader1")
        button = page.get_by_role("button", name="推进情况报表（Excel）")
        button.wait_for()
        assert _exports(engine) == 0  # drawn, not built, not logged
        with page.expect_download(timeout=120_000) as info:
            button.click()
        assert info.value.suggested_filename.startswith("会员卡推进报表-")
        page.wait_for_timeout(1500)
        assert _exports(engine) == 1

        with write_session(engine) as s:
            s.execute(update(User).where(User.login == "leader1").values(active=False))
        downloads: list[object] = []
        page.on("download", lambda d: downloads.append(d))
        button.click()
        page.get_by_text("下载被拒绝：您的账号已停用").wait_for(timeout=30_000)
        page.wait_for_timeout(3000)
        assert downloads == []
        assert _exports(engine) == 1
        with read_session(engine) as s:
            refused = s.scalar(select(func.count()).select_from(Audit).where(Audit.action == "export_refused"))
        assert refused == 1
    finally:
        context.close()
        server.stop()
