"""What the workflow commands share: ``--as LOGIN``, ``--database``, the acting user, exit codes.

Each command acts as a named user with that user's role and scope, exactly as the pages do,
through the same ``data_access.actions`` functions. Exit 0 done, 1 refused or bad input
(nothing written), 2 a file that cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2


def add_common(parser: argparse.ArgumentParser) -> None:
    """``--as LOGIN`` (required) and ``--database URL`` (default: DATABASE_URL or the SQLite file)."""
    parser.add_argument("--as", dest="as_login", required=True, metavar="LOGIN", help="以哪个用户的身份操作 / act as this user")
    parser.add_argument("--database", metavar="URL", help="数据库地址 / database URL (default: DATABASE_URL or data/campaign.db)")


def engine_for(args: argparse.Namespace) -> Any:
    """The engine of ``--database`` (migrated)."""
    from data_access.db import get_engine, migrate

    engine = get_engine(args.database) if args.database else get_engine()
    migrate(engine)
    return engine


def acting_user(engine: Any, login: str) -> Any:
    """The active user ``login`` (role and scope re-read), or None."""
    from data_access.auth import load_user
    from data_access.db import read_session

    with read_session(engine) as session:
        return load_user(session, login)


def refuse(zh: str, en: str) -> int:
    """Print a refusal in Chinese and English on stderr; exit code 1."""
    print(f"{zh} / {en}", file=sys.stderr)
    return EXIT_REFUSED


def refused(error: Any) -> int:
    """An ``ActionRefused`` or ``IngestError`` on stderr in both languages; exit 1 (2 if unreadable)."""
    from campaign.errors import IngestError

    print(f"{error.message('zh')} / {error.message('en')}", file=sys.stderr)
    return EXIT_UNREADABLE if isinstance(error, IngestError) else EXIT_REFUSED


def no_user(login: str) -> int:
    """The ``--as`` login is unknown or disabled."""
    return refuse(f"用户 {login} 不存在或已停用", f"user {login} does not exist or is disabled")


def add_admin_common(parser: argparse.ArgumentParser) -> None:
    """For the setup commands (tree, users, campaigns): ``--as LOGIN`` is optional and defaults
    to the one administrator when there is exactly one (the operator on the server after
    ``python -m campaign init``); ``--database URL`` as everywhere."""
    parser.add_argument("--as", dest="as_login", metavar="LOGIN", help="以哪个管理员的身份操作（只有一个管理员时可省略） / act as this administrator (optional when there is only one)")
    parser.add_argument("--database", metavar="URL", help="数据库地址 / database URL (default: DATABASE_URL or data/campaign.db)")


def acting_admin(engine: Any, login: str | None) -> Any:
    """The acting user of a setup command: ``login`` if given (any role: the action checks
    it), else the sole active administrator; None when there is none or several."""
    from data_access.auth import active_admin_logins
    from data_access.db import read_session

    if login:
        return acting_user(engine, login)
    with read_session(engine) as session:
        admins = active_admin_logins(session, limit=2)
    return acting_user(engine, admins[0]) if len(admins) == 1 else None


def no_admin() -> int:
    """No ``--as`` and not exactly one administrator to default to."""
    return refuse(
        "请用 --as 指定操作的管理员账号（或先运行 python -m campaign init 创建管理员）",
        "name the acting administrator with --as (or run python -m campaign init first)",
    )
