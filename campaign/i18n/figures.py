"""Labels of the figures a leader acts on: countdowns, milestones, the on-time rate's formula,
at-risk states and the one-unit overview."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {
    # --- countdown (campaign/countdown.py) ---------------------------------------------------
    "cd.left_days": ("还剩 {days} 天", "{days} days left"),
    "cd.left_days_hours": ("还剩 {days} 天 {hours} 小时", "{days} d {hours} h left"),
    "cd.left_hours": ("还剩 {hours} 小时", "{hours} h left"),
    "cd.left_under_hour": ("还剩不到 1 小时", "under an hour left"),
    "cd.over_days": ("已超期 {days} 天", "{days} days overdue"),
    "cd.over_days_hours": ("已超期 {days} 天 {hours} 小时", "{days} d {hours} h overdue"),
    "cd.over_hours": ("已超期 {hours} 小时", "{hours} h overdue"),
    "cd.over_under_hour": ("已超期不到 1 小时", "overdue by under an hour"),
    "cd.done": ("已完成", "done"),
    "cd.submitted": ("已报送", "submitted"),
    "cd.approved": ("已审核通过", "approved"),
    "cd.no_deadline": ("未设截止时间", "no deadline set"),
    # --- milestones ------------------------------------------------------------------------
    "ms.unit_submission": ("单位报送", "Unit submission"),
    "ms.district_review": ("区级审核", "District review"),
    "ms.bank_batch": ("报送银行", "Bank batches"),
    "ms.distribution": ("卡片发放", "Card distribution"),
    "ms.title": ("各环节截止时间与进度", "Every milestone: deadline, countdown and pace"),
    "ms.caption": (
        "每个环节取范围内多数单位适用的截止时间（延期单位另计）；进度预测按最近 {window} 天的速度推算到截止时间。",
        "Each milestone's deadline is the one most units in scope have (extensions aside); the "
        "projection carries the last {window} days' pace to the deadline.",
    ),
    "ms.due": ("截止：{when}", "Due {when}"),
    "ms.due_range": ("截止：{first} 至 {last}（含延期）", "Due {first} to {last} (extensions included)"),
    "ms.done_of.units": ("{done} / {total} 家单位", "{done} / {total} units"),
    "ms.done_of.members": ("{done} / {total} 人", "{done} / {total} members"),
    "ms.measure.unit_submission": ("已报送（待审核或已通过）的单位", "Units submitted (awaiting review or approved)"),
    "ms.measure.district_review": ("审核通过的单位", "Units approved"),
    "ms.measure.bank_batch": ("已报送银行的会员 / 审核通过的会员", "Members sent to the bank / members approved"),
    "ms.measure.distribution": ("已发到会员手中的卡 / 已制成的卡", "Cards delivered / cards produced"),
    "ms.pace": (
        "近 {window} 天完成 {recent}，按此速度截止时可达 {projected}（{rate}）。",
        "{recent} in the last {window} days; at this pace {projected} ({rate}) by the deadline.",
    ),
    "ms.finishes": ("预计 {day} 全部完成。", "All done by {day} at this pace."),
    "ms.stalled": ("近 {window} 天没有进展，按此速度无法完成。", "Nothing in the last {window} days: at this pace it never finishes."),
    "ms.nothing_yet": ("尚无可计的对象。", "Nothing to count yet."),
    "ms.all_done": ("已全部完成。", "All done."),
    "ms.overdue_units": ("{n} 家单位已过本环节截止时间仍未完成。", "{n} units are past this deadline without it done."),
    # --- on-time rate --------------------------------------------------------------------
    "ontime.help": (
        "按时报送率（与 DHIS2 的按时报送率同义）= 截止时间已过的单位中，在截止时间前报送且未被退回的单位数 ÷ 截止时间已过的单位数。"
        "截止时间未到的单位不计入分母，另行列出。",
        "On-time rate (as DHIS2 defines it) = among units whose deadline has passed, those that "
        "submitted by it and were not returned ÷ units whose deadline has passed. Units not yet due "
        "are left out and shown beside it.",
    ),
    "ontime.value": ("按时 {on_time} / 截止已过 {due} 家；", "{on_time} on time of {due} due; "),
    "ontime.not_due": ("另有 {n} 家截止时间未到，不计入", "{n} more not yet due, not counted"),
    "ontime.all_due": ("各单位截止时间均已过", "every unit is past its deadline"),
    "ontime.none_due": ("尚无单位到截止时间", "No unit is due yet"),
    # --- statuses and at risk ----------------------------------------------------------------
    "risk.help": (
        "截止时间在 {days} 天内、尚未报送的单位（含被退回待重报），按状态分列：{split}",
        "Not submitted (returned included) with the deadline within {days} days, by state: {split}",
    ),
    "risk.split_item": ("{status} {n}", "{status} {n}"),
    "late.help": (
        "截止时间已过、从未报送的单位（未上传、有错误、校验通过未报送）；被退回的单位单列为“被退回”。",
        "Deadline passed and never submitted (not started, errors, clean not submitted); returned units are counted as returned.",
    ),
    "sub.returned": ("被退回", "Returned"),
    "sub.col.countdown": ("截止倒计时", "Countdown"),
    "sub.on_time_rate": ("按时报送率", "On-time rate"),
    "sub.state_returned": ("被退回，{countdown}", "returned, {countdown}"),
    "sub.state_due": ("{status}，{countdown}", "{status}, {countdown}"),
    "status.help": (
        "每家单位只处于一个状态：{parts}，合计 {units} 家。",
        "Each unit is in exactly one status: {parts}; {units} in all.",
    ),
    # --- one unit --------------------------------------------------------------------------
    "unitview.status": ("当前状态", "Status"),
    "unitview.deadlines": ("各环节截止时间", "Deadlines"),
    "unitview.members": ("会员办卡进度（人）", "Members by stage"),
    "unitview.timeline": ("查看本单位时间线", "Open the unit's timeline"),
    "unitview.submitted_at": ("首次报送：{when}", "First submitted: {when}"),
    "unitview.expected": ("应办卡 {n} 人", "{n} members expected"),
    "unitview.open_errors": ("未解决校验错误 {n} 条", "{n} open validation errors"),
    "unitview.no_members": ("尚无会员名单。", "No member list yet."),
    "unitview.col.milestone": ("环节", "Milestone"),
    "unitview.col.due": ("截止时间", "Due"),
    "unitview.col.countdown": ("倒计时", "Countdown"),
    # --- overview charts ---------------------------------------------------------------------
    "overview.funnel_empty": ("还没有会员进入办卡流程。", "No member has entered the card process yet."),
    "overview.deadline_many": ("截止 {day}（{n}）", "Due {day} ({n})"),
    "overview.deadline_one": ("截止 {day}", "Due {day}"),
    "overview.today": ("截至 {day}", "As of {day}"),
    "overview.zero_hint": ("进度为 0 的也可点击（柱条保留最小宽度）；点击单位查看该单位详情。", "Bars at zero keep a minimum width and can be clicked too; a unit's bar opens that unit."),
    # --- report cover and bulletin: statuses add up to units ------------------------------------
    "fig.status_not_started": ("其中：未上传", "of which: not started"),
    "fig.status_errors": ("其中：已上传有错误", "of which: uploaded, with errors"),
    "fig.status_clean": ("其中：校验通过未报送", "of which: clean, not submitted"),
    "fig.status_submitted": ("其中：已报送待审核", "of which: submitted, awaiting review"),
    "fig.status_returned": ("其中：被退回", "of which: returned"),
    "fig.status_approved": ("其中：审核通过", "of which: approved"),
    "fig.units_due": ("截止时间已过的单位", "Units past their deadline"),
    "fig.units_not_due": ("截止时间未到的单位", "Units not yet due"),
    "fig.units_on_time": ("按时报送单位（截止前报送且未被退回）", "Units on time (submitted by the deadline, not returned)"),
    "fig.units_at_risk": ("临近截止未报送单位（3天内）", "Units at risk (due within 3 days)"),
    "bul.lead": (
        "截至{date}，{scope}共有{units}家基层单位，已报送（待审核或审核通过）{submitted}家，报送率{rate}；已校验会员{validated}人，覆盖率{coverage}。",
        "As of {date}, {scope} has {units} units; {submitted} have submitted (awaiting review or approved), {rate}; "
        "{validated} members validated, coverage {coverage}.",
    ),
    "bul.statuses": ("按状态分：{parts}，合计{units}家。", "By status: {parts}; {units} in all."),
    "bul.status_part": ("{status}{n}家", "{status} {n}"),
    "bul.on_time": (
        "截止时间已过的{due}家单位中，按时报送且未被退回{on_time}家，按时报送率{rate}；另有{not_due}家截止时间未到，不计入。",
        "Of the {due} units past their deadline, {on_time} submitted on time and were not returned ({rate}); "
        "{not_due} are not yet due and not counted.",
    ),
    "bul.none_due": ("各单位截止时间均未到，暂不计按时报送率。", "No unit is past its deadline yet: no on-time rate so far."),
    "bul.late": ("截止时间已过仍未报送的单位{late}家，请相关{level}督促落实。",
                 "{late} units are past their deadline without submitting; the {level} concerned should follow up."),
    "bul.no_late": ("目前没有截止时间已过仍未报送的单位。", "No unit is past its deadline without submitting."),
    "bul.returned": ("被退回待重报{n}家。", "{n} returned units are to resubmit."),
}
