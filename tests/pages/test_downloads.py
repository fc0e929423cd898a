"""Downloads are built on the click, after re-reading the user, with their audit row: drawing a
page builds and logs nothing and leaves no ``/media/`` file; a user disabled (or moved) after the
draw gets nothing and a refusal is logged (AppTest, private copy of the demo DB)."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from sqlalchemy import func, select, update
from streamlit.runtime.media_file_manager import MediaFileManager

from data_access.db import get_engine, read_session, write_session
from data_access.models import Audit, User
from tests.pages.progress_helpers import open_subpage
from ui import downloads


@pytest.fixture
def private_demo(demo_sqlite_url, tmp_path, monkeypatch):
    target = tmp_path / "demo-downloads.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return url


@pytest.fixture
def deferred_files(monkeypatch):
    """The callables Streamlit registers for deferred downloads, by file name."""
    found: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, element_id=""):  # type: ignore[no-untyped-def]
        found[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, element_id=element_id)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return found


def _audit(url: str) -> list[tuple[str, str, str]]:
    with read_session(get_engine(url)) as session:
        return [tuple(r) for r in session.execute(select(Audit.user_login, Audit.action, Audit.object).order_by(Audit.id))]


def test_drawing_builds_nothing_and_every_button_is_deferred(private_demo, deferred_files, monkeypatch):
    from ui import loaders_delivery as data

    built: list[str] = []
    original = data.progress_workbook_bytes

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append("workbook")
        return original(*args, **kwargs)

    monkeypatch.setattr(data, "progress_workbook_bytes", counting)
    before = _audit(private_demo)
    for at in (
        open_subpage("pages/6_reports.py", login="leader1"),
        open_subpage("pages/4_bank.py", login="leader1"),
        open_subpage("pages/5_distribution.py", login="leader1"),
        open_subpage("pages/2_submissions.py", login="leader1"),
        open_subpage("pages/3_validation.py", login="leader1"),
    ):
        assert not at.exception
        buttons = [b.proto for b in at.get("download_button")]
        assert buttons
        for proto in buttons:
            assert proto.url == "" and proto.deferred_file_id, proto.label  # nothing at /media/ before the click
    assert built == []
    assert _audit(private_demo) == before  # no audit row before a click
    assert any(name.endswith(".xlsx") for name in deferred_files)


def test_a_click_builds_and_logs_and_a_disabled_user_gets_nothing(private_demo, deferred_files):
    at = open_subpage("pages/6_reports.py", login="leader1")
    assert not at.exception
    workbook = next(name for name in deferred_files if name.startswith("会员卡推进报表-") and name.endswith(".xlsx"))
    body = deferred_files[workbook]()
    assert body[:2] == b"PK"
    assert _audit(private_demo)[-1] == ("leader1", "export", workbook)

    engine = get_engine(private_demo)
    with write_session(engine) as session:
        session.execute(update(User).where(User.login == "leader1").values(active=False))
    with pytest.raises(downloads.DownloadRefused) as refused:
        deferred_files[workbook]()
    assert refused.value.reason == "download.refused_inactive"
    assert _audit(private_demo)[-1] == ("leader1", "export_refused", workbook)

    with write_session(engine) as session:  # back on, but now a liaison: the drawn role no longer holds
        session.execute(update(User).where(User.login == "leader1").values(active=True, role="liaison"))
    with pytest.raises(downloads.DownloadRefused) as refused:
        deferred_files[workbook]()
    assert refused.value.reason == "download.refused_changed"
    with read_session(engine) as session:
        exports = session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "export"))
    assert exports == 1  # one file served, one audit row


def test_csv_export_of_the_submissions_page_is_checked_and_logged(private_demo, deferred_files):
    at = open_subpage("pages/2_submissions.py", login="liaison1")
    assert not at.exception
    name = next(n for n in deferred_files if n.endswith(".csv"))
    assert deferred_files[name]().startswith(b"\xef\xbb\xbf")
    assert _audit(private_demo)[-1] == ("liaison1", "export", name)
    with write_session(get_engine(private_demo)) as session:
        session.execute(update(User).where(User.login == "liaison1").values(active=False))
    with pytest.raises(downloads.DownloadRefused):
        deferred_files[name]()


def test_refusal_message_is_chinese():
    from campaign.i18n import t

    assert t("download.refused_inactive").startswith("下载被拒绝")
