"""Files in and out: one naming rule for every exported file; every download built on the
click after re-checking the user, with its audit row (and the audit row of each file read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import streamlit as st
from sqlalchemy import Engine

from campaign.i18n import t as translate
from data_access.audit import log_export, log_import, log_refused_export
from data_access.auth import CurrentUser, load_user
from data_access.db import read_session, write_session
from data_access.scope import Scope
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


class DownloadRefused(RuntimeError):
    """A download refused at the click; ``reason`` is a catalogue key (Chinese first)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def refusal(drawn: CurrentUser, scope: Scope, engine_: Engine | None = None) -> str | None:
    """Re-read the user from the database: ``None`` if they may still export ``scope``, else the
    catalogue key of why not (disabled, role or scope changed, scope outside theirs)."""
    with read_session(engine_ or engine()) as session:
        now = load_user(session, drawn.login)
    if now is None:
        return "download.refused_inactive"
    if now.role != drawn.role or now.scope != drawn.scope:
        return "download.refused_changed"
    if scope.root_path is None and not now.scope.is_everything:
        return "download.refused_scope"
    if scope.root_path is not None and not now.scope.contains_path(scope.root_path):
        return "download.refused_scope"
    return None


def deferred(
    build: Callable[[], tuple[bytes, int]], user: CurrentUser, scope: Scope, name: str, detail: str
) -> Callable[[], bytes]:
    """A zero-argument callable for ``st.download_button(data=...)``, run only on the click:
    re-checks the user and the scope, builds the file and writes its audit row in one step.

    A refusal writes an ``export_refused`` audit row and raises ``DownloadRefused`` (the
    browser then gets no file). Runs on Streamlit's worker thread, so it uses no ``st.*``.
    """
    engine_ = engine()

    def run() -> bytes:
        reason = refusal(user, scope, engine_)
        if reason is not None:
            with write_session(engine_) as session:
                log_refused_export(session, user.login, name, f"{reason} scope={scope.cache_key()} {detail}")
            raise DownloadRefused(reason)
        body, rows = build()
        with write_session(engine_) as session:
            log_export(session, user.login, name, rows, detail)
        return body

    return run


def _on_click(user: CurrentUser, scope: Scope, lang: str) -> None:
    """The click's rerun: say (in the page's language) why a refused download gave nothing."""
    reason = refusal(user, scope)
    if reason is not None:
        st.error(translate(reason, lang), icon=":material/block:")


def button(
    label: str,
    build: Callable[[], tuple[bytes, int]],
    *,
    user: CurrentUser,
    scope: Scope,
    lang: str,
    file_name: str,
    mime: str,
    key: str,
    detail: str,
    **options: Any,
) -> None:
    """A download button whose file is built, checked and audited only when clicked.

    Nothing is built and nothing is logged when the page draws: Streamlit 1.67 keeps a
    callable ``data`` as a deferred file and calls it (on a worker thread) when the browser
    asks for it after the click, then serves the bytes from ``/media/``. The click also
    reruns the page, where ``_on_click`` shows a refusal in words.
    """
    st.download_button(
        label,
        data=deferred(build, user, scope, file_name, detail),
        file_name=file_name,
        mime=mime,
        key=key,
        on_click=_on_click,
        args=(user, scope, lang),
        icon=options.pop("icon", ":material/download:"),
        **options,
    )


def log_file_read(user_login: str | None, name: str, rows: int, detail: str) -> None:
    """Write the audit row of an uploaded file the app has read (stored or not)."""
    with write_session(engine()) as session:
        log_import(session, user_login, name, rows, detail)
