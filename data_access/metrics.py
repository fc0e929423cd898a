"""The campaign's metrics, defined once, in SQL, as of a cut-off time and within a scope.

Definitions (DESIGN.md "Definitions every page uses"): every unit is in exactly one status
(``UNIT_STATUSES``); submission rate = units submitted (awaiting review or approved) / units
expected; on-time rate (DHIS2's on-time reporting rate) = among units whose effective deadline
has passed by the cut-off, the share that submitted, not later returned, by that deadline (units
not yet due are counted beside it, never as failures); late = deadline passed and not submitted
(not started, errors, clean not submitted; returned units are reported as returned); at risk =
not submitted (returned included) with the deadline within 3 days; coverage = members validated or further / expected members; first-pass yield = units whose
first upload was clean / units that uploaded; bank success = produced / results received;
recovery = failed members later produced / failed members; distribution = delivered / produced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Boolean, CompoundSelect, DateTime, Select, case, func, literal, select, text
from sqlalchemy.orm import Session, aliased

from campaign.stages import MILESTONES, SUBMITTED_STATUSES
from data_access import arrow_read, deadlines, summary, summary_window, unit_state
from data_access.models import BankResultCount, Deadline, OrgUnit
from data_access.scope import Scope

GROUP_LEVELS = ("district", "area", "unit")


def count_if(condition: object) -> object:
    """SQL: how many rows meet a condition (0, never NULL, on an empty group)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # type: ignore[arg-type]


def units_in_scope(scope: Scope) -> Select[tuple[int]]:
    """Ids of the base-level units in the scope."""
    return select(OrgUnit.id).where(OrgUnit.level == "unit", scope.org_filter(OrgUnit))


def unit_deadlines(campaign_id: int, milestone: str = "unit_submission", cutoff: datetime | None = None) -> Select[tuple[int, datetime]]:
    """Each unit's effective deadline (``data_access.deadlines``: its own extension, else its
    nearest ancestor's at any depth, else a level-wide one, else the campaign's), from the
    deadline rows live at the cut-off (None: the current ones)."""
    return deadlines.unit_deadlines(campaign_id, milestone, cutoff)


def _member_counts(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per unit: live members counted per stage at the cut-off, summed from the summary table
    (``data_access.summary``: units × times, never members)."""
    return summary.stage_counts(campaign_id, cutoff)


UNIT_STATUSES = ("not_started", "errors", "clean", "submitted", "returned", "approved")
# SUBMITTED_STATUSES (campaign.stages) are counted as submitted (the submission rate's numerator); these are not yet.
NOT_SUBMITTED_STATUSES = ("not_started", "errors", "clean", "returned")
# Not submitted and never submitted: what "late" (逾期未报送) counts once the deadline passes.
NEVER_SUBMITTED_STATUSES = ("not_started", "errors", "clean")
AT_RISK_DAYS = 3
# unit_progress's query: the unit's code again, what the frame is sorted by
ORDER_KEY = "order_code"


# What headline_of reads (with what with_deadline_flags needs for it): a narrow frame is enough.
HEADLINE_COLUMNS = (
    "code", "due_at", "status", "first_submitted_at", "kept_submitted_at", "expected_members", "validated",
    "open_errors", "delivered",
)
# The member counts headline_of sums over the units: ``headline`` reads them summed over the scope.
HEADLINE_MEMBER_COUNTS = ("validated", "delivered")


def unit_progress(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per unit in scope with everything the progress pages need about it (``columns``:
    only these of the database's columns, in this order, then the deadline flags).

    Reads per unit, never per member or upload: the member counts are the stored totals less
    the deltas after the cut-off, the upload and submission columns the unit's stored state
    version in force at the cut-off (``data_access.unit_state``)."""
    query, wanted = _unit_query(scope, campaign_id, cutoff, columns)
    ordered_by_database = session.get_bind().dialect.name == "sqlite"  # SQLite reads the units off its code index, at no cost
    if ordered_by_database:
        query = query.order_by(query.selected_columns[ORDER_KEY])
    read = frame_of(session, query)  # in a read session over Arrow (``data_access.arrow_read``)
    if read.empty:
        return read.drop(columns=[ORDER_KEY], errors="ignore")
    if not ordered_by_database:  # in code order, sorted here (PostgreSQL sorting the wide rows: 0.12 s at a city's size)
        order = pc.sort_indices(pa.array(read[ORDER_KEY].to_numpy(dtype=object), type=pa.string())).to_numpy()
        read = read.take(order).reset_index(drop=True)
    data: dict[str, Any] = dict(read.items())
    data["due_at"] = _due_at(session, scope, campaign_id, cutoff, data["due_unit_id"].tolist())
    return with_deadline_flags(pd.DataFrame({name: data[name] for name in wanted}), cutoff)


def _due_at(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, unit_ids: list[int]) -> list[datetime | None]:
    """The units' effective submission deadlines, walked once over the tree (``deadlines.unit_deadline_walk``)."""
    walked = deadlines.unit_deadline_walk(session, campaign_id, ["unit_submission"], cutoff, scope).get("unit_submission")
    return [None] * len(unit_ids) if walked is None else walked.due_for(unit_ids)


def _unit_query(scope: Scope, campaign_id: int, cutoff: datetime, columns: Sequence[str] | None) -> tuple[Select[Any], list[str]]:
    """unit_progress's query (its ``due_at`` left out, then the unit's id as ``due_unit_id`` and
    its code as ``ORDER_KEY``; no ORDER BY) and the names of the frame's database columns in order."""
    unit = aliased(OrgUnit)
    district = aliased(OrgUnit)
    area = aliased(OrgUnit)
    mc = _member_counts(campaign_id, cutoff)
    mc = select(mc).cte("mc")
    groups = ("district_name", "area_name", "liaison_name", "liaison_phone")

    def unit_rows(state: dict[str, Any], query: Select[Any]) -> Select[Any]:
        status = case(
            (state["outcome"] == "approved", literal("approved")),
            (state["outcome"] == "returned", literal("returned")),
            (state["outcome"].is_not(None), literal("submitted")),
            (state["uploads"].is_(None), literal("not_started")),
            (state["open_errors"] > 0, literal("errors")),
            else_=literal("clean"),
        )
        every = [
            unit.id.label("unit_id"),
            unit.code.label("code"),
            unit.name.label("unit_name"),
            unit.card_unit_name,
            unit.district_id,
            district.name.label("district_name"),
            unit.area_id,
            area.name.label("area_name"),
            area.liaison_name,
            area.liaison_phone,
            unit.contact_name,
            unit.contact_phone,
            unit.expected_members,
            literal(None, DateTime).label("due_at"),  # the deadline walk's, filled in below
            status.label("status"),
            *(state[name].label(name) for name in (
                "first_submitted_at", "last_submitted_at", "kept_submitted_at", "approved_at", "paper_sheet",
                "paper_unit_form", "paper_id_copies", "paper_consents", "id_copies_missing", "consents_missing",
            )),
            func.coalesce(state["collected"], 0).label("collected"),
            func.coalesce(state["open_errors"], 0).label("open_errors"),
            func.coalesce(state["uploads"], 0).label("uploads"),
            state["first_clean"].label("first_clean"),
            *(func.coalesce(col, 0).label(col.name) for col in mc.c if col.name != "unit_id"),
        ]
        if columns is not None:
            by_name = {column.key: column for column in every}
            every = [by_name[name] for name in columns]
        wanted.extend(column.key for column in every)
        every = [column for column in every if column.key != "due_at"]
        query = query.add_columns(*every, unit.id.label("due_unit_id"), unit.code.label(ORDER_KEY))
        if columns is None or set(groups) & set(columns):
            query = query.join(district, district.id == unit.district_id, isouter=True)
            query = query.join(area, area.id == unit.area_id, isouter=True)
        if columns is None or {col.name for col in mc.c} & set(columns):  # the member counts: only when asked for
            query = query.join(mc, mc.c.unit_id == unit.id, isouter=True)
        return query.where(unit.level == "unit", scope.org_filter(unit))

    # Each unit's state version in force at the cut-off: one indexed lookup per unit, at any cut-off.
    wanted: list[str] = []
    version, on, state_columns = unit_state.state_at(campaign_id, cutoff, unit.id)
    query = unit_rows(state_columns, select().select_from(unit).join(version, on, isouter=True))
    return query, wanted


def frame_of(session: Session, query: Select[Any] | CompoundSelect[Any]) -> pd.DataFrame:
    """A query's rows as a DataFrame with the dtypes pandas infers from the values SQLAlchemy
    would return (as from ``.mappings().all()``): in a read session read over Arrow
    (``data_access.arrow_read``), else built column-wise from the driver's values
    (``columns_of``), either way at a fraction of the cost."""
    read = arrow_read.frame(session, query)  # a read session: over Arrow (``data_access.arrow_read``)
    if read is not None:
        return read
    names, columns = columns_of(session, query)
    if not columns:
        return pd.DataFrame([])
    return pd.DataFrame(dict(zip(names, columns, strict=True)))


def rows_frame(session: Session, query: Select[Any] | CompoundSelect[Any], columns: Sequence[str]) -> pd.DataFrame:
    """A query's rows as a DataFrame with these column names (also when there are none), as
    ``pd.DataFrame(session.execute(query).all(), columns=columns)`` gives it, without pandas
    probing every SQLAlchemy row for attributes it does not have (0.1-0.3 s at 30,000 rows);
    in a read session over Arrow (``data_access.arrow_read``)."""
    read = arrow_read.frame(session, query)
    if read is not None and not read.empty:
        return read.set_axis(list(columns), axis=1)
    if read is not None:
        return pd.DataFrame([], columns=list(columns))
    return pd.DataFrame([tuple(row) for row in session.execute(query).all()], columns=list(columns))


def columns_of(session: Session, query: Select[Any] | CompoundSelect[Any]) -> tuple[list[str], list[list[Any]]]:
    """A query's column names and its values column by column (no columns: no rows), the
    values SQLAlchemy would return: on SQLite the driver's rows are read as they come and only
    the DateTime and Boolean columns converted, as SQLAlchemy's result processors would."""
    if session.get_bind().dialect.name != "sqlite":
        # PostgreSQL's JIT compiles these many-subplan queries for longer than they run
        # (0.7 s of 0.9 s for a week-old cut-off at a million members): off for this transaction.
        session.execute(text("SET LOCAL jit = off"))
        result = session.execute(query)
        names = list(result.keys())
        columns = [list(values) for values in zip(*result.all(), strict=True)]
    else:
        cursor = session.connection().execute(query)
        names = list(cursor.keys())
        columns = [list(values) for values in zip(*cursor.cursor.fetchall(), strict=True)]
        cursor.close()
        for i, column in enumerate(query.selected_columns):
            if not columns:
                break
            if isinstance(column.type, DateTime):
                columns[i] = [None if v is None else datetime.fromisoformat(v) for v in columns[i]]
            elif isinstance(column.type, Boolean):
                columns[i] = [None if v is None else bool(v) for v in columns[i]]
    return names, columns


def with_deadline_flags(frame: pd.DataFrame, cutoff: datetime, risk_days: int = AT_RISK_DAYS) -> pd.DataFrame:
    """Add the per-unit deadline figures to a unit_progress frame: ``due_passed`` (the effective
    deadline is at or before the cut-off), ``on_time`` (submitted, not later returned, by the
    deadline), ``hours_early`` (first submission against the deadline), ``late`` (deadline passed,
    never submitted), ``overdue`` (deadline passed, not submitted: late or returned),
    ``days_overdue`` (for overdue units, else 0), ``at_risk`` (not submitted, due within
    ``risk_days`` days after the cut-off)."""
    due = pd.to_datetime(frame["due_at"])
    first = pd.to_datetime(frame["first_submitted_at"])
    kept = pd.to_datetime(frame["kept_submitted_at"])
    status = frame["status"]
    frame = frame.assign(
        due_passed=due.notna() & (due <= cutoff),
        on_time=due.notna() & kept.notna() & (kept <= due),
        hours_early=(due - first).dt.total_seconds() / 3600,
    )
    frame["late"] = frame["due_passed"] & status.isin(NEVER_SUBMITTED_STATUSES)
    frame["overdue"] = frame["due_passed"] & status.isin(NOT_SUBMITTED_STATUSES)
    frame["days_overdue"] = ((cutoff - due).dt.total_seconds() / 86400).where(frame["overdue"], 0.0)
    frame["at_risk"] = at_risk(frame, cutoff, risk_days)
    return frame


def at_risk(frame: pd.DataFrame, cutoff: datetime, days: int = AT_RISK_DAYS) -> pd.Series:
    """Units not submitted (not started, errors, clean not submitted, returned) whose deadline
    falls within ``days`` days after the cut-off."""
    due = pd.to_datetime(frame["due_at"])
    soon = (due > cutoff) & (due <= cutoff + pd.Timedelta(days=days))
    return soon & frame["status"].isin(NOT_SUBMITTED_STATUSES)


def status_counts(units: pd.DataFrame, mask: pd.Series | None = None) -> dict[str, int]:
    """Units per status (every status, in workflow order; they add up to the units counted)."""
    shown = units if mask is None else units[mask]
    counts = shown["status"].value_counts() if len(shown) else pd.Series(dtype="int64")
    return {s: int(counts.get(s, 0)) for s in UNIT_STATUSES}


@dataclass(frozen=True)
class Headline:
    """The overview's headline figures at one cut-off."""

    units_expected: int
    units_submitted: int  # status submitted (awaiting review) or approved
    units_on_time: int  # due by the cut-off and submitted, not later returned, by the deadline
    members_expected: int
    members_validated: int
    open_errors: int
    results_received: int
    produced: int
    delivered: int
    late_units: int  # due by the cut-off and never submitted
    units_due: int = 0  # effective deadline at or before the cut-off
    units_returned: int = 0
    units_at_risk: int = 0
    statuses: tuple[tuple[str, int], ...] = ()  # (status, units) in UNIT_STATUSES order

    @property
    def units_not_due(self) -> int:
        """Units whose deadline is still ahead (or has not been set): beside the on-time rate."""
        return self.units_expected - self.units_due

    @property
    def submission_rate(self) -> float | None:
        return _ratio(self.units_submitted, self.units_expected)

    @property
    def on_time_rate(self) -> float | None:
        """DHIS2's on-time reporting rate: on-time units / units whose deadline has passed."""
        return _ratio(self.units_on_time, self.units_due)

    @property
    def coverage(self) -> float | None:
        return _ratio(self.members_validated, self.members_expected)

    @property
    def bank_success_rate(self) -> float | None:
        return bank_success_rate(self.results_received, self.produced)

    @property
    def distribution_rate(self) -> float | None:
        return _ratio(self.delivered, self.produced)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def bank_success_rate(results_received: int, produced: int) -> float | None:
    """Cards produced per bank result received (None before any result)."""
    return _ratio(produced, results_received)


def bank_results_received(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    """(results received, produced) counted per result row up to the cut-off (from the summary
    of results per batch, unit and reason)."""
    counts = BankResultCount
    query = (
        select(func.coalesce(func.sum(counts.n), 0), func.coalesce(func.sum(case((counts.outcome == "produced", counts.n), else_=0)), 0))
        .select_from(counts)
        .join(OrgUnit, OrgUnit.id == counts.unit_id)
        .where(counts.campaign_id == campaign_id, counts.at <= cutoff, scope.org_filter(OrgUnit))
    )
    received, produced = session.execute(query).one()
    return int(received or 0), int(produced or 0)


def headline(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> Headline:
    """The headline figures for the scope at the cut-off: ``headline_of`` a narrow unit_progress
    frame (``HEADLINE_COLUMNS`` less the member counts) and the scope's member counts summed at
    once; the same figures as ``headline_of`` the whole frame (test_arrow_read)."""
    received, produced = bank_results_received(session, scope, campaign_id, cutoff)
    # the units' states without their member counts, which are summed over the scope at once
    # (``summary_window.scope_stage_counts``): no per-unit grouping of the changes since the cut-off
    units = unit_progress(session, scope, campaign_id, cutoff, [c for c in HEADLINE_COLUMNS if c not in HEADLINE_MEMBER_COUNTS])
    if units.empty:
        return headline_of(units, received, produced)
    members = summary_window.scope_stage_counts(session, scope, campaign_id, cutoff, HEADLINE_MEMBER_COUNTS)
    return headline_of(units, received, produced, members)


def headline_of(units: pd.DataFrame, results_received: int, produced: int, members: dict[str, int] | None = None) -> Headline:
    """The headline figures from a unit_progress frame and the bank's result counts
    (``members``: the scope's validated and delivered members, else summed over the frame)."""
    if units.empty:
        return Headline(0, 0, 0, 0, 0, 0, results_received, produced, 0, 0, statuses=tuple((s, 0) for s in UNIT_STATUSES))
    return Headline(
        units_expected=len(units),
        units_submitted=int(units["status"].isin(SUBMITTED_STATUSES).sum()),
        units_on_time=int((units["on_time"] & units["due_passed"]).sum()),
        members_expected=int(units["expected_members"].sum()),
        members_validated=int(units["validated"].sum()) if members is None else members["validated"],
        open_errors=int(units["open_errors"].sum()),
        results_received=results_received,
        produced=produced,
        delivered=int(units["delivered"].sum()) if members is None else members["delivered"],
        late_units=int(units["late"].sum()),
        units_due=int(units["due_passed"].sum()),
        units_returned=int((units["status"] == "returned").sum()),
        units_at_risk=int(units["at_risk"].sum()),
        statuses=tuple(status_counts(units).items()),
    )


FUNNEL = ("collected", "validated", "submitted", "approved", "sent_to_bank", "produced", "received", "distributed", "delivered")


def funnel(units: pd.DataFrame) -> pd.DataFrame:
    """Members reaching each stage, from a unit_progress frame."""
    values = [int(units[stage].sum()) if not units.empty else 0 for stage in FUNNEL]
    return pd.DataFrame({"stage": list(FUNNEL), "members": values})


def rollup(units: pd.DataFrame, level: str) -> pd.DataFrame:
    """Aggregate a unit_progress frame to districts or areas (or keep units)."""
    if level not in GROUP_LEVELS:
        raise ValueError(level)
    if units.empty:
        return units
    key, name = {"district": ("district_id", "district_name"), "area": ("area_id", "area_name"), "unit": ("unit_id", "unit_name")}[level]
    frame = units.assign(
        submitted_unit=units["status"].isin(SUBMITTED_STATUSES),
        on_time_due=units["on_time"] & units["due_passed"],
        returned_unit=units["status"] == "returned",
        units=1,
    )
    if level == "area" and frame["area_id"].isna().any():
        # A unit with no liaison area above it (a tree without areas) stands as its own row.
        no_area = frame["area_id"].isna()
        frame = frame.assign(
            area_id=frame["area_id"].where(~no_area, frame["unit_id"]),
            area_name=frame["area_name"].where(~no_area, frame["unit_name"]),
        )
    grouped = frame.groupby([key, name], as_index=False).agg(
        units=("units", "sum"),
        units_submitted=("submitted_unit", "sum"),
        units_due=("due_passed", "sum"),
        units_on_time=("on_time_due", "sum"),
        late_units=("late", "sum"),
        returned_units=("returned_unit", "sum"),
        expected_members=("expected_members", "sum"),
        validated=("validated", "sum"),
        produced=("produced", "sum"),
        delivered=("delivered", "sum"),
        open_errors=("open_errors", "sum"),
    )
    grouped = grouped.rename(columns={key: "org_id", name: "org_name"})
    grouped["submission_rate"] = grouped["units_submitted"] / grouped["units"]
    grouped["on_time_rate"] = grouped["units_on_time"] / grouped["units_due"].where(grouped["units_due"] > 0)
    grouped["units_not_due"] = grouped["units"] - grouped["units_due"]
    grouped["coverage"] = grouped["validated"] / grouped["expected_members"].where(grouped["expected_members"] > 0)
    return grouped.sort_values("org_name").reset_index(drop=True)


def deadlines_in_scope(session: Session, scope: Scope, campaign_id: int, cutoff: datetime | None = None) -> pd.DataFrame:
    """Deadlines in force (live at the cut-off; None: the current ones) that apply inside the
    scope: set on an org unit in it, on one of its ancestors (a district deadline seen from an
    area), on a level, or campaign-wide."""
    org = aliased(OrgUnit)
    query = (
        select(
            Deadline.milestone, Deadline.due_at, Deadline.is_extension, Deadline.note, Deadline.level,
            Deadline.set_by, Deadline.set_at, org.id.label("org_id"), org.name.label("org_name"), org.path,
        )
        .join(org, org.id == Deadline.org_unit_id, isouter=True)
        .where(Deadline.campaign_id == campaign_id, deadlines.live_at(cutoff))
        .order_by(Deadline.due_at)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all())
    if frame.empty:
        return frame
    root = scope.root_path or "/"

    def applies(path: object) -> bool:
        if not isinstance(path, str):
            return True  # level-wide or campaign-wide
        return path.startswith(root) or root.startswith(path)

    return frame[frame["path"].map(applies)].drop(columns=["path"]).reset_index(drop=True)


@dataclass(frozen=True)
class Pace:
    """Where a district's submissions are heading at the pace of the last ``window_days`` days."""

    district_id: int
    district_name: str
    due_at: datetime
    units: int
    submitted: int
    recent: int
    window_days: int
    projected_at_deadline: int
    finishes_at: datetime | None

    @property
    def projected_rate(self) -> float | None:
        return _ratio(self.projected_at_deadline, self.units)


def pace(units: pd.DataFrame, cutoff: datetime, window_days: int = 7) -> list[Pace]:
    """Per district: a linear projection of the last ``window_days`` days' first submissions
    to the district's deadline (the one most of its units have; extensions stay inside), and
    the day all its units would be in at that pace."""
    if units.empty:
        return []
    result = []
    # submitted = awaiting review or approved (a returned unit is not in), dated by its first
    # submission that was not returned
    first = pd.to_datetime(units["kept_submitted_at"]).where(units["status"].isin(SUBMITTED_STATUSES))
    window_start = cutoff - pd.Timedelta(days=window_days)
    for (district_id, district_name), group in units.groupby(["district_id", "district_name"]):
        modes = pd.to_datetime(group["due_at"]).mode()
        if modes.empty:
            continue  # no deadline set yet for this district (a campaign just created)
        due_at = modes.iloc[0]
        submitted_at = first.loc[group.index]
        submitted = int(submitted_at.notna().sum())
        recent = int(((submitted_at > window_start) & (submitted_at <= cutoff)).sum())
        per_day = recent / window_days
        remaining = len(group) - submitted
        days_left = max(0.0, (due_at.to_pydatetime() - cutoff).total_seconds() / 86400)
        projected = min(len(group), submitted + round(per_day * days_left))
        if remaining == 0:
            finishes: datetime | None = submitted_at.max().to_pydatetime()
        elif per_day > 0:
            finishes = cutoff + pd.Timedelta(days=remaining / per_day)
        else:
            finishes = None
        result.append(Pace(int(district_id), str(district_name), due_at.to_pydatetime(), len(group), submitted, recent, window_days, projected, finishes))
    return sorted(result, key=lambda p: p.due_at)


def cumulative_submissions(units: pd.DataFrame, cutoff: datetime | None = None) -> pd.DataFrame:
    """Units with a first submission, cumulated per Shanghai calendar day (the burn-up). With a
    cut-off the line runs on to the cut-off's day (a stall stays visible), from zero."""
    local_cutoff_day = None if cutoff is None else (pd.Timestamp(cutoff) + pd.Timedelta(hours=8)).normalize()
    if units.empty or units["first_submitted_at"].notna().sum() == 0:
        if local_cutoff_day is None:
            return pd.DataFrame({"day": [], "submitted": []})
        return pd.DataFrame({"day": [local_cutoff_day], "submitted": [0]})
    local = pd.to_datetime(units["first_submitted_at"].dropna()) + pd.Timedelta(hours=8)
    per_day = local.dt.normalize().value_counts().sort_index()
    frame = pd.DataFrame({"day": per_day.index, "submitted": per_day.cumsum().to_numpy()})
    if local_cutoff_day is not None:
        start = pd.DataFrame({"day": [frame["day"].iloc[0] - pd.Timedelta(days=1)], "submitted": [0]})
        parts = [start, frame]
        if local_cutoff_day > frame["day"].iloc[-1]:
            parts.append(pd.DataFrame({"day": [local_cutoff_day], "submitted": [int(frame["submitted"].iloc[-1])]}))
        frame = pd.concat(parts, ignore_index=True)
    return frame


# --- every milestone: its deadline in the scope, countdown and pace -------------------------

# What each milestone counts as done, and of what whole: units for the unit-level steps,
# members for the bank and distribution steps.
MILESTONE_MEASURES: dict[str, tuple[str, str, str]] = {
    # milestone: (counted in, done, out of)
    "unit_submission": ("units", "units submitted (awaiting review or approved)", "units"),
    "district_review": ("units", "units approved", "units"),
    "bank_batch": ("members", "members sent to the bank", "members approved"),
    "distribution": ("members", "cards delivered", "cards produced"),
}


@dataclass(frozen=True)
class MilestoneProgress:
    """One milestone inside a scope at a cut-off: its deadline (the one most units have; the
    earliest and latest beside it when they differ), how much is done of how much, and where
    the last ``window_days`` days' pace leads by the deadline."""

    milestone: str
    counted_in: str  # "units" or "members"
    due_at: datetime | None
    due_earliest: datetime | None
    due_latest: datetime | None
    total: int
    done: int
    recent: int
    window_days: int
    projected_at_deadline: int | None
    finishes_at: datetime | None
    overdue_units: int  # units whose deadline for this milestone has passed with it not done

    @property
    def rate(self) -> float | None:
        return _ratio(self.done, self.total)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total

    @property
    def projected_rate(self) -> float | None:
        return None if self.projected_at_deadline is None else _ratio(self.projected_at_deadline, self.total)


def member_milestone_counts(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, start: datetime) -> dict[str, int]:
    """Live members in scope: approved, sent to the bank (by the cut-off and in the window),
    produced, delivered (by the cut-off and in the window). Sums over summary rows, never over
    members: the counts by the cut-off are the scope's stage counts then
    (``summary_window.scope_stage_counts``), the window counts ``summary_window.window_counts``."""
    by_cutoff = summary_window.scope_stage_counts(
        session, scope, campaign_id, cutoff, ("approved", "sent_to_bank", "produced", "delivered")
    )
    recent = summary_window.window_counts(session, scope, campaign_id, cutoff, start)
    return {
        "approved": by_cutoff["approved"],
        "sent": by_cutoff["sent_to_bank"],
        "sent_recent": recent["sent_to_bank"],
        "produced": by_cutoff["produced"],
        "delivered": by_cutoff["delivered"],
        "delivered_recent": recent["delivered"],
    }


@dataclass(frozen=True)
class MilestoneDeadlines:
    """The units' effective deadlines per milestone, as the milestone cards need them:
    ``counts`` (milestone, due_at, units: how many units in scope have that deadline) for the
    usual deadline and the range, and ``per_unit`` (unit_id, milestone, due_at) only for the
    milestones whose overdue units are counted from a per-unit state and whose deadline the
    unit frame does not carry (district review; the unit frame's ``due_at`` is the submission
    deadline)."""

    counts: pd.DataFrame
    per_unit: pd.DataFrame


PER_UNIT_MILESTONES = ("district_review",)


def milestone_deadlines(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> MilestoneDeadlines:
    """Each unit in scope's effective deadline for every milestone the campaign has one for
    (``deadlines.unit_deadline_walk``: the tree walked once for all of them), counted per
    deadline; per unit only for ``PER_UNIT_MILESTONES`` (a city's 50,000 units × 4 milestones
    as a frame cost seconds)."""
    walked = deadlines.unit_deadline_walk(session, campaign_id, None, cutoff, scope)
    counts: Counter[tuple[str, datetime]] = Counter()
    per_unit = []
    for milestone, units in sorted(walked.items()):
        counts.update((milestone, due) for due in units.due_at.tolist())
        if milestone in PER_UNIT_MILESTONES:
            per_unit.extend((unit_id, milestone, row[1]) for unit_id, row in sorted(units.rows().items()))
    return MilestoneDeadlines(
        pd.DataFrame([(*key, n) for key, n in sorted(counts.items())], columns=["milestone", "due_at", "units"]),
        pd.DataFrame(per_unit, columns=["unit_id", "milestone", "due_at"]),
    )


def milestone_progress(
    session: Session, scope: Scope, campaign_id: int, cutoff: datetime, units: pd.DataFrame | None = None,
    window_days: int = 7,
) -> list[MilestoneProgress]:
    """Every milestone (campaign.stages.MILESTONES) in the scope at the cut-off, in order."""
    if units is None:
        units = unit_progress(session, scope, campaign_id, cutoff)
    start = cutoff - pd.Timedelta(days=window_days)
    dues = milestone_deadlines(session, scope, campaign_id, cutoff)
    members = member_milestone_counts(session, scope, campaign_id, cutoff, start)
    return milestone_progress_of(units, dues, members, cutoff, window_days, MILESTONES)


def milestone_progress_of(
    units: pd.DataFrame, dues: MilestoneDeadlines, members: dict[str, int], cutoff: datetime, window_days: int,
    milestones: tuple[str, ...],
) -> list[MilestoneProgress]:
    """The milestones' progress from a unit_progress frame, the units' deadlines per milestone and
    the member counts (no queries)."""
    start = pd.Timestamp(cutoff - pd.Timedelta(days=window_days))
    out = []
    for milestone in milestones:
        mine = dues.counts[dues.counts["milestone"] == milestone] if len(dues.counts) else dues.counts
        if len(mine):
            spread = pd.Series(mine["units"].to_numpy(), index=pd.to_datetime(mine["due_at"])).sort_index()
            # the deadline most units have (the earliest of equally common ones, as Series.mode)
            due_at: datetime | None = spread[spread == spread.max()].index[0].to_pydatetime()
            earliest, latest = spread.index[0].to_pydatetime(), spread.index[-1].to_pydatetime()
        else:
            due_at = earliest = latest = None
        overdue = 0
        if milestone in ("unit_submission", "district_review"):
            if milestone == "unit_submission":
                done_mask = units["status"].isin(SUBMITTED_STATUSES) if len(units) else pd.Series(dtype=bool)
                done_at = pd.to_datetime(units["kept_submitted_at"]) if len(units) else pd.Series(dtype="datetime64[ns]")
            else:
                done_mask = units["status"].eq("approved") if len(units) else pd.Series(dtype=bool)
                done_at = pd.to_datetime(units["approved_at"]) if len(units) else pd.Series(dtype="datetime64[ns]")
            total, done = len(units), int(done_mask.sum())
            recent = int((done_mask & (done_at > start)).sum()) if len(units) else 0
            if len(units) and len(mine):
                if milestone == "unit_submission":  # the unit frame's deadline is this one
                    unit_due = pd.to_datetime(units["due_at"])
                else:
                    own = dues.per_unit[dues.per_unit["milestone"] == milestone]
                    unit_due = units["unit_id"].map(pd.to_datetime(own.set_index("unit_id")["due_at"]))
                overdue = int((unit_due.notna() & (unit_due <= cutoff) & ~done_mask).sum())
        elif milestone == "bank_batch":
            total, done, recent = members["approved"], members["sent"], members["sent_recent"]
        else:
            total, done, recent = members["produced"], members["delivered"], members["delivered_recent"]
        per_day = recent / window_days
        projected: int | None = None
        if due_at is not None:
            days_left = max(0.0, (due_at - cutoff).total_seconds() / 86400)
            projected = min(total, done + round(per_day * days_left))
        finishes: datetime | None = None
        if total and done < total and per_day > 0:
            finishes = cutoff + pd.Timedelta(days=(total - done) / per_day)
        out.append(MilestoneProgress(
            milestone, MILESTONE_MEASURES[milestone][0], due_at, earliest, latest, int(total), int(done), int(recent),
            window_days, projected, finishes, overdue,
        ))
    return out
