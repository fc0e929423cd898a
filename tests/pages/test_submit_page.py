"""提交报送 page: a clerk sees the unit's status, submits, and the form download is offered."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from data_access.models import Member, Submission, User
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage


def page(login: str, file: str) -> AppTest:
    return open_subpage(file, login)


def clean_unit_clerk(url: str) -> tuple[str, int]:
    """A unit clerk whose unit has a validated list and no submission."""
    engine = create_engine(url)
    with Session(engine) as session:
        submitted = select(Submission.unit_id)
        clerks = select(User.scope_id).where(User.role == "unit")
        unit_id = session.scalar(
            select(Member.unit_id).where(Member.stage == "validated", Member.unit_id.not_in(submitted), Member.unit_id.in_(clerks))
            .group_by(Member.unit_id).order_by(func.count().desc()).limit(1)
        )
        if unit_id is None:  # every clerk's unit submitted already: take one that was returned
            unit_id = session.scalar(select(Submission.unit_id).where(Submission.outcome == "returned", Submission.unit_id.in_(clerks)).limit(1))
        login = session.scalar(select(User.login).where(User.role == "unit", User.scope_id == unit_id))
    engine.dispose()
    assert unit_id is not None and login is not None
    return login, unit_id


def test_clerk_submits_and_sees_pending(writable_demo: str) -> None:
    login, unit_id = clean_unit_clerk(writable_demo)
    at = page(login, "pages/7_submit.py")
    assert not at.exception
    assert "尚未报送" in texts(at)
    assert at.get("download_button")
    at.text_input(key="submit_filler").set_value("王芳")
    at.text_input(key="submit_phone").set_value("13812345678")
    at.button[0].click().run()  # the form's submit button without the consent tick
    assert "同意书" in texts(at)
    at.checkbox(key="submit_consents").check()
    at.button[0].click().run()
    assert not at.exception
    shown = texts(at)
    assert "已报送" in shown and "等待区工会审核" in shown
    engine = create_engine(writable_demo)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Submission).where(Submission.unit_id == unit_id)) == 1
    engine.dispose()


def test_admin_without_a_unit_is_asked_to_choose(writable_demo: str) -> None:
    at = page("admin", "pages/7_submit.py")
    assert not at.exception
    assert "选择" in texts(at)
