"""`python -m campaign check-deploy`: refuse a deployment that still holds demo passwords.

``make serve`` runs it first. Exit 0: fit to serve; 1: an account still signs in with the
demo password, or a shared database has no ID-hash key configured (message in Chinese and
English on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from campaign.i18n import t

EXIT_OK, EXIT_REFUSED = 0, 1
SHOWN_LOGINS = 10


def register(subparsers: Any) -> None:
    """Add the ``check-deploy`` subcommand."""
    parser = subparsers.add_parser("check-deploy", help="部署前检查 / check a database is fit to serve")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check every account against the demo password (one argon2 verification each)."""
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
    if inspect(engine).has_table("user"):
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
