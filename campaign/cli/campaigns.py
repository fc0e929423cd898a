"""`python -m campaign campaign`: create and configure campaigns, their deadlines and extensions.

    python -m campaign campaign create --name 2026年会员服务卡 --reference-date 2026-09-30 --root N01 --review-levels district,new_area
    python -m campaign campaign list [--json]
    python -m campaign campaign set 1 --shared-phone error --activation-date 2027-01-01
    python -m campaign campaign deadline 1 --milestone unit_submission --level district --due "2026-10-28 12:00"
    python -m campaign campaign extend 1 --unit U0001 --milestone unit_submission --due "2026-10-31 12:00" --reason 单位停电
    python -m campaign campaign revoke 1 --unit U0001 --milestone unit_submission
    python -m campaign campaign deadlines 1 [--json] [--history]

Times are entered and printed in Beijing time (Asia/Shanghai). ``--as`` is optional: without
it the command acts as the one administrator. Acts through ``data_access.actions.campaigns``.
Exit 0 done, 1 refused or bad input (nothing written).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from typing import Any

from campaign.cli._acting import EXIT_OK, acting_admin, add_admin_common, engine_for, no_admin, no_user, refuse, refused
from campaign.stages import MILESTONES

NONE_WORDS = ("", "none", "无", "-")


def _shared(sub: argparse.ArgumentParser) -> None:
    # --as and --database may also follow the action (they belong to ``campaign``).
    sub.add_argument("--as", dest="as_login", metavar="LOGIN", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub.add_argument("--database", metavar="URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def register(subparsers: Any) -> None:
    """Add the ``campaign`` subcommand and its actions."""
    parser = subparsers.add_parser("campaign", help="活动设置：创建活动、截止时间、延期 / campaigns, deadlines, extensions")
    add_admin_common(parser)
    actions = parser.add_subparsers(dest="campaign_action", required=True,
                                    metavar="{create,list,set,deadline,extend,revoke,deadlines}")
    create = actions.add_parser("create", help="新建活动 / create a campaign (prints its id)")
    create.add_argument("--name", required=True, help="活动名称 / name")
    create.add_argument("--reference-date", required=True, metavar="YYYY-MM-DD", help="年龄计算基准日 / reference date")
    create.add_argument("--root", required=True, metavar="ORG_CODE", help="活动范围的根节点编码 / code of the campaign's root org unit")
    listing = actions.add_parser("list", help="列出活动 / list campaigns")
    listing.add_argument("--json", action="store_true", help="JSON 输出 / print JSON")
    change = actions.add_parser("set", help="修改活动设置 / change a campaign's settings")
    change.add_argument("campaign_id", type=int, metavar="ID")
    change.add_argument("--name", help="活动名称 / name")
    change.add_argument("--reference-date", metavar="YYYY-MM-DD", help="年龄计算基准日 / reference date")
    for sub in (create, change):
        sub.add_argument("--retirement-rules", metavar="RULES", help="退休规则 2014|2025 / retirement rule set")
        sub.add_argument("--shared-phone", choices=("warning", "error"), help="多人共用手机号 / shared-phone severity")
        sub.add_argument("--activation-date", metavar="YYYY-MM-DD", help="激活日期（none 清空） / activation date (none clears)")
        sub.add_argument("--review-levels", metavar="L1,L2", help="审核链，从基层往上 / review chain from the units upwards")
    deadline = actions.add_parser("deadline", help="设定截止时间 / set a deadline")
    deadline.add_argument("campaign_id", type=int, metavar="ID")
    target = deadline.add_mutually_exclusive_group(required=True)
    target.add_argument("--level", help="某一层级的所有单位 / every node of a level")
    target.add_argument("--org", metavar="CODE", help="某一个单位（任何层级） / one org unit (any level)")
    target.add_argument("--all", action="store_true", help="全活动 / the whole campaign")
    deadline.add_argument("--note", help="说明 / note")
    extend = actions.add_parser("extend", help="给单位延期 / extend one unit's deadline")
    extend.add_argument("campaign_id", type=int, metavar="ID")
    extend.add_argument("--unit", required=True, metavar="CODE", help="单位编码 / unit code")
    extend.add_argument("--reason", required=True, help="延期原因 / reason")
    revoke = actions.add_parser("revoke", help="撤销单位延期 / revoke a unit's extension")
    revoke.add_argument("campaign_id", type=int, metavar="ID")
    revoke.add_argument("--unit", required=True, metavar="CODE", help="单位编码 / unit code")
    for sub in (deadline, extend, revoke):
        sub.add_argument("--milestone", required=True, choices=MILESTONES, help="节点 / milestone")
    for sub in (deadline, extend):
        sub.add_argument("--due", required=True, metavar='"YYYY-MM-DD HH:MM"', help="截止时间（北京时间） / due time (Beijing time)")
    shown = actions.add_parser("deadlines", help="列出截止时间和延期 / list deadlines and extensions")
    shown.add_argument("campaign_id", type=int, metavar="ID")
    shown.add_argument("--json", action="store_true", help="JSON 输出 / print JSON")
    shown.add_argument("--history", action="store_true", help="只列已作废的 / list the superseded rows instead")
    for sub in (create, listing, change, deadline, extend, revoke, shown):
        _shared(sub)
    parser.set_defaults(func=run)


class BadInput(ValueError):
    """An argument that does not parse; (zh, en) message."""


def _date(value: str | None, what: str) -> date | None:
    if value is None or value.strip().lower() in NONE_WORDS:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadInput(f"{what} 要写成 YYYY-MM-DD：{value}", f"{what} must be YYYY-MM-DD: {value}") from None


def _due(value: str) -> datetime:
    from campaign.timeutil import local_to_utc

    text = value.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
        try:
            return local_to_utc(datetime.strptime(text, fmt))
        except ValueError:
            continue
    raise BadInput(f'截止时间要写成 "YYYY-MM-DD HH:MM"（北京时间）：{value}', f'the due time must be "YYYY-MM-DD HH:MM" (Beijing time): {value}')


def _settings(args: argparse.Namespace) -> dict[str, object]:
    changes: dict[str, object] = {}
    if getattr(args, "name", None) is not None:
        changes["name"] = args.name
    if getattr(args, "reference_date", None) is not None:
        changes["reference_date"] = _date(args.reference_date, "--reference-date")
    if args.retirement_rules is not None:
        changes["retirement_rules"] = args.retirement_rules
    if args.shared_phone is not None:
        changes["shared_phone_severity"] = args.shared_phone
    if args.activation_date is not None:
        changes["activation_date"] = _date(args.activation_date, "--activation-date")
    if args.review_levels is not None:
        changes["review_levels"] = args.review_levels
    return changes


def _print_list(frame: Any, as_json: bool, kind: str) -> None:
    from campaign.timeutil import format_local

    def plain(value: object) -> object:
        if value is None or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, datetime):
            return format_local(value)
        if isinstance(value, date):
            return value.isoformat()
        if hasattr(value, "item"):
            return value.item()  # numpy scalar
        return value

    records = [{key: plain(value) for key, value in row.items()} for row in frame.astype(object).to_dict("records")]
    if as_json:
        print(json.dumps(records, ensure_ascii=False, indent=1))
        return
    if kind == "campaigns":
        for row in records:
            print(f"{row['id']}\t{row['name']}\t{row['reference_date']}\t{row['root_code']} {row['root_name']}\t"
                  f"{row['review_levels']}\t{row['retirement_rules']}\t{row['shared_phone_severity']}\t{row['activation_date'] or '-'}")
        return
    for row in records:
        applies = row["org_code"] and f"{row['org_code']} {row['org_name']}" or (f"level={row['level']}" if row["level"] else "*")
        kind_label = "extension" if row["is_extension"] else "deadline"
        line = f"{row['milestone']}\t{kind_label}\t{applies}\t{row['due_at']}\t{row['note'] or ''}\t{row['set_by'] or ''} {row['set_at'] or ''}"
        if row.get("superseded_at"):
            line += f"\tsuperseded {row['superseded_at']}"
        print(line)


def run(args: argparse.Namespace) -> int:
    """Resolve the acting administrator, act or list, print the outcome."""
    from campaign.errors import ActionRefused
    from data_access.actions import campaigns as acts
    from data_access.db import read_session, write_session

    engine = engine_for(args)
    action = args.campaign_action
    if action in ("list", "deadlines"):
        with read_session(engine) as session:
            if action == "list":
                _print_list(acts.campaign_table(session), args.json, "campaigns")
            else:
                if session.get(acts.Campaign, args.campaign_id) is None:
                    return refuse(f"没有编号为 {args.campaign_id} 的活动", f"no campaign with id {args.campaign_id}")
                _print_list(acts.deadline_table(session, args.campaign_id, superseded=args.history), args.json, "deadlines")
        return EXIT_OK
    user = acting_admin(engine, args.as_login)
    if user is None:
        return no_user(args.as_login) if args.as_login else no_admin()
    try:
        with write_session(engine) as session:
            if action == "create":
                extra = {key: value for key, value in _settings(args).items() if key not in ("name", "reference_date")}
                reference = _date(args.reference_date, "--reference-date")
                if reference is None:
                    raise BadInput("要给出 --reference-date YYYY-MM-DD", "--reference-date YYYY-MM-DD is required")
                result: Any = acts.create_campaign(session, user, args.name, reference, args.root, **extra)  # type: ignore[arg-type]
            elif action == "set":
                result = acts.update_campaign(session, user, args.campaign_id, **_settings(args))
            elif action == "deadline":
                result = acts.set_deadline(session, user, args.campaign_id, args.milestone, _due(args.due),
                                           level=args.level, org_code=args.org, note=args.note)
            elif action == "extend":
                result = acts.grant_extension(session, user, args.campaign_id, args.unit, args.milestone, _due(args.due), args.reason)
            else:
                result = acts.revoke_extension(session, user, args.campaign_id, args.unit, args.milestone)
    except BadInput as error:
        return refuse(*error.args)
    except ActionRefused as error:
        return refused(error)
    if action == "create":
        print(result.campaign_id)
        print(f"{result.message('zh')} / {result.message('en')}", file=sys.stderr)
        return EXIT_OK
    print(result.message("zh"))
    print(result.message("en"))
    return EXIT_OK
