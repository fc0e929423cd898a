"""`python -m campaign review`: approve, return or record paper materials for units' submissions.

    python -m campaign review --as leader1 approve --unit U0001 --unit U0002
    python -m campaign review --as leader1 return --unit U0001 --reason card_unit_name --note "请按层级全称填写"
    python -m campaign review --as leader1 materials --unit U0001 --sheet --unit-form --id-copies 24 --consents 12

Acts as the named user through ``data_access.actions.review`` / ``.materials``; a bulk
approve is all or nothing. Exit 0 done, 1 refused (nothing written).
"""

from __future__ import annotations

import argparse
from typing import Any

from campaign.cli._acting import EXIT_OK, acting_user, add_common, engine_for, no_user, refuse, refused

REASONS = ("sheet_errors", "card_unit_name", "materials_missing", "not_eligible", "other")


def register(subparsers: Any) -> None:
    """Add the ``review`` subcommand with its three actions."""
    parser = subparsers.add_parser("review", help="审核报送 / approve, return, or record paper materials")
    add_common(parser)
    actions = parser.add_subparsers(dest="review_action", required=True, metavar="{approve,return,materials}")
    approve = actions.add_parser("approve", help="审核通过 / approve at the level the submission waits at")
    back = actions.add_parser("return", help="退回 / return to the unit with a reason")
    materials = actions.add_parser("materials", help="登记纸质材料 / record the paper materials received")
    for sub in (approve, back, materials):
        sub.add_argument("--unit", action="append", required=True, metavar="CODE", help="单位编码，可重复 / unit code (repeatable)")
        sub.add_argument("--campaign", type=int, metavar="ID", help="活动编号 / campaign id")
        # --as and --database may also follow the action (they belong to ``review``).
        sub.add_argument("--as", dest="as_login", metavar="LOGIN", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    back.add_argument("--reason", required=True, choices=REASONS, help="退回原因 / reason")
    back.add_argument("--note", help="说明 / note for the unit (required for 'other')")
    materials.add_argument("--sheet", action="store_true", help="已收到盖章个人信息采集表 / stamped personal sheet received")
    materials.add_argument("--unit-form", action="store_true", help="已收到盖章单位信息审核表 / stamped unit form received")
    materials.add_argument("--id-copies", type=int, default=0, metavar="N", help="身份证复印件份数 / ID copies received")
    materials.add_argument("--consents", type=int, default=0, metavar="N", help="签字同意书份数 / signed consents received")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resolve the units to their submissions, act, print what was done."""
    from campaign.errors import ActionRefused
    from data_access.actions.materials import record_materials
    from data_access.actions.review import latest_submission_ids, review, units_by_code
    from data_access.db import read_session, write_session

    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    codes = [code.strip() for code in args.unit]
    with read_session(engine) as session:
        units = units_by_code(session, codes)
        unknown = [code for code in codes if code not in units]
        if unknown:
            return refuse(f"找不到单位编码 {'、'.join(unknown)}", f"no unit with code {', '.join(unknown)}")
        submissions = latest_submission_ids(session, units.values(), args.campaign)
    without = [code for code in codes if units[code] not in submissions]
    if without:
        return refuse(f"单位 {'、'.join(without)} 还没有报送记录", f"unit(s) {', '.join(without)} have not submitted")
    ids = [submissions[units[code]] for code in codes]
    try:
        with write_session(engine) as session:
            if args.review_action == "materials":
                results = [
                    record_materials(session, user, sub_id, sheet=args.sheet, unit_form=args.unit_form,
                                     id_copies=args.id_copies, consents=args.consents)
                    for sub_id in ids
                ]
            else:
                decision = "approved" if args.review_action == "approve" else "returned"
                results = [review(session, user, ids, decision, reason=getattr(args, "reason", None), note=getattr(args, "note", None))]
    except ActionRefused as error:
        return refused(error)
    for result in results:
        print(result.message("zh"))
        print(result.message("en"))
    return EXIT_OK
