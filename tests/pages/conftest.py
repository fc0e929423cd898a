"""AppTest helpers: run a page file against the demo database as a signed-in user."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_page(demo_sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., AppTest]:
    """Run a page (path relative to the project root) as ``login``; returns the AppTest."""
    monkeypatch.setenv("DATABASE_URL", demo_sqlite_url)
    st.cache_data.clear()
    st.cache_resource.clear()

    def run(page: str, login: str | None = "admin", query: dict[str, str] | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / page), default_timeout=60)
        if login:
            at.session_state["user_login"] = login
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        return at

    return run


@pytest.fixture
def writable_demo(demo_sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A private copy of the demo database for tests that write (the shared one stays as
    built); DATABASE_URL points at it and the caches are cleared. Returns its URL."""
    target = tmp_path / "demo-copy.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return url


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, joined, for asserting on what a user reads."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)
