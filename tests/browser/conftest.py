"""Browser fixtures: a real `streamlit run` on the demo database and Debian's headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "screenshots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A `streamlit run dashboard.py` process on a loopback port."""

    def __init__(self, database_url: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": database_url, "PYTHONDONTWRITEBYTECODE": "1"}
        self.log = open(ROOT / "tmp-streamlit.log", "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
             "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise RuntimeError("streamlit did not start")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def server(demo_sqlite_url: str) -> Iterator[Server]:
    """One app server for the session's browser tests."""
    server = Server(demo_sqlite_url)
    yield server
    server.stop()


@pytest.fixture
def fresh_server(demo_sqlite_url: str) -> Iterator[Server]:
    """A server that has answered nothing yet (for first-request deep links)."""
    server = Server(demo_sqlite_url)
    yield server
    server.stop()


def wait_for_app(page: Page) -> None:
    """Wait until Streamlit has drawn a title and finished the script run."""
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=60_000)
    idle = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
    for _ in range(2):  # a run can start again right after the first (URL-bound widgets)
        page.wait_for_function(idle, timeout=60_000)
        page.wait_for_timeout(700)


def sign_in(page: Page, login: str = "admin", password: str = "demo1234") -> None:
    """Fill the sign-in form, if it is shown, and wait for the page behind it."""
    wait_for_app(page)
    if page.locator('input[type="password"]').count():
        page.get_by_label("用户名").fill(login)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_selector('input[type="password"]', state="detached", timeout=30_000)
        wait_for_app(page)


def wait_for_charts(page: Page, at_least: int) -> None:
    """Wait until at least this many plotly charts have drawn (they draw after the script run)."""
    page.wait_for_function(
        f"() => document.querySelectorAll('.js-plotly-plot').length >= {at_least}", timeout=60_000
    )


def assert_no_exception(page: Page) -> None:
    """Fail on any exception or error box the page shows."""
    exceptions = page.locator('[data-testid="stException"]')
    assert exceptions.count() == 0, exceptions.first.inner_text()


@pytest.fixture
def open_page(browser: Browser, server: Server) -> Callable[..., Page]:
    """Open a path (with query) as a signed-in user at a viewport; returns the page."""
    contexts = []

    def go(path: str, login: str = "admin", viewport: tuple[int, int] = (1440, 900), shot: str | None = None) -> Page:
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN", timezone_id="Asia/Shanghai")
        contexts.append(context)
        page = context.new_page()
        page.goto(server.url + path)
        sign_in(page, login)
        assert_no_exception(page)
        if shot:
            SCREENSHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"{shot}-{viewport[0]}x{viewport[1]}.png"), full_page=True)
        return page

    yield go
    for context in contexts:
        context.close()
