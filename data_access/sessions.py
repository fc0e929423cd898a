"""Signed-in sessions that outlive a reload, a new tab or a colleague's link (``user_session``).

At sign-in the server draws a random token (32 bytes, URL-safe), keeps only its SHA-256 with
the user, the account's ``session_version`` and an expiry, and the browser keeps the token in
a cookie (``mc_session``: path /, SameSite=Strict, Secure over https; no login, role or
password anywhere in the browser). A new browser session (F5, a new tab, a link) presents
the cookie; the server finds the hash and signs the user in again.

Lifetime: a working day, fixed: ``SESSION_HOURS`` (10) hours from sign-in, not sliding, so
a session opened at 08:30 ends at 18:30 however busy the day; ``last_seen_at`` is touched at
most every ``TOUCH_EVERY`` (so a page view does not write). A session ends earlier when
- its token is signed out (``revoked_at``): every tab and browser holding that cookie is out
  on its next interaction;
- the account is disabled, or its ``session_version`` moved (role, scope or password changed,
  see ``data_access.actions.users``): found on the next interaction, and the row is then
  revoked too.
Every start is audited (``sign_in`` by ``auth.sign_in``), every resume in a new browser
session once (``session_resumed``), every sign-out (``sign_out``); page views are not.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from campaign.timeutil import now_utc
from data_access.audit import _log, log_sign_out
from data_access.auth import CurrentUser, load_user
from data_access.db import read_session, write_session
from data_access.models import User, UserSession

COOKIE_NAME = "mc_session"
SESSION_HOURS = 10
SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)
TOUCH_EVERY = timedelta(minutes=5)
TOKEN_BYTES = 32

# Why a token no longer signs anyone in.
OK = "ok"
UNKNOWN = "unknown"  # no such token (never issued, or from another database)
EXPIRED = "expired"  # past its working day
SIGNED_OUT = "signed_out"  # revoked by a sign-out (here or in another tab)
CHANGED = "changed"  # account disabled, or role / scope / password changed since sign-in


def token_hash(token: str) -> str:
    """The SHA-256 (hex) the server keeps of a token.

    >>> len(token_hash("abc")), token_hash("abc")[:8]
    (64, 'ba7816bf')
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the token for the browser's cookie (shown nowhere else) and its end."""

    token: str
    login: str
    expires_at: datetime  # naive UTC


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of presenting a token: the user (re-read now) or why not."""

    user: CurrentUser | None
    reason: str
    expires_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def open_session(session: Session, login: str, at: datetime | None = None) -> OpenedSession:
    """Open a session for an active account in the caller's transaction; returns the token.
    The sign-in itself (password, lock-out, its audit row) is ``auth.sign_in``'s."""
    at = at or now_utc()
    row = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if row is None:
        raise ValueError(f"no active account {login!r}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = at + SESSION_LIFETIME
    session.add(UserSession(
        token_hash=token_hash(token), user_id=row.id, session_version=row.session_version or 0,
        created_at=at, last_seen_at=at, expires_at=expires, revoked_at=None,
    ))
    session.flush()
    return OpenedSession(token, row.login, expires)


def check_session(session: Session, token: str | None, at: datetime | None = None) -> SessionCheck:
    """Whether a token still signs someone in (read only): known, not revoked, not expired, the
    account active and its ``session_version`` the one the session was opened with."""
    if not token:
        return SessionCheck(None, UNKNOWN)
    at = at or now_utc()
    found = session.execute(
        select(UserSession, User.login).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()
    if found is None:
        return SessionCheck(None, UNKNOWN)
    row, login = found
    if row.revoked_at is not None:
        return SessionCheck(None, SIGNED_OUT, row.expires_at)
    if row.expires_at <= at:
        return SessionCheck(None, EXPIRED, row.expires_at)
    user = load_user(session, login)
    if user is None or user.session_version != (row.session_version or 0):
        return SessionCheck(None, CHANGED, row.expires_at)
    return SessionCheck(user, OK, row.expires_at)


def revoke_session(session: Session, token: str, at: datetime | None = None) -> bool:
    """End one token's session (sign-out) in the caller's transaction; False when it was not
    open (unknown or already ended)."""
    at = at or now_utc()
    result = session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return bool(result.rowcount)


def revoke_user_sessions(session: Session, login: str, at: datetime | None = None) -> int:
    """End every open session of an account (e.g. after it was disabled); returns how many."""
    at = at or now_utc()
    user_id = select(User.id).where(User.login == login).scalar_subquery()
    result = session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None), UserSession.expires_at > at)
        .values(revoked_at=at)
    )
    return int(result.rowcount or 0)


def _touch(session: Session, token: str, at: datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .where((UserSession.last_seen_at.is_(None)) | (UserSession.last_seen_at < at - TOUCH_EVERY))
        .values(last_seen_at=at)
    )


# --- engine-level helpers for the page frame (each its own short transaction) ---------------


def start_session(engine: Engine, login: str, at: datetime | None = None) -> OpenedSession:
    """Open a session after a successful ``auth.sign_in`` (which wrote the audit row)."""
    with write_session(engine) as session:
        return open_session(session, login, at)


def resume_session(engine: Engine, token: str | None, at: datetime | None = None, *, new_browser_session: bool = False) -> SessionCheck:
    """Check a token on an interaction. A session found ended because the account changed is
    revoked too. ``new_browser_session`` (a reload, new tab or link presenting the cookie):
    audit the resume once. ``last_seen_at`` is written at most every ``TOUCH_EVERY``."""
    at = at or now_utc()
    with read_session(engine) as session:
        check = check_session(session, token, at)
        last_seen = None
        if check.ok:
            last_seen = session.scalar(select(UserSession.last_seen_at).where(UserSession.token_hash == token_hash(token or "")))
    if check.reason == CHANGED and token:
        with write_session(engine) as session:
            revoke_session(session, token, at)
    elif check.ok and token and (new_browser_session or last_seen is None or last_seen < at - TOUCH_EVERY):
        with write_session(engine) as session:
            _touch(session, token, at)
            if new_browser_session:
                _log(session, "session_resumed", check.user.login, check.user.login, None,  # type: ignore[union-attr]
                     f"until {check.expires_at:%Y-%m-%d %H:%M} UTC")
    return check


def end_session(engine: Engine, login: str, token: str | None, at: datetime | None = None) -> bool:
    """Sign out: revoke the token (every tab using it is out on its next interaction) and audit
    the sign-out; returns whether a session was open."""
    with write_session(engine) as session:
        ended = revoke_session(session, token, at) if token else False
        log_sign_out(session, login)
    return ended
