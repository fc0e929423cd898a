"""Signed-in sessions (data_access.sessions): a random token whose SHA-256 only is stored, a
fixed working day, ended by sign-out (that token, everywhere), a disabled account or a changed
role / scope / password; starts, resumes and sign-outs audited, page views not."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data_access.auth import hash_demo_password
from data_access.db import read_session, write_session
from data_access.models import Audit, User, UserSession
from data_access.sessions import (
    CHANGED,
    EXPIRED,
    OK,
    SESSION_LIFETIME,
    SIGNED_OUT,
    TOUCH_EVERY,
    UNKNOWN,
    check_session,
    end_session,
    resume_session,
    revoke_user_sessions,
    start_session,
    token_hash,
)
from tests.conftest import DEMO_NOW

NOW = DEMO_NOW


def _user(engine, login: str = "li", role: str = "admin") -> None:
    with write_session(engine) as s:
        s.add(User(login=login, display_name="李娜", password_hash=hash_demo_password("pw-123456"), role=role))


def _audit(engine) -> list[tuple[str, str | None]]:
    with read_session(engine) as s:
        return [tuple(r) for r in s.execute(select(Audit.action, Audit.user_login).order_by(Audit.id))]


def _rows(engine) -> list[UserSession]:
    with read_session(engine) as s:
        rows = s.scalars(select(UserSession).order_by(UserSession.id)).all()
        s.expunge_all()
        return list(rows)


def test_a_session_stores_only_the_hash_and_lasts_a_fixed_working_day(engine):
    _user(engine)
    opened = start_session(engine, "li", NOW)
    assert len(opened.token) >= 40 and opened.expires_at == NOW + SESSION_LIFETIME == NOW + timedelta(hours=10)
    (row,) = _rows(engine)
    assert row.token_hash == token_hash(opened.token) and opened.token not in row.token_hash
    assert row.created_at == NOW and row.revoked_at is None and row.session_version == 0
    check = resume_session(engine, opened.token, NOW + timedelta(hours=9, minutes=59))
    assert check.reason == OK and check.user is not None and check.user.login == "li"
    # fixed, not sliding: use during the day does not move the end
    assert resume_session(engine, opened.token, NOW + SESSION_LIFETIME).reason == EXPIRED
    assert _rows(engine)[0].expires_at == NOW + SESSION_LIFETIME
    other = start_session(engine, "li", NOW)
    assert other.token != opened.token and len(_rows(engine)) == 2


def test_unknown_and_empty_tokens_sign_no_one_in(engine):
    _user(engine)
    start_session(engine, "li", NOW)
    assert resume_session(engine, "not-a-token-of-ours-at-all", NOW).reason == UNKNOWN
    assert resume_session(engine, None, NOW).reason == UNKNOWN
    with read_session(engine) as s:
        row_hash = s.scalar(select(UserSession.token_hash))
    assert resume_session(engine, row_hash, NOW).reason == UNKNOWN  # the stored hash is no token


def test_sign_out_ends_that_token_everywhere_and_only_that_token(engine):
    _user(engine)
    office = start_session(engine, "li", NOW)
    phone = start_session(engine, "li", NOW)
    assert end_session(engine, "li", office.token, NOW + timedelta(hours=1)) is True
    assert resume_session(engine, office.token, NOW + timedelta(hours=1)).reason == SIGNED_OUT
    assert resume_session(engine, phone.token, NOW + timedelta(hours=1)).reason == OK
    assert end_session(engine, "li", office.token, NOW + timedelta(hours=2)) is False  # already over
    assert [a for a in _audit(engine) if a[0] == "sign_out"] == [("sign_out", "li"), ("sign_out", "li")]
    assert _rows(engine)[0].revoked_at == NOW + timedelta(hours=1)  # the first sign-out's time stays


@pytest.mark.parametrize("change", ["disable", "bump"])
def test_a_disabled_or_changed_account_ends_the_session_on_the_next_check(engine, change):
    _user(engine)
    opened = start_session(engine, "li", NOW)
    with write_session(engine) as s:
        row = s.scalar(select(User).where(User.login == "li"))
        if change == "disable":
            row.active = False
        else:
            row.session_version = (row.session_version or 0) + 1  # what users.py does on a new role / scope / password
    later = NOW + timedelta(minutes=1)
    assert resume_session(engine, opened.token, later).reason == CHANGED
    assert _rows(engine)[0].revoked_at == later  # and it stays ended
    with write_session(engine) as s:
        s.scalar(select(User).where(User.login == "li")).active = True
    assert resume_session(engine, opened.token, later).reason == SIGNED_OUT
    with read_session(engine) as s:
        assert check_session(s, opened.token, later).user is None


def test_resumes_are_audited_once_per_browser_session_and_page_views_write_little(engine):
    _user(engine)
    opened = start_session(engine, "li", NOW)
    for minute in range(4):  # page views within five minutes: no writes at all
        resume_session(engine, opened.token, NOW + timedelta(minutes=minute))
    assert _rows(engine)[0].last_seen_at == NOW
    resume_session(engine, opened.token, NOW + TOUCH_EVERY + timedelta(seconds=1))
    assert _rows(engine)[0].last_seen_at == NOW + TOUCH_EVERY + timedelta(seconds=1)
    resume_session(engine, opened.token, NOW + timedelta(hours=1), new_browser_session=True)  # F5
    assert _audit(engine) == [("session_resumed", "li")]
    with read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Audit)) == 1


def test_revoking_every_session_of_an_account(engine):
    _user(engine)
    _user(engine, "wang", "unit")
    tokens = [start_session(engine, "li", NOW).token for _ in range(3)]
    theirs = start_session(engine, "wang", NOW).token
    with write_session(engine) as s:
        assert revoke_user_sessions(s, "li", NOW + timedelta(minutes=5)) == 3
    assert {resume_session(engine, t, NOW + timedelta(minutes=6)).reason for t in tokens} == {SIGNED_OUT}
    assert resume_session(engine, theirs, NOW + timedelta(minutes=6)).reason == OK


def test_no_session_for_a_disabled_or_unknown_account(engine):
    _user(engine)
    with write_session(engine) as s:
        s.scalar(select(User).where(User.login == "li")).active = False
    for login in ("li", "nobody"):
        with pytest.raises(ValueError):
            start_session(engine, login, NOW)
    assert _rows(engine) == []
