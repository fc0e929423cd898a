"""`python -m campaign submit`: a unit submits its current clean list with the unit form.

    python -m campaign submit --as unit1 --unit U0001 --filler 王芳 --filler-phone 13812345678 \
        --consents-collected [--campaign ID] [--form FORM.xlsx] [--database URL]

Acts as the named user (a unit clerk for their own unit, or an administrator) through
``data_access.actions.submit.submit_list``. Exit 0 submitted, 1 refused (nothing written).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from campaign.cli._acting import EXIT_OK, acting_user, add_common, engine_for, no_user, refuse, refused


def register(subparsers: Any) -> None:
    """Add the ``submit`` subcommand."""
    parser = subparsers.add_parser("submit", help="提交报送 / submit a unit's clean list for review")
    add_common(parser)
    parser.add_argument("--unit", required=True, metavar="CODE", help="单位编码 / unit code")
    parser.add_argument("--filler", required=True, metavar="NAME", help="填表人 / who filled in the unit form")
    parser.add_argument("--filler-phone", required=True, metavar="PHONE", help="填表人手机 / the filler's mobile")
    parser.add_argument(
        "--consents-collected", action="store_true",
        help="确认已收集签字同意书和身份证复印件 / confirm consents and ID copies were collected",
    )
    parser.add_argument("--campaign", type=int, metavar="ID", help="活动编号 / campaign id (default: the newest covering the unit)")
    parser.add_argument("--form", type=Path, metavar="FILE.xlsx", help="同时写出单位信息审核表 / also write the printable unit form")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Submit, print what was recorded (Chinese, then English)."""
    from campaign.errors import ActionRefused
    from campaign.reports.unit_form import unit_form_bytes
    from campaign.timeutil import now_utc
    from data_access.actions.review import units_by_code
    from data_access.actions.submit import submit_list, unit_form_data
    from data_access.audit import log_export
    from data_access.db import read_session, write_session

    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    with read_session(engine) as session:
        unit_id = units_by_code(session, [args.unit]).get(args.unit.strip())
    if unit_id is None:
        return refuse(f"找不到单位编码 {args.unit}", f"no unit with code {args.unit}")
    try:
        with write_session(engine) as session:
            result = submit_list(
                session, user, unit_id, filler_name=args.filler, filler_phone=args.filler_phone,
                consents_confirmed=bool(args.consents_collected), campaign_id=args.campaign,
            )
    except ActionRefused as error:
        return refused(error)
    print(result.message("zh"))
    print(result.message("en"))
    if args.form is not None:
        with read_session(engine) as session:
            form = unit_form_data(session, user.scope, result_campaign(engine, result.submission_id), unit_id, now=now_utc())
        if form is not None:
            args.form.write_bytes(unit_form_bytes(form))
            with write_session(engine) as session:
                log_export(session, user.login, f"unit-form:{args.unit}", 1, f"cli submission={result.submission_id}")
            print(f"单位信息审核表已写出 / unit form written: {args.form}")
    return EXIT_OK


def result_campaign(engine: Any, submission_id: int) -> int:
    """The campaign of a submission."""
    from data_access.db import read_session
    from data_access.models import Submission

    with read_session(engine) as session:
        submission = session.get(Submission, submission_id)
        assert submission is not None
        return submission.campaign_id
