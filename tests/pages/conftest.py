"""AppTest helpers: run a page file against the demo database as a signed-in user."""

from __future__ import annotations

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


def texts(at: AppTest) -> str:
    """Every piece of text the page shows, joined, for asserting on what a user reads."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts.extend(str(element.value) for element in getattr(at, kind))
    parts.extend(f"{m.label} {m.value}" for m in at.metric)
    return "\n".join(parts)
