"""Passwords (argon2), sign-in with lock-out, and the signed-in user's identity, role and scope.

Five failed sign-ins in a row lock an account for 15 minutes. The count and the lock live in
the ``user`` row, so they hold across reloads and app servers; every attempt is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from campaign.stages import FULL_PII_ROLES
from campaign.timeutil import now_utc
from data_access.audit import log_sign_in, log_sign_out
from data_access.db import read_session, write_session
from data_access.models import User
from data_access.scope import Scope, scope_for

MAX_FAILED_SIGN_INS = 5
LOCK_DURATION = timedelta(minutes=15)
DEMO_PASSWORD = "demo1234"

_hasher = PasswordHasher()
# Demo accounts only: still argon2id with a salt of its own per account, at a cost (8 MiB,
# one pass, ~10 ms) that keeps loading the demo's 22 accounts quick. Real accounts use the
# library's defaults (64 MiB, three passes).
_demo_hasher = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
# Accounts opened in bulk (a users sheet of hundreds of rows): OWASP's minimum argon2id profile
# (19 MiB, two passes, one lane), about a third of the default's cost per account.
_bulk_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


def hash_password_bulk(password: str) -> str:
    """An argon2id hash at OWASP's minimum profile, for accounts imported from a users sheet."""
    return _bulk_hasher.hash(password)


def hash_demo_password(password: str) -> str:
    """A cheaper (still salted argon2id) hash, for the generated demo accounts only."""
    return _demo_hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether a password matches a stored hash (whatever its argon2 parameters)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class CurrentUser:
    """Who is asking: the scope beneath every query and whether personal data shows in full."""

    login: str
    display_name: str
    role: str
    scope: Scope
    # The account's ``session_version`` when read: the frame keeps the value it saw at sign-in
    # and signs a session out once the row holds a newer one (disabled, moved, new password).
    session_version: int = 0

    @property
    def sees_full_pii(self) -> bool:
        return self.role in FULL_PII_ROLES


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in: the user, or why not (``locked_until`` is naive UTC)."""

    user: CurrentUser | None
    locked_until: datetime | None = None

    @property
    def locked(self) -> bool:
        return self.locked_until is not None


def _locked_until(user: User, now: datetime) -> datetime | None:
    return user.locked_until if user.locked_until is not None and user.locked_until > now else None


def sign_in(engine: Engine, login: str, password: str, now: datetime | None = None) -> SignInResult:
    """Check a password, count failures, lock after five in a row, audit every attempt.

    The password is checked outside the write transaction (argon2 is slow); the outcome is
    then recorded on the locked user row (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
    PostgreSQL), so concurrent failures all count. A locked account is refused without
    checking the password, and a lock that began meanwhile wins over a correct password.
    """
    login = login.strip()
    now = now or now_utc()
    with read_session(engine) as session:
        user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
        password_hash = user.password_hash if user is not None else None
        locked = _locked_until(user, now) if user is not None else None
    if user is None:
        _hasher.hash(password)  # same cost whether or not the login exists
        with write_session(engine) as session:
            log_sign_in(session, login, "sign_in_failed", "unknown or disabled account")
        return SignInResult(None)
    if locked is not None:
        with write_session(engine) as session:
            log_sign_in(session, login, "sign_in_locked", f"locked until {locked:%Y-%m-%d %H:%M} UTC")
        return SignInResult(None, locked)
    matches = password_matches(password_hash or "", password)
    with write_session(engine) as session:
        row = session.scalar(select(User).where(User.login == login).with_for_update())
        if row is None:
            return SignInResult(None)
        locked = _locked_until(row, now)
        if locked is not None:
            log_sign_in(session, login, "sign_in_locked", f"locked until {locked:%Y-%m-%d %H:%M} UTC")
            return SignInResult(None, locked)
        if matches:
            row.failed_logins = 0
            row.locked_until = None
            log_sign_in(session, login, "sign_in")
            return SignInResult(load_user(session, login))
        failures = (row.failed_logins or 0) + 1
        if failures >= MAX_FAILED_SIGN_INS:
            row.failed_logins = 0
            row.locked_until = now + LOCK_DURATION
            log_sign_in(session, login, "sign_in_failed", f"failure {failures}; locked for 15 minutes")
            return SignInResult(None, row.locked_until)
        row.failed_logins = failures
        log_sign_in(session, login, "sign_in_failed", f"failure {failures}")
        return SignInResult(None)


def record_sign_out(engine: Engine, login: str) -> None:
    """Audit a sign-out."""
    with write_session(engine) as session:
        log_sign_out(session, login)


def logins_with_password(session: Session, password: str = DEMO_PASSWORD) -> list[str]:
    """The logins (active or not) whose password is ``password``: one argon2 check per account."""
    rows = session.execute(select(User.login, User.password_hash).order_by(User.login)).all()
    return [login for login, password_hash in rows if password_matches(password_hash, password)]


def load_user(session: Session, login: str) -> CurrentUser | None:
    """Re-read a user on every run (so a disabled account or a changed scope takes effect);
    None when the login is unknown or disabled."""
    user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if user is None:
        return None
    return CurrentUser(user.login, user.display_name, user.role, scope_for(session, user.scope_id), user.session_version or 0)


def session_current(user: CurrentUser | None, signed_in_version: int | None) -> bool:
    """Whether a session that signed in when the account held ``signed_in_version`` may go on:
    the account is active (``user`` re-read, not None) and nothing raised its version since.

    >>> from data_access.scope import Scope
    >>> u = CurrentUser("a", "A", "unit", Scope(), 3)
    >>> session_current(u, 3), session_current(u, 2), session_current(None, 3)
    (True, False, False)
    """
    return user is not None and (signed_in_version is None or signed_in_version == user.session_version)


def active_admin_logins(session: Session, limit: int | None = None) -> list[str]:
    """Logins of the active administrators, in order (init, check-deploy and the setup
    commands' default acting user all ask this)."""
    query = select(User.login).where(User.role == "admin", User.active.is_(True)).order_by(User.login)
    return list(session.scalars(query.limit(limit) if limit is not None else query))
