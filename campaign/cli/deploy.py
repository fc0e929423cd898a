"""`python -m campaign check-deploy`: refuse a deployment nobody can enter or that holds demo passwords.

``make serve`` runs it first. Exit 0: fit to serve; 1: no active administrator yet (an empty
database: it prints the one command to run, ``python -m campaign init``), an account still
signs in with the demo password, or a shared database has no ID-hash key configured (messages
in Chinese and English on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from campaign.i18n import t

EXIT_OK, EXIT_REFUSED = 0, 1
SHOWN_LOGINS = 10
INIT_COMMAND = "python -m campaign init"


def _has_admin(engine: Any, has_user_table: bool) -> bool:
    """Whether an active administrator exists (someone can sign in and set the rest up)."""
    from data_access.auth import active_admin_logins
    from data_access.db import read_session

    if not has_user_table:
        return False
    with read_session(engine) as session:
        return bool(active_admin_logins(session, limit=1))


def register(subparsers: Any) -> None:
    """Add the ``check-deploy`` subcommand."""
    parser = subparsers.add_parser("check-deploy", help="部署前检查 / check a database is fit to serve")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """An active administrator must exist; no account may sign in with the demo password
    (one argon2 verification each)."""
    from sqlalchemy import inspect

    from campaign.demo import DemoConfig
    from data_access.auth import logins_with_password
    from data_access.db import get_engine, read_session
    from data_access.id_key import IdHashKeyMissing

    try:
        engine = get_engine()
    except IdHashKeyMissing as error:
        print(error, file=sys.stderr)
        return EXIT_REFUSED
    if not _has_admin(engine, inspect(engine).has_table("user")):
        for lang in ("zh", "en"):
            print(t("deploy.no_admin", lang), file=sys.stderr)
        print(INIT_COMMAND)
        return EXIT_REFUSED
    with read_session(engine) as session:
        logins = logins_with_password(session, DemoConfig().password)
    if logins:
        more = len(logins) > SHOWN_LOGINS
        for lang, comma, ellipsis in (("zh", "、", "……"), ("en", ", ", ", ...")):
            shown = comma.join(logins[:SHOWN_LOGINS]) + (ellipsis if more else "")
            print(t("deploy.demo_password", lang, count=len(logins), logins=shown), file=sys.stderr)
        return EXIT_REFUSED
    print(f"{t('deploy.ok', 'zh')} / {t('deploy.ok', 'en')}")
    return EXIT_OK
