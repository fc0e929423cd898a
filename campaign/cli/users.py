"""`python -m campaign users add|list|disable|enable|reset|scope|sessions|import`: accounts.

    users add LOGIN --role R --scope UNIT_CODE [--name N] [--password-file F | --generate]
    users list [--json]
    users disable LOGIN | enable LOGIN | sessions LOGIN (sign out everywhere)
    users reset LOGIN [--password-file F | --generate]
    users scope LOGIN UNIT_CODE [--role R]
    users import FILE [--dry-run]

Every subcommand takes ``--as LOGIN`` (optional: the sole administrator) and ``--database``,
and runs the same actions as the users page (``data_access.actions.users``). Passwords come
from the first line of ``--password-file``, are asked twice on a terminal, or (``--generate``)
are made and printed once. ``--scope *`` is the whole tree (administrators). Exit 0 done, 1
refused (nothing written), 2 a file that cannot be read or no terminal to ask on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from campaign.cli._acting import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNREADABLE,
    acting_admin,
    add_admin_common,
    engine_for,
    no_admin,
    refused,
)
from campaign.cli.init import both, password_input
from campaign.stages import ROLES


def register(subparsers: Any) -> None:
    """Add ``users`` and its subcommands."""
    parser = subparsers.add_parser("users", help="用户管理 / manage accounts")
    sub = parser.add_subparsers(dest="users_command", required=True, metavar="SUBCOMMAND")

    add = sub.add_parser("add", help="添加用户 / add an account")
    add.add_argument("login")
    add.add_argument("--role", required=True, help="/".join(ROLES))
    add.add_argument("--scope", required=True, metavar="UNIT_CODE", help="管理范围单位编码（* 为全部） / scope org code (* = everything)")
    add.add_argument("--name", help="显示名（默认同登录名） / display name (default: the login)")
    _password_options(add)
    add.set_defaults(func=run_add)

    listing = sub.add_parser("list", help="列出用户 / list accounts")
    listing.add_argument("--json", action="store_true", help="JSON 输出 / print JSON")
    listing.set_defaults(func=run_list)

    for name, helptext, func in (
        ("disable", "停用账号 / disable an account", run_disable),
        ("enable", "启用账号 / enable an account", run_enable),
        ("sessions", "强制下线 / sign an account out everywhere", run_sessions),
    ):
        one = sub.add_parser(name, help=helptext)
        one.add_argument("login")
        one.set_defaults(func=func)

    reset = sub.add_parser("reset", help="重置密码 / reset a password (clears the lock)")
    reset.add_argument("login")
    _password_options(reset)
    reset.set_defaults(func=run_reset)

    scope = sub.add_parser("scope", help="修改管理范围/角色 / change scope (and role)")
    scope.add_argument("login")
    scope.add_argument("scope", metavar="UNIT_CODE")
    scope.add_argument("--role", help="/".join(ROLES))
    scope.set_defaults(func=run_scope)

    imp = sub.add_parser("import", help="从用户表导入 / import accounts from a users sheet")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only, write nothing")
    imp.set_defaults(func=run_import)

    for each in (add, listing, reset, scope, imp, *(sub.choices[n] for n in ("disable", "enable", "sessions"))):
        add_admin_common(each)


def _password_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--password-file", type=Path, metavar="F", help="密码文件（第一行） / password on the file's first line")
    group.add_argument("--generate", action="store_true", help="生成密码并显示一次 / generate a password and print it once")


def _acting(args: argparse.Namespace) -> tuple[Any, Any]:
    engine = engine_for(args)
    return engine, acting_admin(engine, args.as_login)


def _write(engine: Any, act: Any, *params: Any) -> tuple[int, Any]:
    from campaign.errors import ActionRefused
    from data_access.db import write_session

    try:
        with write_session(engine) as session:
            return EXIT_OK, act(session, *params)
    except ActionRefused as error:
        return refused(error), None


def _password(args: argparse.Namespace) -> tuple[int, str | None]:
    """The password to set: '' when it is to be generated."""
    if args.generate:
        return EXIT_OK, ""
    return password_input(args.password_file)


def _report(done: Any) -> int:
    print(f"{done.login}: {done.detail}")
    if done.generated_password:
        print(f"初始密码（只显示这一次） / password (shown once): {done.generated_password}")
    return EXIT_OK


def run_add(args: argparse.Namespace) -> int:
    from data_access.actions.users import add_user

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, password = _password(args)
    if password is None:
        return code
    code, done = _write(engine, add_user, user, args.login, args.name or args.login, args.role, args.scope, password or None)
    return code if done is None else _report(done)


def run_list(args: argparse.Namespace) -> int:
    from campaign.errors import ActionRefused
    from data_access.actions.users import list_users
    from data_access.db import read_session

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    try:
        with read_session(engine) as session:
            table = list_users(session, user)
    except ActionRefused as error:
        return refused(error)
    rows = [
        {
            "login": r.login, "display_name": r.display_name, "role": r.role, "scope_code": r.scope_code,
            "scope_name": r.scope_name, "active": bool(r.active),
            "locked_until": None if r.locked_until is None else r.locked_until.isoformat() + "Z",
        }
        for r in table.itertuples()
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return EXIT_OK
    for row in rows:
        state = "active" if row["active"] else "disabled"
        locked = f"\tlocked until {row['locked_until']}" if row["locked_until"] else ""
        print(f"{row['login']}\t{row['display_name']}\t{row['role']}\t{row['scope_code']}\t{row['scope_name']}\t{state}{locked}")
    return EXIT_OK


def _set_active(args: argparse.Namespace, active: bool) -> int:
    from data_access.actions.users import set_active

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, done = _write(engine, set_active, user, args.login, active)
    return code if done is None else _report(done)


def run_disable(args: argparse.Namespace) -> int:
    return _set_active(args, False)


def run_enable(args: argparse.Namespace) -> int:
    return _set_active(args, True)


def run_sessions(args: argparse.Namespace) -> int:
    from data_access.actions.users import end_sessions

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, done = _write(engine, end_sessions, user, args.login)
    return code if done is None else _report(done)


def run_reset(args: argparse.Namespace) -> int:
    from data_access.actions.users import reset_password

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, password = _password(args)
    if password is None:
        return code
    code, done = _write(engine, reset_password, user, args.login, password or None)
    return code if done is None else _report(done)


def run_scope(args: argparse.Namespace) -> int:
    from data_access.actions.users import set_scope

    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, done = _write(engine, set_scope, user, args.login, args.scope, args.role)
    return code if done is None else _report(done)


def run_import(args: argparse.Namespace) -> int:
    """Preview; import unless --dry-run or refused rows; print generated passwords once."""
    from campaign.errors import IngestError
    from campaign.sheets.isolated import read_untrusted
    from campaign.userlist import read_user_list
    from data_access.actions.users import import_users

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"无法读取文件 / cannot read the file: {type(error).__name__}", file=sys.stderr)
        return EXIT_UNREADABLE
    try:
        rows = read_untrusted(read_user_list, data, args.file.name)
    except IngestError as error:
        return refused(error)
    engine, user = _acting(args)
    if user is None:
        return no_admin()
    code, result = _write(engine, import_users, user, rows, args.dry_run)
    if result is None:
        return code
    for row in result.refused:
        print(f"{row.sheet_row}\t{row.login}\t{row.message('zh')} / {row.message('en')}")
    if result.nothing_new:
        print(both("users.nothing_new"))
        return EXIT_OK
    print(both("users.preview_counts", add=len(result.to_add), unchanged=len(result.unchanged), refused=len(result.refused)))
    if result.refused:
        return EXIT_REFUSED
    if result.written:
        print(both("users.imported", count=len(result.to_add)))
        for login, name, password in result.passwords:
            print(f"{login}\t{name}\t{password}")
    return EXIT_OK
