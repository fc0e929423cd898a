"""`python -m campaign batch create|file`: make a bank batch of ready members, write its bank file.

    python -m campaign batch create --as LOGIN --district CODE [--area CODE] [--unit CODE ...] --branch NAME
    python -m campaign batch file --as LOGIN REFERENCE OUT.xlsx

Acts as the named user (role and scope re-read); exit 0 done, 1 refused (nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from campaign.cli._acting import EXIT_OK, add_common, engine_for, no_user, refuse, refused
from campaign.i18n import t


def register(subparsers: Any) -> None:
    """Add ``batch create`` and ``batch file``."""
    parser = subparsers.add_parser("batch", help="银行批次 / bank batches")
    commands = parser.add_subparsers(dest="batch_command", required=True, metavar="ACTION")
    create = commands.add_parser("create", help="生成批次 / make a batch of ready members")
    add_common(create)
    create.add_argument("--campaign", type=int, help="活动编号（默认最新）/ campaign id (default: the newest)")
    create.add_argument("--district", required=True, metavar="CODE", help="区工会代码 / district code")
    create.add_argument("--area", metavar="CODE", help="只报该片区 / only this area")
    create.add_argument("--unit", action="append", metavar="CODE", help="只报这些单位（可重复）/ only these units (repeatable)")
    create.add_argument("--branch", required=True, help="开卡银行网点 / bank branch")
    create.set_defaults(func=run_create)
    file = commands.add_parser("file", help="写出银行开卡文件 / write the bank's batch-opening file")
    add_common(file)
    file.add_argument("reference", help="批次编号 / batch reference")
    file.add_argument("out", type=Path, help="输出 .xlsx / output .xlsx")
    file.set_defaults(func=run_file)


def _org_id(session: Any, code: str | None) -> int | None:
    from sqlalchemy import select

    from data_access.models import OrgUnit

    if code is None:
        return None
    return session.scalar(select(OrgUnit.id).where(OrgUnit.code == code))


def latest_campaign(session: Any) -> int | None:
    """The newest campaign's id."""
    from sqlalchemy import select

    from data_access.models import Campaign

    return session.scalar(select(Campaign.id).order_by(Campaign.id.desc()).limit(1))


def run_create(args: argparse.Namespace) -> int:
    """Make the batch; print its reference and counts."""
    from campaign.cli._acting import acting_user
    from campaign.errors import ActionRefused
    from data_access.actions.batch import create_batch
    from data_access.db import write_session

    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    try:
        with write_session(engine) as session:
            campaign_id = args.campaign or latest_campaign(session)
            codes = {"district": args.district, "area": args.area, **{f"unit:{c}": c for c in args.unit or []}}
            ids = {key: _org_id(session, code) for key, code in codes.items() if code}
            for key, org_id in ids.items():
                if org_id is None:
                    return refuse(t("bankwf.cli_unknown_org", "zh", code=codes[key]), t("bankwf.cli_unknown_org", "en", code=codes[key]))
            units = [ids[f"unit:{c}"] for c in args.unit] if args.unit else None
            made = create_batch(session, user, int(campaign_id or 0), district_id=int(ids["district"]), area_id=ids.get("area"),
                                unit_ids=units, branch=args.branch)  # type: ignore[arg-type]
    except ActionRefused as error:
        return refused(error)
    fields = {"reference": made.reference, "members": made.member_count, "units": made.unit_count}
    print(f"{t('bankwf.cli_created', 'zh', **fields)} / {t('bankwf.cli_created', 'en', **fields)}")
    return EXIT_OK


def run_file(args: argparse.Namespace) -> int:
    """Write the batch's workbook (full-PII roles only; audited)."""
    from campaign.cli._acting import acting_user
    from campaign.errors import ActionRefused
    from data_access.actions.batch import batch_by_reference, batch_file
    from data_access.db import write_session

    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    try:
        with write_session(engine) as session:
            batch = batch_by_reference(session, user, args.reference)
            file = batch_file(session, user, batch.id)
            args.out.write_bytes(file.data)
    except ActionRefused as error:
        return refused(error)
    fields = {"path": args.out, "rows": file.rows, "units": file.units}
    print(f"{t('bankwf.cli_file', 'zh', **fields)} / {t('bankwf.cli_file', 'en', **fields)}")
    return EXIT_OK
