"""``python -m campaign bench server [--database URL]``: the app server's memory and each page's
time to draw, as a user sees them.

Starts ``streamlit run dashboard.py`` on the database, signs in with headless Chromium (Debian's
``/usr/bin/chromium``) and opens every page of the menu in turn, as the administrator (or
``--login``). For each page it prints how long the page took from the request until Streamlit
finished the script run and drew it, and the server process's resident memory after it
(``VmRSS``, and the peak ``VmHWM``), read from ``/proc``. The first pass is cold (empty caches),
the second warm (the same pages again, within the cache's minute). Needs the test
requirements (Playwright).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of a process in MiB, from /proc."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(url: str) -> tuple[subprocess.Popen[bytes], str]:
    """A streamlit server on a loopback port, once it answers its health check."""
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.25)
    process.kill()
    raise RuntimeError("streamlit did not start")


def _drawn(page: Any, timeout_ms: int) -> None:
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout_ms)
    for _ in range(2):  # a run can start again right after the first (URL-bound widgets)
        page.wait_for_function(IDLE, timeout=timeout_ms)
        page.wait_for_timeout(300)


def menu_paths(page: Any, base: str) -> list[tuple[str, str]]:
    """(label, path) of every page link in the sidebar menu."""
    links = page.locator('[data-testid="stSidebarNav"] a, [data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
    found: list[tuple[str, str]] = []
    for k in range(links.count()):
        href = links.nth(k).get_attribute("href") or ""
        label = links.nth(k).inner_text().strip().splitlines()[-1]
        path = "/" + href.replace(base, "").lstrip("/")
        if path.split("?")[0] not in {p.split("?")[0] for _, p in found}:
            found.append((label, path))
    return found


def run(args: argparse.Namespace) -> int:
    """Start a server, sign in, open every page (twice: cold, warm); print times and memory."""
    from playwright.sync_api import sync_playwright

    from data_access.db import database_url

    url = args.database or database_url()
    process, base = start_server(url)
    timeout_ms = int(args.timeout * 1000)
    print(f"database: {url.split('@')[-1]}  server pid {process.pid}  as {args.login}")
    print(f"after start: {memory_mb(process.pid)[0]:.0f} MiB resident")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
            page = context.new_page()
            page.goto(base + "/")
            _drawn(page, timeout_ms)
            page.get_by_label("用户名").fill(args.login)
            page.get_by_label("密码").fill(args.password)
            started = time.perf_counter()
            page.get_by_role("button", name="登录").click()
            page.wait_for_selector('input[type="password"]', state="detached", timeout=timeout_ms)
            _drawn(page, timeout_ms)
            print(f"sign-in and overview: {time.perf_counter() - started:.2f} s")
            paths = menu_paths(page, base)[: args.limit or None]
            rows: list[tuple[str, str, float, float, float]] = []
            for round_name in ("cold", "warm")[: args.passes]:
                for label, path in paths:
                    started = time.perf_counter()
                    page.goto(base + path)
                    _drawn(page, timeout_ms)
                    seconds = time.perf_counter() - started
                    errors = page.locator('[data-testid="stException"]').count()
                    rss, peak = memory_mb(process.pid)
                    rows.append((round_name, label + (" (exception!)" if errors else ""), seconds, rss, peak))
            browser.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    print(f"\n{'pass':<5} {'page':<14} {'drawn s':>8} {'RSS MiB':>8} {'peak MiB':>9}")
    for round_name, label, seconds, rss, peak in rows:
        print(f"{round_name:<5} {label:<14} {seconds:8.2f} {rss:8.0f} {peak:9.0f}")
    for round_name in ("cold", "warm")[: args.passes]:
        times = [s for r, _, s, _, _ in rows if r == round_name]
        print(f"{round_name}: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s over {len(times)} pages")
    print(f"server resident after every page: {rows[-1][3]:.0f} MiB (peak {max(r[4] for r in rows):.0f} MiB)")
    print("(0.6 s of each figure is the wait for Streamlit to settle: twice 0.3 s after its run ends)")
    return 0


def register(inner: Any) -> None:
    """Add ``bench server`` to the bench sub-commands."""
    server = inner.add_parser("server", help="app server memory and page draw times in Chromium")
    server.add_argument("--database", default=None, help="database URL (default: DATABASE_URL or the embedded file)")
    server.add_argument("--login", default="admin")
    server.add_argument("--password", default="demo1234")
    server.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one page")
    server.add_argument("--passes", type=int, default=2, choices=(1, 2), help="1: cold only; 2: cold, then warm")
    server.add_argument("--limit", type=int, default=0, help="only the first N pages of the menu (0: all)")
    server.set_defaults(func=run)
