"""``python -m campaign cards --as LOGIN {received,handed,delivered,activated} ...``: record card
steps as a named user, from a file (the bank's list, the signed 发放签收表) or per unit."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from campaign.cli._acting import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNREADABLE,
    acting_user,
    add_common,
    engine_for,
    no_user,
    refuse,
    refused,
)

STEPS = {"received": "received_by_district", "handed": "handed_to_unit", "delivered": "delivered", "activated": "activated"}


def register(subparsers: Any) -> None:
    """Add the ``cards`` subcommand."""
    parser = subparsers.add_parser("cards", help="卡片发放登记 / record card steps (received, handed, delivered, activated)")
    add_common(parser)
    parser.add_argument("step", choices=sorted(STEPS), help="received 区工会领卡 / handed 交付单位 / delivered 发放到人 / activated 激活")
    parser.add_argument("--unit", action="append", default=[], metavar="CODE", help="单位代码，可多次 / unit code (repeatable)")
    parser.add_argument("--file", type=Path, help="银行发卡清单、签收表或激活清单 / bank list, signed sheet or activation list")
    parser.add_argument("--handed-to", metavar="NAME", help="单位接收人 / who at the unit received the cards")
    parser.add_argument("--campaign", type=int, help="活动编号（默认最新） / campaign id (default: the latest)")
    parser.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only, write nothing")
    parser.set_defaults(func=run)


def _campaign_id(session: Any, given: int | None) -> int | None:
    from sqlalchemy import func, select

    from data_access.models import Campaign

    return given if given is not None else session.scalar(select(func.max(Campaign.id)))


def _unit_ids(session: Any, codes: list[str]) -> list[int] | str:
    from sqlalchemy import select

    from data_access.models import OrgUnit

    ids: list[int] = []
    for code in codes:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == code, OrgUnit.level == "unit"))
        if unit_id is None:
            return code
        ids.append(unit_id)
    return ids


def _print_import(result: Any) -> None:
    counts = result.counts()
    print(f"行数 lines: {len(result.lines)}  可登记 to record: {result.to_record}  已登记 already: {result.already}  "
          f"不能登记 refused: {result.refused}")
    for status, n in sorted(counts.items()):
        print(f"  {status}: {n}")
    for row in result.lines[~result.lines["status"].isin(("ok", "already"))].head(50).itertuples():
        print(f"  第{row.sheet_row}行 row {row.sheet_row}: {row.name} {row.id_masked} → {row.status}")
    if result.step == "received_by_district" and len(result.received_not_listed):
        print(f"已登记领卡但不在清单上 received but not on the list: {len(result.received_not_listed)}")


def run(args: argparse.Namespace) -> int:
    """Record one card step; 0 done, 1 refused or bad input (nothing written), 2 unreadable file."""
    from campaign.errors import ActionRefused, IngestError
    from data_access.actions import cards
    from data_access.db import read_session, write_session

    step = STEPS[args.step]
    if args.file is None and not args.unit:
        return refuse("请给出 --file 或 --unit", "give --file or --unit")
    if args.file is None and step == "activated":
        return refuse("激活须导入银行的激活清单 --file", "activation needs the bank's list: --file")
    if step == "handed_to_unit" and (args.file is not None or not args.unit or not args.handed_to):
        return refuse("交付单位须给出 --unit 和 --handed-to", "handing cards needs --unit and --handed-to")
    data = b""
    if args.file is not None:
        try:
            data = args.file.read_bytes()
        except OSError as error:
            print(f"无法读取文件 / cannot read file: {args.file} ({error.strerror})", file=sys.stderr)
            return EXIT_UNREADABLE
    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    try:
        with read_session(engine) as session:
            campaign_id = _campaign_id(session, args.campaign)
            units = _unit_ids(session, args.unit)
        if campaign_id is None:
            return refuse("没有活动", "no campaign")
        if isinstance(units, str):
            return refuse(f"找不到单位 {units}", f"no unit with code {units}")
        if args.file is not None:
            preview = {"received_by_district": cards.preview_received, "delivered": cards.preview_delivered,
                       "activated": cards.preview_activated}[step]
            act = {"received_by_district": cards.import_received, "delivered": cards.import_delivered,
                   "activated": cards.import_activated}[step]
            with write_session(engine) as session:
                result = (preview if args.dry_run else act)(session, user, campaign_id, data, args.file.name)
            _print_import(result)
            if result.already_imported:
                print("此文件已导入过，本次未作任何更改 / this file was imported before; nothing changed")
                return EXIT_OK
            if result.refused:
                print("有不能登记的行，未写入任何内容 / some lines were refused; nothing was written")
                return EXIT_REFUSED
            print("预览，未写入 / preview, nothing written" if args.dry_run else f"已登记 recorded: {result.to_record}")
            return EXIT_OK
        if args.dry_run:
            return refuse("--dry-run 只用于导入文件", "--dry-run applies to file imports only")
        with write_session(engine) as session:
            if step == "received_by_district":
                done = cards.record_received(session, user, campaign_id, unit_ids=units)
            elif step == "handed_to_unit":
                recorded = already = 0
                for unit_id in units:
                    r = cards.hand_to_unit(session, user, unit_id, handed_to=args.handed_to, campaign_id=campaign_id)
                    recorded, already = recorded + r.recorded, already + r.already
                done = cards.CardStepResult(step, recorded, already, len(units), r.at)
            else:
                ids = [int(m) for u in units for m in cards.unit_cards(session, user, campaign_id, u, "delivered")["member_id"]]
                if not ids:
                    return refuse("这些单位没有待发放的卡", "no cards waiting to be delivered at these units")
                done = cards.record_delivered(session, user, member_ids=ids)
        print(f"已登记 recorded: {done.recorded}  已在此步 already: {done.already}  单位 units: {done.units}")
        return EXIT_OK
    except IngestError as error:
        refused(error)
        return EXIT_UNREADABLE
    except ActionRefused as error:
        return refused(error)


__all__ = ["register", "run"]
