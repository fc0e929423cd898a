"""Files in and out: one naming rule for every exported file, and the audit row each
download (and each uploaded file read) writes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from data_access.audit import log_export, log_import
from data_access.db import write_session
from ui.loaders import engine

_UNSAFE = '\\/:*?"<>| '


def export_name(what: str, scope_label: str, as_of: date, ext: str) -> str:
    """A file named after what it holds: 会员卡推进报表-保税区工会-2026-11-20.xlsx.

    >>> export_name("报送进度", "保税区 工会/一片", date(2026, 11, 20), "csv")
    '报送进度-保税区工会一片-2026-11-20.csv'
    """
    parts = ["".join(ch for ch in str(part) if ch not in _UNSAFE) for part in (what, scope_label, as_of.isoformat())]
    return "-".join(part for part in parts if part) + f".{ext}"


def log_download(user_login: str | None, name: str, rows: int, detail: str) -> None:
    """Write the audit row of one download, in a transaction of its own."""
    with write_session(engine()) as session:
        log_export(session, user_login, name, rows, detail)


def deferred(build: Callable[[], tuple[bytes, int]], user_login: str, name: str, detail: str) -> Callable[[], bytes]:
    """A zero-argument callable for ``st.download_button(data=...)``: builds on click, logs."""

    def run() -> bytes:
        body, rows = build()
        log_download(user_login, name, rows, detail)
        return body

    return run


def log_file_read(user_login: str | None, name: str, rows: int, detail: str) -> None:
    """Write the audit row of an uploaded file the app has read (stored or not)."""
    with write_session(engine()) as session:
        log_import(session, user_login, name, rows, detail)
