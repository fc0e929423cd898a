"""用户管理: accounts, their role and scope, passwords, and ending open sessions.

Who may do what:
- Only an administrator manages accounts (add, import, disable/enable, reset a password, change
  scope or role, end sessions), and only accounts whose scope lies inside the administrator's
  own (an administrator of everything manages all); every user changes their own password.
- The scope a role may hold, by the kind of the node's level (``org_level.kind``):
  admin → everything, or a ``group`` node; district_leader → a ``group`` or ``district`` node;
  liaison → a ``district`` or ``area`` node; unit → a ``unit`` node (a workshop is part of its
  unit's list, not an account of its own). A retired node is no scope.
- The last active administrator of everything cannot be disabled, demoted or re-scoped, and
  nobody disables their own account.
- Passwords follow ``campaign.passwords.weakness``; hashes are argon2 (``hash_password``);
  a generated password is returned once in the result and never stored in clear.
- Disabling, a changed role or scope, a reset or a change of password raise
  ``user.session_version``: an open session holding an older value is signed out on its next
  interaction (``ui.frame``). A reset also clears the sign-in lock.

Every write is audited with the old → new values in ``detail`` (logins, roles and org codes
only: nothing personal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.i18n import t
from campaign.passwords import generate_password, weakness
from campaign.stages import ROLES
from campaign.timeutil import now_utc
from campaign.userlist import UserRow, role_code
from data_access.actions.base import NotAllowed, log_action, require_role
from data_access.auth import CurrentUser, hash_password, hash_password_bulk, password_matches
from data_access.models import Audit, OrgLevel, OrgUnit, User

MANAGING_ROLES = ("admin",)
EVERYTHING = ("", "*", "all", "全部")
# role -> kinds of level its scope may be (None: the whole tree).
SCOPE_KINDS: dict[str, tuple[str | None, ...]] = {
    "admin": (None, "group"),
    "district_leader": ("group", "district"),
    "liaison": ("district", "area"),
    "unit": ("unit",),
}
LOGIN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}")
MAX_NAME = 64
SHOWN_CHOICES = 200


class UsersRefused(ActionRefused):
    """A change to accounts the app refused (nothing written)."""

    key = "users.refuse.generic"


class BadLogin(UsersRefused):
    key = "users.refuse.bad_login"


class DuplicateLogin(UsersRefused):
    key = "users.refuse.duplicate_login"


class UnknownLogin(UsersRefused):
    key = "users.refuse.unknown_login"


class BadRole(UsersRefused):
    key = "users.refuse.bad_role"


class BadName(UsersRefused):
    key = "users.refuse.bad_name"


class UnknownScope(UsersRefused):
    key = "users.refuse.unknown_scope"


class ScopeNotForRole(UsersRefused):
    key = "users.refuse.scope_for_role"


class WeakPassword(UsersRefused):
    key = "users.refuse.weak_password"

    def message(self, lang: str = "zh") -> str:
        return t(self.key, lang, reason=t(str(self.fields.get("rule", "pw.too_short")), lang))


class LastAdmin(UsersRefused):
    key = "users.refuse.last_admin"


class OwnAccount(UsersRefused):
    key = "users.refuse.own_account"


class WrongPassword(UsersRefused):
    key = "users.refuse.wrong_password"


class SamePassword(UsersRefused):
    key = "users.refuse.same_password"


class AdminExists(UsersRefused):
    key = "users.refuse.admin_exists"


@dataclass(frozen=True)
class UserResult:
    """An account after a change: what changed (old → new), its session version, and a
    generated password when one was made (to hand out once; never stored in clear)."""

    login: str
    changed: bool
    detail: str
    session_version: int
    generated_password: str | None = None


@dataclass(frozen=True)
class PlannedUser:
    """A row of a users sheet that would become (or became) an account."""

    sheet_row: int
    login: str
    display_name: str
    role: str
    scope_code: str
    generated: bool


@dataclass(frozen=True)
class RefusedRow:
    """A row of a users sheet the import refuses, and why (a catalogue key and its fields)."""

    sheet_row: int
    login: str
    key: str
    fields: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str = "zh") -> str:
        if self.key == WeakPassword.key:
            return WeakPassword(**self.fields).message(lang)
        return t(self.key, lang, **self.fields)


@dataclass(frozen=True)
class ImportUsersResult:
    """The preview (``dry_run``) or outcome of a users import: all rows added, or none."""

    dry_run: bool
    written: bool
    to_add: tuple[PlannedUser, ...]
    unchanged: tuple[str, ...]
    refused: tuple[RefusedRow, ...]
    passwords: tuple[tuple[str, str, str], ...] = ()  # (login, name, generated password), once

    @property
    def nothing_new(self) -> bool:
        """Every row is already an account exactly as listed (the same file again)."""
        return not self.to_add and not self.refused


# --- reading -----------------------------------------------------------------------------


def _kind_of(session: Session, level: str) -> str | None:
    return session.scalar(select(OrgLevel.kind).where(OrgLevel.code == level))


def scope_code(org: OrgUnit | None) -> str:
    """The code shown for a scope ('*' for everything)."""
    return "*" if org is None else org.code


def list_users(session: Session, user: CurrentUser) -> pd.DataFrame:
    """The accounts an administrator manages: login, display_name, role, scope_code,
    scope_name, active, locked_until (naive UTC, if locked now), failed_logins, created_at,
    last_sign_in (from the audit table). No hashes."""
    require_role(user, MANAGING_ROLES)
    org = aliased(OrgUnit)
    last = (
        select(Audit.user_login, func.max(Audit.at).label("last_sign_in"))
        .where(Audit.action == "sign_in").group_by(Audit.user_login).subquery()
    )
    query = (
        select(
            User.login, User.display_name, User.role, org.code.label("scope_code"), org.name.label("scope_name"),
            org.path, User.active, User.locked_until, User.failed_logins, User.created_at, last.c.last_sign_in,
        )
        .outerjoin(org, org.id == User.scope_id)
        .outerjoin(last, last.c.user_login == User.login)
        .order_by(User.login)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=[
        "login", "display_name", "role", "scope_code", "scope_name", "path", "active", "locked_until",
        "failed_logins", "created_at", "last_sign_in",
    ])
    if not user.scope.is_everything:
        frame = frame[[isinstance(p, str) and user.scope.contains_path(p) for p in frame["path"]]]
    now = now_utc()
    frame["locked_until"] = [v if v is not None and not pd.isna(v) and v > now else None for v in frame["locked_until"]]
    frame["scope_code"] = frame["scope_code"].fillna("*")
    frame["scope_name"] = frame["scope_name"].fillna("")
    return frame.drop(columns=["path"]).reset_index(drop=True)


def scope_choices(session: Session, user: CurrentUser, search: str = "", limit: int = SHOWN_CHOICES) -> pd.DataFrame:
    """Live nodes of the tree inside the administrator's scope whose name or code holds
    ``search``: id, code, name, level, level_name, kind (at most ``limit``, top levels first)."""
    require_role(user, MANAGING_ROLES)
    query = (
        select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgLevel.name, OrgLevel.kind)
        .join(OrgLevel, OrgLevel.code == OrgUnit.level, isouter=True)
        .where(OrgUnit.retired_at.is_(None), user.scope.org_filter(OrgUnit))
    )
    search = search.strip()
    if search:
        query = query.where(OrgUnit.name.contains(search, autoescape=True) | OrgUnit.code.contains(search, autoescape=True))
    query = query.order_by(OrgLevel.rank, OrgUnit.path).limit(limit)
    return pd.DataFrame(session.execute(query).all(), columns=["id", "code", "name", "level", "level_name", "kind"])


# --- checks ------------------------------------------------------------------------------


def _check_login(login: str) -> str:
    login = login.strip()
    if not LOGIN_RE.fullmatch(login):
        raise BadLogin(login=login[:64])
    return login


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME:
        raise BadName(limit=MAX_NAME)
    return name


def _check_role(role: str) -> str:
    code = role_code(role) if role not in ROLES else role
    if code is None:
        raise BadRole(role=role[:32], roles="/".join(ROLES))
    return code


def _check_password(password: str, login: str) -> None:
    rule = weakness(password, login)
    if rule is not None:
        raise WeakPassword(rule=rule)


def _resolve_scope(session: Session, scope: str | int | None) -> OrgUnit | None:
    """The node a scope names (by code, or id), None for everything; refuses unknown or retired."""
    if scope is None or (isinstance(scope, str) and scope.strip().lower() in EVERYTHING):
        return None
    if isinstance(scope, int):
        org = session.get(OrgUnit, scope)
    else:
        org = session.scalar(select(OrgUnit).where(OrgUnit.code == scope.strip()))
    if org is None or org.retired_at is not None:
        raise UnknownScope(scope=str(scope)[:32])
    return org


def _check_scope(session: Session, actor: CurrentUser, role: str, org: OrgUnit | None) -> None:
    """The scope fits the role, and lies inside what the acting administrator manages."""
    kind = None if org is None else _kind_of(session, org.level)
    if (org is not None and kind is None) or kind not in SCOPE_KINDS[role]:
        level = "*" if org is None else org.level
        raise ScopeNotForRole(role=role, level=level, scope=scope_code(org))
    if org is None and not actor.scope.is_everything:
        raise NotAllowed(role=actor.role, allowed=f"scope {actor.scope.cache_key()}")
    if org is not None and not actor.scope.contains_path(org.path):
        raise NotAllowed(role=actor.role, allowed=f"scope {actor.scope.cache_key()}")


def _login_taken(session: Session, login: str) -> bool:
    return session.scalar(select(func.count()).select_from(User).where(func.lower(User.login) == login.lower())) != 0


def _target(session: Session, actor: CurrentUser, login: str) -> User:
    """The account ``login`` (row-locked), if the acting administrator manages it."""
    row = session.scalar(select(User).where(User.login == login.strip()).with_for_update())
    if row is None:
        raise UnknownLogin(login=login.strip()[:64])
    if not actor.scope.is_everything:
        org = session.get(OrgUnit, row.scope_id) if row.scope_id is not None else None
        if org is None or not actor.scope.contains_path(org.path):
            raise NotAllowed(role=actor.role, allowed=f"scope {actor.scope.cache_key()}")
    return row


def _is_full_admin(row: User) -> bool:
    return row.active and row.role == "admin" and row.scope_id is None


def _other_full_admins(session: Session, row: User) -> int:
    return session.scalar(
        select(func.count()).select_from(User)
        .where(User.role == "admin", User.active.is_(True), User.scope_id.is_(None), User.id != row.id)
    ) or 0


def _scope_of_row(session: Session, row: User) -> OrgUnit | None:
    return session.get(OrgUnit, row.scope_id) if row.scope_id is not None else None


def _bump(row: User) -> int:
    row.session_version = (row.session_version or 0) + 1
    return row.session_version


# --- writes ------------------------------------------------------------------------------


def _insert_user(session: Session, login: str, name: str, role: str, org: OrgUnit | None, password: str, at: datetime, by: str) -> None:
    session.add(User(
        login=login, display_name=name, password_hash=hash_password(password), role=role,
        scope_id=None if org is None else org.id, active=True, failed_logins=0, created_at=at,
        created_by=by, password_changed_at=at, session_version=0,
    ))
    session.flush()


def add_user(
    session: Session, user: CurrentUser, login: str, display_name: str, role: str,
    scope_code_or_id: str | int | None, password: str | None, at: datetime | None = None,
) -> UserResult:
    """Open an account; ``password`` None generates one (returned once in the result)."""
    require_role(user, MANAGING_ROLES)
    at = at or now_utc()
    login, name, role = _check_login(login), _check_name(display_name), _check_role(role)
    org = _resolve_scope(session, scope_code_or_id)
    _check_scope(session, user, role, org)
    if _login_taken(session, login):
        raise DuplicateLogin(login=login)
    generated = None
    if password is None or password == "":
        password = generated = generate_password()
    _check_password(password, login)
    _insert_user(session, login, name, role, org, password, at, user.login)
    detail = f"role: {role}; scope: {scope_code(org)}; name set"
    log_action(session, user, "user_create", login, 1, detail)
    return UserResult(login, True, detail, 0, generated)


def create_first_admin(
    session: Session, login: str, display_name: str, password: str, at: datetime | None = None, by: str = "cli:init",
) -> UserResult:
    """The first administrator (scope everything), for ``python -m campaign init``: refused
    while any active administrator exists."""
    at = at or now_utc()
    login, name = _check_login(login), _check_name(display_name)
    if session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))):
        raise AdminExists()
    if _login_taken(session, login):
        raise DuplicateLogin(login=login)
    _check_password(password, login)
    _insert_user(session, login, name, "admin", None, password, at, by)
    detail = "role: admin; scope: *; first administrator"
    log_action(session, by, "user_create", login, 1, detail)
    return UserResult(login, True, detail, 0)


def set_active(session: Session, user: CurrentUser, login: str, active: bool, at: datetime | None = None) -> UserResult:
    """Disable (signs the account out everywhere) or enable an account."""
    require_role(user, MANAGING_ROLES)
    row = _target(session, user, login)
    if row.active == active:
        return UserResult(row.login, False, f"active: {active} (unchanged)", row.session_version)
    if not active:
        if row.login == user.login:
            raise OwnAccount()
        if _is_full_admin(row) and _other_full_admins(session, row) == 0:
            raise LastAdmin(login=row.login)
        _bump(row)
    row.active = active
    detail = f"active: {not active} → {active}"
    log_action(session, user, "user_enable" if active else "user_disable", row.login, 1, detail)
    return UserResult(row.login, True, detail, row.session_version)


def reset_password(
    session: Session, user: CurrentUser, login: str, password: str | None, at: datetime | None = None,
) -> UserResult:
    """Set a new password for an account (None: generate one, returned once); clears the
    sign-in lock and signs the account out everywhere."""
    require_role(user, MANAGING_ROLES)
    at = at or now_utc()
    row = _target(session, user, login)
    generated = None
    if password is None or password == "":
        password = generated = generate_password()
    _check_password(password, row.login)
    was_locked = row.locked_until is not None or (row.failed_logins or 0) > 0
    row.password_hash = hash_password(password)
    row.password_changed_at = at
    row.failed_logins = 0
    row.locked_until = None
    _bump(row)
    detail = "password reset" + ("; lock cleared" if was_locked else "") + ("; generated" if generated else "")
    log_action(session, user, "user_password_reset", row.login, 1, detail)
    return UserResult(row.login, True, detail, row.session_version, generated)


def set_scope(
    session: Session, user: CurrentUser, login: str, scope: str | int | None, role: str | None = None,
    at: datetime | None = None,
) -> UserResult:
    """Move an account to another scope (and role): its open sessions end."""
    require_role(user, MANAGING_ROLES)
    row = _target(session, user, login)
    new_role = row.role if role is None or role == "" else _check_role(role)
    old_org = _scope_of_row(session, row)
    org = _resolve_scope(session, scope)
    _check_scope(session, user, new_role, org)
    if new_role == row.role and (org.id if org else None) == row.scope_id:
        return UserResult(row.login, False, "unchanged", row.session_version)
    if _is_full_admin(row) and _other_full_admins(session, row) == 0:
        raise LastAdmin(login=row.login)
    parts = []
    if new_role != row.role:
        parts.append(f"role: {row.role} → {new_role}")
    if (org.id if org else None) != row.scope_id:
        parts.append(f"scope: {scope_code(old_org)} → {scope_code(org)}")
    row.role, row.scope_id = new_role, (org.id if org else None)
    _bump(row)
    detail = "; ".join(parts)
    log_action(session, user, "user_scope", row.login, 1, detail)
    return UserResult(row.login, True, detail, row.session_version)


def end_sessions(session: Session, user: CurrentUser, login: str, at: datetime | None = None) -> UserResult:
    """Sign an account out of every open session (nothing else changes)."""
    require_role(user, MANAGING_ROLES)
    row = _target(session, user, login)
    old = row.session_version
    _bump(row)
    detail = f"session_version: {old} → {row.session_version}"
    log_action(session, user, "user_sessions_end", row.login, 1, detail)
    return UserResult(row.login, True, detail, row.session_version)


def change_own_password(session: Session, user: CurrentUser, old: str, new: str, at: datetime | None = None) -> UserResult:
    """A signed-in user changes their own password (the old one checked; the same rule);
    their other open sessions end (the caller keeps this one with the returned version)."""
    at = at or now_utc()
    row = session.scalar(select(User).where(User.login == user.login, User.active.is_(True)).with_for_update())
    if row is None:
        raise UnknownLogin(login=user.login)
    if not password_matches(row.password_hash, old):
        raise WrongPassword()
    if new == old:
        raise SamePassword()
    _check_password(new, row.login)
    row.password_hash = hash_password(new)
    row.password_changed_at = at
    _bump(row)
    log_action(session, user, "password_change", row.login, 1, "own password changed")
    return UserResult(row.login, True, "own password changed", row.session_version)


def import_users(
    session: Session, user: CurrentUser, rows: Sequence[UserRow], dry_run: bool, at: datetime | None = None,
) -> ImportUsersResult:
    """Accounts from a users sheet (``campaign.userlist.read_user_list``): every row checked;
    a login that already exists exactly as listed is unchanged, otherwise refused; with any
    refused row nothing is written. Empty passwords are generated and returned once."""
    require_role(user, MANAGING_ROLES)
    at = at or now_utc()
    existing = {
        login.lower(): (login, name, role, code or "*")
        for login, name, role, code in session.execute(
            select(User.login, User.display_name, User.role, OrgUnit.code).outerjoin(OrgUnit, OrgUnit.id == User.scope_id)
        )
    }
    planned: list[tuple[PlannedUser, OrgUnit | None, str]] = []
    unchanged: list[str] = []
    refused: list[RefusedRow] = []
    seen: set[str] = set()
    for row in rows:
        if row.formula:
            refused.append(RefusedRow(row.sheet_row, row.login, "users.refuse.formula"))
            continue
        try:
            login, name, role = _check_login(row.login), _check_name(row.display_name), _check_role(row.role)
            org = _resolve_scope(session, row.scope_code)
            _check_scope(session, user, role, org)
            if login.lower() in seen:
                raise DuplicateLogin(login=login)
            seen.add(login.lower())
            have = existing.get(login.lower())
            if have is not None:
                if have == (login, name, role, scope_code(org)):
                    unchanged.append(login)
                    continue
                raise DuplicateLogin(login=login)
            password = row.password or generate_password()
            _check_password(password, login)
        except ActionRefused as error:
            refused.append(RefusedRow(row.sheet_row, row.login, error.key, dict(error.fields)))
            continue
        planned.append((PlannedUser(row.sheet_row, login, name, role, scope_code(org), not row.password), org, password))
    to_add = tuple(p for p, _, _ in planned)
    passwords = tuple((p.login, p.display_name, pw) for p, _, pw in planned if p.generated)
    if dry_run or refused or not planned:
        return ImportUsersResult(dry_run, False, to_add, tuple(unchanged), tuple(refused))
    session.execute(insert(User), [
        {
            "login": p.login, "display_name": p.display_name, "password_hash": hash_password_bulk(pw), "role": p.role,
            "scope_id": None if org is None else org.id, "active": True, "failed_logins": 0, "created_at": at,
            "created_by": user.login, "password_changed_at": at, "session_version": 0,
        }
        for p, org, pw in planned
    ])
    detail = f"added {len(planned)}, unchanged {len(unchanged)}, generated passwords {len(passwords)}: " + ", ".join(
        f"{p.login}({p.role}@{p.scope_code})" for p in to_add[:50]
    )
    log_action(session, user, "user_import", "users", len(planned), detail[:2000])
    return ImportUsersResult(False, True, to_add, tuple(unchanged), (), passwords)


__all__ = [
    "AdminExists", "BadLogin", "BadName", "BadRole", "DuplicateLogin", "ImportUsersResult", "LastAdmin",
    "OwnAccount", "PlannedUser", "RefusedRow", "SamePassword", "ScopeNotForRole", "UnknownLogin", "UnknownScope",
    "UserResult", "UsersRefused", "WeakPassword", "WrongPassword", "add_user", "change_own_password",
    "create_first_admin", "end_sessions", "import_users", "list_users", "reset_password", "scope_choices",
    "set_active", "set_scope",
]
