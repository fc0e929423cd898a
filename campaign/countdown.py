"""How long until (or since) a deadline, as a reader wants it: whole days when two days or more
away, days and hours under two days, and "done" once the thing is done (no "12 days overdue"
for a unit that has submitted). Pure: times are naive and in one zone (both UTC)."""

from __future__ import annotations

from datetime import datetime

from campaign.i18n import t

HOURS_UNDER = 48  # below this many hours, the countdown shows hours


def countdown(due_at: datetime | None, now: datetime, lang: str = "zh", done: bool = False, done_key: str = "cd.done") -> str:
    """The countdown to ``due_at`` seen at ``now``.

    >>> from datetime import datetime as d
    >>> now = d(2026, 10, 26, 18, 0)
    >>> countdown(d(2026, 10, 28, 12, 0), now)
    '还剩 1 天 18 小时'
    >>> countdown(d(2026, 10, 26, 14, 0), now)
    '已超期 4 小时'
    >>> countdown(d(2026, 11, 3, 12, 0), now), countdown(d(2026, 10, 14, 12, 0), now)
    ('还剩 7 天', '已超期 12 天')
    >>> countdown(d(2026, 10, 14, 12, 0), now, done=True, done_key="cd.submitted")
    '已报送'
    >>> countdown(d(2026, 10, 26, 18, 20), now), countdown(None, now)
    ('还剩不到 1 小时', '未设截止时间')
    >>> countdown(d(2026, 10, 28, 12, 0), now, "en")
    '1 d 18 h left'
    """
    if done:
        return t(done_key, lang)
    if due_at is None:
        return t("cd.no_deadline", lang)
    seconds = (due_at - now).total_seconds()
    ahead = seconds >= 0
    hours_total = int(abs(seconds) // 3600)
    side = "left" if ahead else "over"
    if hours_total >= HOURS_UNDER:
        return t(f"cd.{side}_days", lang, days=hours_total // 24)
    if hours_total == 0:
        return t(f"cd.{side}_under_hour", lang)
    days, hours = divmod(hours_total, 24)
    if days:
        return t(f"cd.{side}_days_hours", lang, days=days, hours=hours)
    return t(f"cd.{side}_hours", lang, hours=hours)


def is_overdue(due_at: datetime | None, now: datetime, done: bool = False) -> bool:
    """Whether the deadline has passed with the thing not done."""
    return not done and due_at is not None and due_at < now
