"""The chase log (a liaison's calls and messages to units) and the day's chase sheet: every unit
to chase at a cut-off, why, what it lacks, whether it was contacted that day, the reminder."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

import pandas as pd
from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from campaign.distinct import nulls_as_none, per_key, per_value
from campaign.reminders import ReminderFacts, reminder_text, reminder_texts
from campaign.stages import CHASE_CHANNELS
from campaign.timeutil import local_to_utc, utc_to_local
from data_access import metrics
from data_access.metrics import SUBMITTED_STATUSES
from data_access.models import SETTLES_FAILURE, Chase, MemberEvent, OrgUnit
from data_access.scope import Scope

# Roles that chase units; a unit's own clerk does not record chases of itself.
CHASE_ROLES = frozenset({"admin", "district_leader", "liaison"})
MAX_NOTE = 2_000


class ChaseRefused(ValueError):
    """A chase that may not be recorded; ``str()`` is a Chinese message for the page."""


def may_record(role: str) -> bool:
    """Whether a role records chases."""
    return role in CHASE_ROLES


def record_chase(
    session: Session,
    scope: Scope,
    unit_id: int,
    *,
    at: datetime,
    by: str | None,
    channel: str,
    note: str,
    promised_date: date | None = None,
) -> Chase:
    """Record one contact with a base-level unit inside the scope; the caller commits.

    ``at`` is naive UTC. Refuses (``ChaseRefused``) a unit outside the scope, an unknown
    unit or channel, and an empty note.
    """
    unit = session.get(OrgUnit, unit_id)
    if unit is None or unit.level != "unit":
        raise ChaseRefused("找不到该基层单位。")
    if not scope.contains_path(unit.path):
        raise ChaseRefused("该单位不在您的管辖范围内，不能记录催报。")
    if channel not in CHASE_CHANNELS:
        raise ChaseRefused(f"联系方式“{channel}”无效。")
    note = (note or "").strip()
    if not note:
        raise ChaseRefused("请填写联系情况。")
    row = Chase(
        unit_id=unit.id, at=at, by=by, channel=channel, note=note[:MAX_NOTE], promised_date=promised_date
    )
    session.add(row)
    session.flush()
    return row


def last_chases(session: Session, scope: Scope, cutoff: datetime) -> pd.DataFrame:
    """Per unit in scope: the latest chase at or before the cut-off and how many there were."""
    unit = aliased(OrgUnit)
    ranked = (
        select(
            Chase.unit_id,
            Chase.at,
            Chase.by,
            Chase.channel,
            Chase.note,
            Chase.promised_date,
            func.row_number().over(partition_by=Chase.unit_id, order_by=(Chase.at.desc(), Chase.id.desc())).label("rn"),
            func.count().over(partition_by=Chase.unit_id).label("chases"),
        )
        .join(unit, unit.id == Chase.unit_id)
        .where(Chase.at <= cutoff, scope.org_filter(unit))
        .subquery("ranked_chase")
    )
    query = select(
        ranked.c.unit_id,
        ranked.c.at.label("last_chase_at"),
        ranked.c.by.label("last_chase_by"),
        ranked.c.channel.label("last_chase_channel"),
        ranked.c.note.label("last_chase_note"),
        ranked.c.promised_date.label("last_promised_date"),
        ranked.c.chases,
    ).where(ranked.c.rn == 1)
    columns = ["unit_id", "last_chase_at", "last_chase_by", "last_chase_channel", "last_chase_note", "last_promised_date", "chases"]
    return metrics.rows_frame(session, query, columns)


def chase_history(session: Session, scope: Scope, unit_id: int, cutoff: datetime) -> pd.DataFrame:
    """Every chase of one unit up to the cut-off, newest first (empty outside the scope)."""
    unit = aliased(OrgUnit)
    query = (
        select(Chase.id, Chase.at, Chase.by, Chase.channel, Chase.note, Chase.promised_date)
        .join(unit, unit.id == Chase.unit_id)
        .where(Chase.unit_id == unit_id, Chase.at <= cutoff, scope.org_filter(unit))
        .order_by(Chase.at.desc(), Chase.id.desc())
    )
    return metrics.rows_frame(session, query, ["id", "at", "by", "channel", "note", "promised_date"])


# Why a unit is on the day's chase sheet, most pressing first (a unit may have several).
CHASE_REASONS = ("late", "at_risk", "returned", "paper", "bank_failures")


def local_day_start(cutoff: datetime) -> datetime:
    """Naive UTC start of the Asia/Shanghai day the cut-off falls in ("today" of the sheet)."""
    return local_to_utc(datetime.combine(utc_to_local(cutoff).date(), time()))


def contacted_on_day(session: Session, scope: Scope, cutoff: datetime) -> pd.DataFrame:
    """Per unit in scope contacted on the cut-off's Shanghai day (up to the cut-off): how many
    contacts and the latest time."""
    unit = aliased(OrgUnit)
    query = (
        select(Chase.unit_id, func.count().label("contacts_today"), func.max(Chase.at).label("contacted_today_at"))
        .join(unit, unit.id == Chase.unit_id)
        .where(Chase.at >= local_day_start(cutoff), Chase.at <= cutoff, scope.org_filter(unit))
        .group_by(Chase.unit_id)
    )
    return metrics.rows_frame(session, query, ["unit_id", "contacts_today", "contacted_today_at"])


def open_bank_failures(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Per unit in scope: members whose latest bank failure by the cut-off waits for the unit
    (no correction, card, withdrawal or replacement since), from the member events."""
    unit = aliased(OrgUnit)
    # the scope inside: a district's failures are found through its units, and only they are
    # checked for a later settling event (not the whole city's, then filtered)
    failed_events = select(MemberEvent.member_id, MemberEvent.unit_id, func.max(MemberEvent.at).label("failed_at")).where(
        # the literal: the partial index ``ix_member_event_failed`` (SQLite matches it by text)
        MemberEvent.campaign_id == campaign_id, MemberEvent.kind == literal_column("'failed'"), MemberEvent.at <= cutoff
    )
    if scope.root_path is not None:  # the whole city needs no join (the failures' index read whole)
        failed_events = failed_events.join(unit, unit.id == MemberEvent.unit_id).where(scope.org_filter(unit))
    failed = failed_events.group_by(MemberEvent.member_id, MemberEvent.unit_id).subquery("failed")
    later = aliased(MemberEvent)
    settled = (
        select(later.id)
        .where(
            later.member_id == failed.c.member_id,
            # written out as the partial index ``ix_member_event_settles`` is (SQLite matches it by text)
            later.kind.in_([literal_column(f"'{kind}'") for kind in SETTLES_FAILURE]),
            and_(later.at >= failed.c.failed_at, later.at <= cutoff),
        )
        .exists()
    )
    query = (
        select(failed.c.unit_id, func.count().label("bank_failures_open"))
        .where(~settled)
        .group_by(failed.c.unit_id)
    )
    return metrics.rows_frame(session, query, ["unit_id", "bank_failures_open"])


def _reasons_of(board: pd.DataFrame) -> pd.Series:
    """``_reasons`` for every row at once (a city's board has tens of thousands of units)."""
    submitted = board["status"].isin(SUBMITTED_STATUSES)
    overdue = board["overdue"].astype(bool)
    found = {
        "late": overdue,
        "at_risk": board["at_risk"].astype(bool) & ~overdue,
        "returned": board["status"].eq("returned") & ~overdue,
        "paper": submitted & board["missing_materials"].map(bool),
        "bank_failures": board["bank_failures_open"].astype("int64") > 0,
    }
    flags = [found[reason].to_numpy() for reason in CHASE_REASONS]
    return pd.Series(
        [tuple(reason for reason, on in zip(CHASE_REASONS, row, strict=True) if on) for row in zip(*flags, strict=True)],
        index=board.index, dtype=object,
    )


def _shortfalls(row: Mapping[str, object]) -> dict[str, int]:
    counts = {}
    for name in ("id_copies", "consents"):
        value = row.get(f"{name}_missing")
        if value is not None and not pd.isna(value) and int(value) > 0:
            counts[name] = int(value)
    return counts


# What ``reminder_for`` reads of a row.
REMINDER_COLUMNS = (
    "unit_name", "status", "due_at", "last_promised_date", "contact_name", "area_name", "liaison_name",
    "liaison_phone", "open_errors", "missing_materials", "id_copies_missing", "consents_missing",
    "return_reason", "bank_failures_open",
)


def reminder_for(row: Mapping[str, object], cutoff: datetime, lang: str = "zh") -> str:
    """The ready message for one row of the board or the sheet (Shanghai times)."""
    def present(name: str) -> object:
        value = row.get(name)
        return None if value is None or pd.isna(value) else value

    due = present("due_at")
    promised = present("last_promised_date")
    facts = ReminderFacts(
        unit_name=str(row["unit_name"]),
        status=str(row["status"]),
        now=utc_to_local(cutoff),
        due_at=None if due is None else utc_to_local(pd.Timestamp(due).to_pydatetime()),
        contact_name=present("contact_name"),  # type: ignore[arg-type]
        area_name=present("area_name"),  # type: ignore[arg-type]
        liaison_name=present("liaison_name"),  # type: ignore[arg-type]
        liaison_phone=present("liaison_phone"),  # type: ignore[arg-type]
        open_errors=int(row.get("open_errors") or 0),
        missing_materials=tuple(row["missing_materials"]),
        missing_counts=_shortfalls(row),
        return_reason=present("return_reason"),  # type: ignore[arg-type]
        promised_date=None if promised is None else pd.Timestamp(promised).date(),
        open_failures=int(row.get("bank_failures_open") or 0),
    )
    return reminder_text(facts, lang)


def reminders_of(sheet: pd.DataFrame, cutoff: datetime, lang: str = "zh") -> list[str]:
    """The reminder text (Chinese unless ``lang``) of every row of a sheet, in its order, as
    ``reminder_for`` writes it, built column by column (``reminders.reminder_texts``): the
    table view and the Excel export ask for a city's 38,000 rows at once."""
    size = len(sheet)

    def column(name: str) -> pd.Series:
        return sheet[name] if name in sheet.columns else pd.Series([None] * size, index=sheet.index, dtype=object)

    def counts(id_copies: object, consents: object) -> tuple[tuple[str, int], ...]:
        return tuple(_shortfalls({"id_copies_missing": id_copies, "consents_missing": consents}).items())

    def local(value: object) -> datetime | None:
        return None if value is None or pd.isna(value) else utc_to_local(pd.Timestamp(value).to_pydatetime())  # type: ignore[arg-type]

    def day(value: object) -> date | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).date()  # type: ignore[arg-type]

    facts = {
        "unit_name": [str(value) for value in sheet["unit_name"].tolist()],
        "status": [str(value) for value in sheet["status"].tolist()],
        "due_at": per_value(column("due_at"), local),
        "contact_name": nulls_as_none(column("contact_name")),
        "area_name": nulls_as_none(column("area_name")),
        "liaison_name": nulls_as_none(column("liaison_name")),
        "liaison_phone": nulls_as_none(column("liaison_phone")),
        "open_errors": [int(value or 0) for value in column("open_errors").tolist()],
        "missing_materials": [tuple(value) for value in sheet["missing_materials"].tolist()],
        "missing_counts": per_key(
            zip(nulls_as_none(column("id_copies_missing")), nulls_as_none(column("consents_missing")), strict=True), counts
        ),
        "return_reason": nulls_as_none(column("return_reason")),
        "promised_date": per_value(column("last_promised_date"), day),
        "open_failures": [int(value or 0) for value in column("bank_failures_open").tolist()],
    }
    return reminder_texts(facts, utc_to_local(cutoff), lang)


def with_reminders(sheet: pd.DataFrame, cutoff: datetime) -> pd.DataFrame:
    """The sheet (or some of its rows) with the ``reminder`` column filled in."""
    return sheet.assign(reminder=reminders_of(sheet, cutoff) if len(sheet) else None)


SHEET_COLUMNS = [
    "unit_id", "code", "unit_name", "district_name", "area_name", "liaison_name", "liaison_phone",
    "contact_name", "contact_phone", "status", "due_at", "hours_left", "late", "at_risk", "reasons",
    "missing_materials", "id_copies_missing", "consents_missing", "last_submitted_at", "open_errors",
    "bank_failures_open", "expected_members", "members_outstanding", "return_reason", "contacted_today",
    "contacts_today", "contacted_today_at", "last_chase_at", "last_chase_by", "last_chase_channel",
    "last_chase_note", "last_promised_date", "chases", "reminder",
]


_BOARD_COLUMNS = frozenset((*SHEET_COLUMNS, *REMINDER_COLUMNS, "overdue", "days_overdue", "members_outstanding", "code"))


def chase_sheet(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, board: pd.DataFrame | None = None,
    reminders: bool = True,
) -> pd.DataFrame:
    """Every unit in scope to chase on the cut-off's day, most pressing first.

    On it: late or at-risk units (``submissions`` / ``metrics`` decide which), returned ones,
    submitted ones whose paper materials are incomplete, and units with bank failures waiting
    for their correction. Per unit: contact and phone (the unit's work contact), status,
    deadline and hours left (negative: late), missing paper, open errors, open bank failures,
    the reasons it is listed, whether it was contacted that day, the last contact and the
    reminder text (Chinese) to paste into WeChat. Order: the first reason, then most overdue,
    then most members outstanding, then code. ``board``: the same scope's
    ``submissions.submission_board`` at the same cut-off, when the caller holds it already;
    ``reminders=False`` leaves the reminder column empty (a count needs no texts).
    """
    from data_access import submissions  # submissions imports this module

    if board is None:
        board = submissions.submission_board(session, scope, campaign_id, cutoff)
    if board.empty:
        return pd.DataFrame(columns=SHEET_COLUMNS)
    # only what the sheet, its reasons, order and reminders read (the board has twice as many columns)
    board = board[[c for c in board.columns if c in _BOARD_COLUMNS]]
    board = board.merge(open_bank_failures(session, scope, campaign_id, cutoff), on="unit_id", how="left")
    board = board.merge(contacted_on_day(session, scope, cutoff), on="unit_id", how="left")
    board["bank_failures_open"] = board["bank_failures_open"].fillna(0).astype("int64")
    board["contacts_today"] = board["contacts_today"].fillna(0).astype("int64")
    board["contacted_today"] = board["contacts_today"] > 0
    board["reasons"] = _reasons_of(board)
    sheet = board[board["reasons"].map(bool)].copy()
    if sheet.empty:
        return pd.DataFrame(columns=SHEET_COLUMNS)
    sheet["hours_left"] = (pd.to_datetime(sheet["due_at"]) - cutoff).dt.total_seconds() / 3600
    sheet["_rank"] = sheet["reasons"].map(lambda reasons: CHASE_REASONS.index(reasons[0]))
    sheet = sheet.sort_values(
        ["_rank", "days_overdue", "members_outstanding", "code"], ascending=[True, False, False, True]
    ).reset_index(drop=True)
    if reminders:
        sheet["reminder"] = reminders_of(sheet, cutoff)
    for column in SHEET_COLUMNS:
        if column not in sheet.columns:
            sheet[column] = None
    return sheet[SHEET_COLUMNS]
