"""``python -m campaign handoff --as LOGIN OUT.xlsx [--csv OUT.csv]``: hand the delivered cards of
the user's scope not handed off before to the city card system, as a workbook (and CSV)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from campaign.cli._acting import EXIT_OK, acting_user, add_common, engine_for, no_user, refuse, refused


def register(subparsers: Any) -> None:
    """Add the ``handoff`` subcommand."""
    parser = subparsers.add_parser("handoff", help="移交市卡系统 / hand issued cards off to the city card system")
    add_common(parser)
    parser.add_argument("out", type=Path, metavar="OUT.xlsx", help="交接文件 / the workbook to write")
    parser.add_argument("--csv", type=Path, metavar="OUT.csv", help="同时写 CSV / also write a CSV")
    parser.add_argument("--campaign", type=int, help="活动编号（默认最新） / campaign id (default: the latest)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Record one hand-off and write its files; 0 done, 1 refused (nothing new, wrong role)."""
    from sqlalchemy import func, select

    from campaign.errors import ActionRefused
    from data_access.actions.handoff import handoff
    from data_access.db import read_session, write_session
    from data_access.models import Campaign

    for target in (args.out, args.csv):
        if target is not None and not target.parent.exists():
            return refuse(f"目录不存在：{target.parent}", f"no such directory: {target.parent}")
    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    with read_session(engine) as session:
        campaign_id = args.campaign if args.campaign is not None else session.scalar(select(func.max(Campaign.id)))
    if campaign_id is None:
        return refuse("没有活动", "no campaign")
    try:
        with write_session(engine) as session:
            result = handoff(session, user, campaign_id)
            # Written before the commit: a file that cannot be written records no hand-off.
            args.out.write_bytes(result.xlsx)
            if args.csv is not None:
                args.csv.write_bytes(result.csv)
    except ActionRefused as error:
        return refused(error)
    except OSError as error:
        return refuse(f"无法写入文件：{error.strerror}", f"cannot write the file: {error.strerror}")
    print(f"已移交 handed off: {result.members}  交接编号 hand-off #{result.handoff_id}  → {args.out}"
          + (f", {args.csv}" if args.csv else ""))
    return EXIT_OK


__all__ = ["register", "run"]
