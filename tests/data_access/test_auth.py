"""Sign-in: five failures in a row lock an account for 15 minutes, in the database; every
attempt is audited; demo accounts each have their own salted hash."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from data_access.auth import (
    LOCK_DURATION,
    hash_demo_password,
    logins_with_password,
    password_matches,
    sign_in,
)
from data_access.db import make_engine, read_session, write_session
from data_access.models import Audit, User
from tests.conftest import DEMO_NOW

NOW = DEMO_NOW


def _user(engine, login: str = "li", password: str = "right-horse-battery") -> None:
    with write_session(engine) as s:
        s.add(User(login=login, display_name="李娜", password_hash=hash_demo_password(password), role="admin"))


def _audit(engine) -> list[tuple[str, str | None, str]]:
    with read_session(engine) as s:
        return [tuple(r) for r in s.execute(select(Audit.action, Audit.user_login, Audit.object).order_by(Audit.id))]


def test_four_failures_then_the_right_password_signs_in_and_resets_the_count(engine):
    _user(engine)
    for _ in range(4):
        assert sign_in(engine, "li", "wrong", NOW).user is None
    result = sign_in(engine, "li", "right-horse-battery", NOW)
    assert result.user is not None and result.user.login == "li"
    with read_session(engine) as s:
        assert s.scalar(select(User.failed_logins)) == 0
    for _ in range(4):  # a fresh run of four does not lock
        assert not sign_in(engine, "li", "wrong", NOW).locked
    assert sign_in(engine, "li", "right-horse-battery", NOW).user is not None


def test_five_failures_lock_for_15_minutes_even_from_another_server(engine, db_url):
    _user(engine)
    for attempt in range(5):
        result = sign_in(engine, "li", "wrong", NOW + timedelta(seconds=attempt))
    assert result.locked_until == NOW + timedelta(seconds=4) + LOCK_DURATION
    other_server = make_engine(db_url)  # the lock lives in the database, not in a process
    try:
        refused = sign_in(other_server, "li", "right-horse-battery", NOW + timedelta(minutes=10))
        assert refused.user is None and refused.locked_until == result.locked_until
    finally:
        other_server.dispose()
    later = sign_in(engine, "li", "right-horse-battery", result.locked_until + timedelta(seconds=1))
    assert later.user is not None and not later.locked


def test_every_attempt_is_audited(engine):
    _user(engine)
    sign_in(engine, "nobody", "x", NOW)
    for _ in range(5):
        sign_in(engine, "li", "wrong", NOW)
    sign_in(engine, "li", "right-horse-battery", NOW)
    sign_in(engine, "li", "right-horse-battery", NOW + LOCK_DURATION + timedelta(seconds=1))
    assert _audit(engine) == [
        ("sign_in_failed", None, "nobody"),
        *[("sign_in_failed", None, "li")] * 5,
        ("sign_in_locked", None, "li"),
        ("sign_in", "li", "li"),
    ]


def test_demo_accounts_each_have_their_own_salted_hash(demo_engine):
    with read_session(demo_engine) as s:
        hashes = dict(s.execute(select(User.login, User.password_hash)).all())
    assert len(hashes) > 1 and len(set(hashes.values())) == len(hashes)
    assert all(h.startswith("$argon2id$") for h in hashes.values())
    assert password_matches(hashes["admin"], "demo1234")
    with read_session(demo_engine) as s:
        assert logins_with_password(s, "demo1234") == sorted(hashes)
