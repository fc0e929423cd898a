"""Passwords (argon2) and the signed-in user's identity, role and scope."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.stages import FULL_PII_ROLES
from data_access.models import User
from data_access.scope import Scope, scope_for

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of a password."""
    return _hasher.hash(password)


@dataclass(frozen=True)
class CurrentUser:
    """Who is asking: the scope beneath every query and whether personal data shows in full."""

    login: str
    display_name: str
    role: str
    scope: Scope

    @property
    def sees_full_pii(self) -> bool:
        return self.role in FULL_PII_ROLES


def authenticate(session: Session, login: str, password: str) -> CurrentUser | None:
    """The user if the password matches an active account, else None."""
    user = session.scalar(select(User).where(User.login == login.strip(), User.active.is_(True)))
    if user is None:
        _hasher.hash(password)  # same cost whether or not the login exists
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return load_user(session, user.login)


def load_user(session: Session, login: str) -> CurrentUser | None:
    """Re-read a user on every run (so a disabled account or a changed scope takes effect)."""
    user = session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if user is None:
        return None
    return CurrentUser(user.login, user.display_name, user.role, scope_for(session, user.scope_id))
