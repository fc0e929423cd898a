"""Open a sub-page in AppTest the way a browser reaches it: through the entry script."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


def open_subpage(page: str, login: str = "admin", query: dict[str, str] | None = None) -> AppTest:
    """Run dashboard.py's app, then switch to ``page`` (relative to the project root).

    A page file run as the AppTest entry script cannot link back to dashboard.py, so the
    frame's menu would fail; switching pages keeps dashboard.py the entry point.
    """
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    if login:
        at.session_state["user_login"] = login
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()
