"""Opening a sub-page the way a user does: the entry script first, then the page."""

from __future__ import annotations

from datetime import date

from streamlit.testing.v1 import AppTest


def open_page(run_page, page: str, login: str = "admin", lang: str | None = None, as_of: date | None = None) -> AppTest:  # type: ignore[no-untyped-def]
    """Run dashboard.py signed in as ``login``, switch to ``page``, then pick the language and
    as-of date in the sidebar as a user would (AppTest's page switch drops the URL's query)."""
    at = run_page("dashboard.py", login=login)
    at.switch_page(page).run()
    if as_of is not None:
        at.date_input(key="as_of").set_value(as_of).run()
    if lang is not None:
        at.segmented_control(key="lang").set_value(lang).run()
        at.run()  # the frame reads the language from the URL the widget has just written
    return at


def frame_of(at: AppTest, column: str):  # type: ignore[no-untyped-def]
    """The first dataframe on the page that has a column."""
    return next(df.value for df in at.dataframe if column in df.value.columns)
