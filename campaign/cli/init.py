"""`python -m campaign init [--database URL] [--login admin] [--name 显示名] [--password-file F]`.

Creates or migrates the database, then creates the first administrator (role admin, scope
everything) when no active administrator exists: the password is asked twice on a terminal or
read from the first line of ``--password-file``, and must pass ``campaign.passwords.weakness``.
When an administrator exists it only migrates and says so. Exit 0 done, 1 refused (weak
password, passwords differ, login taken: nothing written), 2 no terminal and no password file,
or a password file that cannot be read. Audited as ``user_create`` by ``cli:init``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from campaign.cli._acting import EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE
from campaign.i18n import t

DEFAULT_LOGIN = "admin"
DEFAULT_NAME = "系统管理员"


def both(key: str, **fields: object) -> str:
    """A label in Chinese and English on one line."""
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def register(subparsers: Any) -> None:
    """Add ``init``."""
    parser = subparsers.add_parser("init", help="创建或升级数据库并创建首个管理员 / create or migrate the database and the first administrator")
    parser.add_argument("--database", metavar="URL", help="数据库地址 / database URL (default: DATABASE_URL or data/campaign.db)")
    parser.add_argument("--login", default=DEFAULT_LOGIN, help="管理员登录名 / the administrator's login (default: admin)")
    parser.add_argument("--name", default=DEFAULT_NAME, help="显示名 / display name")
    parser.add_argument("--password-file", type=Path, metavar="F", help="密码文件（第一行） / file holding the password on its first line")
    parser.set_defaults(func=run)


def password_input(path: Path | None) -> tuple[int, str | None]:
    """(exit code, password): the first line of ``path``, else asked twice on a terminal.
    Exit 2 with no terminal or an unreadable file, 1 when the two entries differ."""
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            print(both("init.unreadable", path=path), file=sys.stderr)
            return EXIT_UNREADABLE, None
        lines = text.splitlines()
        return EXIT_OK, (lines[0] if lines else "")
    if not sys.stdin.isatty():
        print(both("init.no_tty"), file=sys.stderr)
        return EXIT_UNREADABLE, None
    first = getpass.getpass(both("init.prompt"))
    second = getpass.getpass(both("init.prompt_again"))
    if first != second:
        print(both("init.mismatch"), file=sys.stderr)
        return EXIT_REFUSED, None
    return EXIT_OK, first


def run(args: argparse.Namespace) -> int:
    """Migrate; create the first administrator unless an active one exists."""
    from campaign.cli._acting import refused
    from campaign.errors import ActionRefused
    from data_access.actions.users import create_first_admin
    from data_access.auth import active_admin_logins
    from data_access.db import get_engine, migrate, read_session, write_session
    from data_access.id_key import IdHashKeyMissing

    try:
        engine = get_engine(args.database) if args.database else get_engine()
    except IdHashKeyMissing as error:
        print(error, file=sys.stderr)
        return EXIT_REFUSED
    migrate(engine)
    print(both("init.migrated"))
    with read_session(engine) as session:
        admins = active_admin_logins(session)
    if admins:
        print(both("init.admin_exists", logins="、".join(admins[:5])))
        return EXIT_OK
    code, password = password_input(args.password_file)
    if password is None:
        return code
    try:
        with write_session(engine) as session:
            done = create_first_admin(session, args.login, args.name, password)
    except ActionRefused as error:
        return refused(error)
    print(both("init.created", login=done.login))
    return EXIT_OK
