"""Ready-to-copy reminder messages a liaison sends to a late or at-risk unit (Chinese first)."""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import MISSING, dataclass, field, fields
from datetime import date, datetime
from typing import Any

from campaign.distinct import per_key, per_value_of
from campaign.i18n import t
from campaign.stages import SUBMITTED_STATUSES

PAPER_MATERIALS = ("sheet", "unit_form", "id_copies", "consents")


@dataclass(frozen=True)
class ReminderFacts:
    """What the message needs to know about one unit; times are Asia/Shanghai wall-clock."""

    unit_name: str
    status: str
    now: datetime
    due_at: datetime | None = None
    contact_name: str | None = None
    area_name: str | None = None
    liaison_name: str | None = None
    liaison_phone: str | None = None
    open_errors: int = 0
    missing_materials: tuple[str, ...] = field(default_factory=tuple)
    missing_counts: dict[str, int] = field(default_factory=dict)  # copies short, where counted
    return_reason: str | None = None
    promised_date: date | None = None
    open_failures: int = 0  # members the bank failed, not yet produced (the unit must correct them)


def _when(value: datetime, lang: str) -> str:
    if lang == "en":
        return value.strftime("%d %b %H:%M")
    return f"{value.month}月{value.day}日{value:%H:%M}"


def _day(value: date, lang: str) -> str:
    if lang == "en":
        return value.strftime("%d %b")
    return f"{value.month}月{value.day}日"


def _overdue(facts: ReminderFacts, lang: str) -> str:
    assert facts.due_at is not None
    hours = (facts.now - facts.due_at).total_seconds() / 3600
    if hours < 24:
        return t("reminder.overdue_hours", lang, hours=max(1, math.floor(hours)))
    return t("reminder.overdue_days", lang, days=math.floor(hours / 24))


def _left(facts: ReminderFacts, lang: str) -> str:
    assert facts.due_at is not None
    hours = (facts.due_at - facts.now).total_seconds() / 3600
    if hours < 24:
        return t("reminder.left_hours", lang, hours=max(1, math.floor(hours)))
    return t("reminder.left_days", lang, days=math.floor(hours / 24))


def countdown_text(due_at: datetime | None, now: datetime, lang: str = "zh", done: bool = False) -> str:
    """Time left before the deadline, or how late: hours under two days, whole days beyond;
    "已报送" once the unit has submitted (``done``), whatever the clock says.

    >>> now = datetime(2026, 11, 20, 10, 0)
    >>> countdown_text(datetime(2026, 11, 22, 4, 0), now), countdown_text(datetime(2026, 11, 20, 6, 0), now)
    ('还剩 1 天 18 小时', '已超期 4 小时')
    >>> countdown_text(datetime(2026, 11, 17, 10, 0), now), countdown_text(datetime(2026, 11, 26, 10, 0), now)
    ('已超期 3 天', '还剩 6 天')
    >>> countdown_text(datetime(2026, 11, 21, 4, 0), now), countdown_text(None, now), countdown_text(now, now, done=True)
    ('还剩 18 小时', '未设截止时间', '已报送')
    """
    if done:
        return t("chase.countdown.done", lang)
    if due_at is None:
        return t("chase.countdown.none", lang)
    seconds = (due_at - now).total_seconds()
    key = "left" if seconds >= 0 else "late"
    hours = math.floor(abs(seconds) / 3600)
    days, rest = divmod(hours, 24)
    if hours >= 48:
        return t(f"chase.countdown.{key}_days", lang, days=days)
    if days >= 1:
        return t(f"chase.countdown.{key}_day_hours", lang, days=days, hours=rest)
    return t(f"chase.countdown.{key}_hours", lang, hours=max(rest, 0) if key == "left" else max(rest, 1))


def reminder_text(facts: ReminderFacts, lang: str = "zh") -> str:
    """The message, one paragraph, polite and concrete: what is due, what is missing, how to act.

    >>> from datetime import datetime
    >>> print(reminder_text(ReminderFacts(
    ...     unit_name="某某公司工会", status="not_started", now=datetime(2026, 11, 20, 10, 0),
    ...     due_at=datetime(2026, 11, 18, 12, 0), contact_name="王芳", area_name="保税一片",
    ...     liaison_name="李强", liaison_phone="13812345678")))  # doctest: +NORMALIZE_WHITESPACE
    王芳您好！我是保税一片联络人李强。贵单位（某某公司工会）的会员服务卡申办材料应于11月18日12:00前报送，\
现已超过截止时间1天，区工会尚未收到。请尽快按《申报会员服务卡个人信息采集表》收集会员姓名、身份证号码和手机号码，\
用校验转换程序校验无误后上传。报送时请一并送交盖章的纸质材料：个人信息采集表、单位信息审核表、每人两份身份证复印件、\
本人签字的自愿申办确认书。如有困难请随时与我联系（13812345678）。谢谢！
    """
    separator = " " if lang == "en" else ""
    return separator.join(text for text in (part(facts, lang) for part, _ in PARTS) if text)


def _greeting(facts: ReminderFacts, lang: str) -> str:
    who = facts.contact_name or ""
    return t("reminder.greeting", lang, name=who) if who else t("reminder.greeting_plain", lang)


def _intro(facts: ReminderFacts, lang: str) -> str:
    return t("reminder.intro", lang, area=facts.area_name or "", liaison=facts.liaison_name) if facts.liaison_name else ""


def _situation(facts: ReminderFacts, lang: str) -> str:
    due = _when(facts.due_at, lang) if facts.due_at else None
    late = facts.due_at is not None and facts.now > facts.due_at
    if facts.status == "returned":
        reason = facts.return_reason or t("reminder.reason_unknown", lang)
        returned = t("reminder.returned", lang, unit=facts.unit_name, reason=reason)
        if not late:
            return returned
        separator = " " if lang == "en" else ""
        return separator.join((returned, t("reminder.returned_late", lang, due=due, overdue=_overdue(facts, lang))))
    if facts.status in SUBMITTED_STATUSES:
        return t("chase.reminder.submitted", lang, unit=facts.unit_name)
    if due is None:
        return t("reminder.no_deadline", lang, unit=facts.unit_name)
    if late:
        return t("reminder.late", lang, unit=facts.unit_name, due=due, overdue=_overdue(facts, lang))
    return t("reminder.due_soon", lang, unit=facts.unit_name, due=due, left=_left(facts, lang))


def _step(facts: ReminderFacts, lang: str) -> str:
    if facts.status == "not_started":
        return t("reminder.step.not_started", lang)
    if facts.status == "errors":
        return t("reminder.step.errors", lang, n=facts.open_errors)
    if facts.status == "clean":
        return t("reminder.step.clean", lang)
    return ""


def _paper(facts: ReminderFacts, lang: str) -> str:
    if facts.status in ("not_started", "errors", "clean"):
        return t("reminder.paper_all", lang, items=_materials(PAPER_MATERIALS, lang))
    if facts.missing_materials:
        return t("reminder.paper_missing", lang, items=_materials(facts.missing_materials, lang, facts.missing_counts))
    return ""


def _failures(facts: ReminderFacts, lang: str) -> str:
    return t("chase.reminder.bank_failures", lang, n=facts.open_failures) if facts.open_failures > 0 else ""


def _promised(facts: ReminderFacts, lang: str) -> str:
    return t("reminder.promised", lang, day=_day(facts.promised_date, lang)) if facts.promised_date is not None else ""


def _closing(facts: ReminderFacts, lang: str) -> str:
    if facts.liaison_phone:
        return t("reminder.closing_phone", lang, phone=facts.liaison_phone)
    return t("reminder.closing", lang)


# The message's parts in order (an empty one is left out), each with the only facts it reads
# besides ``now``: ``reminder_texts`` writes a part once per distinct combination of them.
PARTS: tuple[tuple[Callable[[ReminderFacts, str], str], tuple[str, ...]], ...] = (
    (_greeting, ("contact_name",)),
    (_intro, ("area_name", "liaison_name")),
    (_situation, ("unit_name", "status", "due_at", "return_reason")),
    (_step, ("status", "open_errors")),
    (_paper, ("status", "missing_materials", "missing_counts")),
    (_failures, ("open_failures",)),
    (_promised, ("promised_date",)),
    (_closing, ("liaison_phone",)),
)
# Facts nearly every unit has its own of: a part that reads one is written once with a marker
# in its place (once with the value itself when the value is empty), and the unit's own value
# goes in where the marker stood.
OWN_NAMES = ("unit_name", "contact_name")


def reminder_texts(facts: Mapping[str, Sequence[Any]], now: datetime, lang: str = "zh") -> list[str]:
    """``reminder_text`` for many units at once, the same texts: ``facts`` holds one column
    (a list) per ``ReminderFacts`` field but ``now`` (all the same length; a missing field
    takes its default), ``missing_counts`` as tuples of (name, copies) pairs; each part is
    written once per distinct combination of the facts it reads (a city's 38,000 units have
    a few hundred), the units' and contacts' own names joined in afterwards.

    >>> columns = {"unit_name": ["甲工会", "乙工会"], "status": ["clean", "clean"], "contact_name": ["王芳", None]}
    >>> reminder_texts(columns, datetime(2026, 11, 20, 10, 0)) == [
    ...     reminder_text(ReminderFacts("甲工会", "clean", datetime(2026, 11, 20, 10, 0), contact_name="王芳")),
    ...     reminder_text(ReminderFacts("乙工会", "clean", datetime(2026, 11, 20, 10, 0)))]
    True
    """
    size = len(facts["unit_name"])
    marker = f"\x00{uuid.uuid4().hex}\x00"  # no name holds it
    written = []
    for part, reads in PARTS:
        columns = [facts.get(name, [_DEFAULTS[name]] * size) for name in reads]

        def text(*key: Any, part: Callable[[ReminderFacts, str], str] = part, reads: tuple[str, ...] = reads) -> str:
            return part(_facts(reads, key, now), lang)

        own = next((i for i, name in enumerate(reads) if name in OWN_NAMES), None)
        if own is None and len(columns) == 1:
            written.append(per_value_of(columns[0], text))
            continue
        if own is None:
            written.append(per_key(zip(*columns, strict=True), text))
            continue
        names = columns[own]
        columns[own] = [marker if name else name for name in names]
        pieces = _per_key_split(zip(*columns, strict=True), text, marker)
        written.append([str(name).join(split) if name else split[0] for name, split in zip(names, pieces, strict=True)])
    if lang == "en":
        return [" ".join(filter(None, row)) for row in zip(*written, strict=True)]
    return ["".join(row) for row in zip(*written, strict=True)]  # an empty part adds nothing


# What a fact missing from ``reminder_texts``' columns is (hashable: counts as pairs).
_DEFAULTS: dict[str, Any] = {
    **{fact.name: fact.default for fact in fields(ReminderFacts) if fact.default is not MISSING},
    "unit_name": "", "status": "", "missing_materials": (), "missing_counts": (),
}


def _facts(names: tuple[str, ...], values: tuple[Any, ...], now: datetime) -> ReminderFacts:
    given = dict(zip(names, values, strict=True))
    if "missing_counts" in given:
        given["missing_counts"] = dict(given["missing_counts"] or ())
    return ReminderFacts(**{"unit_name": "", "status": "", **given, "now": now})


def _per_key_split(keys: Iterable[tuple[Any, ...]], text: Callable[..., str], marker: str) -> list[list[str]]:
    cache: dict[tuple[Any, ...], list[str]] = {}
    out = []
    for key in keys:
        found = cache.get(key)
        if found is None:
            found = cache[key] = text(*key).split(marker)
        out.append(found)
    return out


def _materials(names: tuple[str, ...], lang: str, counts: dict[str, int] | None = None) -> str:
    separator = ", " if lang == "en" else "、"
    return separator.join(
        t("reminder.material_short", lang, item=t(f"reminder.material.{name}", lang), n=(counts or {})[name])
        if (counts or {}).get(name) else t(f"reminder.material.{name}", lang)
        for name in names
    )
