"""The campaign's metrics, defined once, in SQL, as of a cut-off time and within a scope.

Definitions (DESIGN.md): submission rate = units with a submission / units expected; on-time
rate = units whose first submission beat their (possibly extended) deadline / units expected;
coverage = members validated or further / expected members; first-pass yield = units whose
first upload was clean / units that uploaded; bank success = produced / results received;
recovery = failed members later produced / failed members; distribution = delivered / produced.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from data_access import deadlines, summary
from data_access.models import BankResultCount, Deadline, Finding, OrgUnit, PaperReceipt, Submission, Upload
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


def _latest_upload(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per unit: rows and open errors of the latest upload at the cut-off, and first-try cleanliness."""
    ranked = (
        select(
            Upload.id,
            Upload.unit_id,
            Upload.rows,
            Upload.error_count,
            Upload.attempt,
            func.row_number().over(partition_by=Upload.unit_id, order_by=Upload.uploaded_at.desc()).label("rn"),
        )
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .subquery("ranked")
    )
    first_upload_at = (
        select(Upload.unit_id, func.min(Upload.uploaded_at).label("first_at"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("first_up")
    )
    first = aliased(Upload)
    first_clean = (
        select(first.unit_id, case((first.error_count == 0, 1), else_=0).label("first_clean"))
        .join(first_upload_at, and_(first_upload_at.c.unit_id == first.unit_id, first_upload_at.c.first_at == first.uploaded_at))
        .subquery("first_clean")
    )
    attempts = (
        select(Upload.unit_id, func.count().label("uploads"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("attempts")
    )
    open_errors = (
        select(Finding.upload_id, func.count().label("open_errors"))
        .where(Finding.severity == "error", or_(Finding.resolved_at.is_(None), Finding.resolved_at > cutoff))
        .group_by(Finding.upload_id)
        .subquery("open_err")
    )
    return (
        select(
            ranked.c.unit_id,
            ranked.c.rows.label("collected"),
            func.coalesce(open_errors.c.open_errors, 0).label("open_errors"),
            func.coalesce(first_clean.c.first_clean, 0).label("first_clean"),
            attempts.c.uploads,
        )
        .outerjoin(open_errors, open_errors.c.upload_id == ranked.c.id)
        .outerjoin(first_clean, first_clean.c.unit_id == ranked.c.unit_id)
        .outerjoin(attempts, attempts.c.unit_id == ranked.c.unit_id)
        .where(ranked.c.rn == 1)
        .subquery("latest")
    )


def _submission_state(campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Per unit: first submission time, whether the latest one is returned, approved, pending."""
    # Paper as received by the cut-off: the latest receipt recorded by then (the submission's
    # paper_* columns cache the latest receipt of all; rows loaded in bulk have no receipts).
    receipts = (
        select(
            PaperReceipt.submission_id,
            PaperReceipt.sheet,
            PaperReceipt.unit_form,
            PaperReceipt.id_copies,
            PaperReceipt.consents,
            func.row_number().over(
                partition_by=PaperReceipt.submission_id, order_by=(PaperReceipt.at.desc(), PaperReceipt.id.desc())
            ).label("rn"),
        )
        .where(PaperReceipt.at <= cutoff)
        .subquery("receipts")
    )
    latest = aliased(receipts, name="latest_receipt")
    any_receipt = select(PaperReceipt.id).where(PaperReceipt.submission_id == Submission.id).exists()
    members = func.coalesce(Submission.member_count, 0)

    def shortfall(needed: object, received: object) -> object:
        return case((latest.c.submission_id.is_not(None), case((needed > received, needed - received), else_=0)))

    def paper(received: object, cached: object) -> object:
        return case((latest.c.submission_id.is_not(None), received), (any_receipt, literal(False)), else_=cached)

    ranked = (
        select(
            Submission.unit_id,
            Submission.submitted_at,
            Submission.on_time,
            case((Submission.reviewed_at <= cutoff, Submission.outcome), else_=literal("pending")).label("outcome"),
            paper(latest.c.sheet, Submission.paper_sheet).label("paper_sheet"),
            paper(latest.c.unit_form, Submission.paper_unit_form).label("paper_unit_form"),
            paper(latest.c.id_copies >= 2 * members, Submission.paper_id_copies).label("paper_id_copies"),
            paper(latest.c.consents >= members, Submission.paper_consents).label("paper_consents"),
            # how many are still missing, where a receipt counted them (None: not counted)
            shortfall(2 * members, latest.c.id_copies).label("id_copies_missing"),
            shortfall(members, latest.c.consents).label("consents_missing"),
            func.row_number().over(partition_by=Submission.unit_id, order_by=Submission.submitted_at.desc()).label("rn"),
        )
        .outerjoin(latest, and_(latest.c.submission_id == Submission.id, latest.c.rn == 1))
        .where(Submission.campaign_id == campaign_id, Submission.submitted_at <= cutoff)
        .subquery("sranked")
    )
    firsts = (
        select(Submission.unit_id, func.min(Submission.submitted_at).label("first_submitted_at"))
        .where(Submission.campaign_id == campaign_id, Submission.submitted_at <= cutoff)
        .group_by(Submission.unit_id)
        .subquery("sfirst")
    )
    return (
        select(
            ranked.c.unit_id,
            firsts.c.first_submitted_at,
            ranked.c.submitted_at.label("last_submitted_at"),
            ranked.c.outcome,
            ranked.c.paper_sheet,
            ranked.c.paper_unit_form,
            ranked.c.paper_id_copies,
            ranked.c.paper_consents,
            ranked.c.id_copies_missing,
            ranked.c.consents_missing,
        )
        .join(firsts, firsts.c.unit_id == ranked.c.unit_id)
        .where(ranked.c.rn == 1)
        .subquery("sstate")
    )


UNIT_STATUSES = ("not_started", "errors", "clean", "submitted", "returned", "approved")


def unit_progress(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """One row per unit in scope with everything the progress pages need about it."""
    unit = aliased(OrgUnit)
    district = aliased(OrgUnit)
    area = aliased(OrgUnit)
    due = unit_deadlines(campaign_id, cutoff=cutoff).subquery("dl")
    mc = _member_counts(campaign_id, cutoff)
    latest = _latest_upload(campaign_id, cutoff)
    sstate = _submission_state(campaign_id, cutoff)
    status = case(
        (sstate.c.outcome == "approved", literal("approved")),
        (sstate.c.outcome == "returned", literal("returned")),
        (sstate.c.unit_id.is_not(None), literal("submitted")),
        (latest.c.unit_id.is_(None), literal("not_started")),
        (latest.c.open_errors > 0, literal("errors")),
        else_=literal("clean"),
    )
    query = (
        select(
            unit.id.label("unit_id"),
            unit.code,
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
            due.c.due_at,
            status.label("status"),
            sstate.c.first_submitted_at,
            sstate.c.last_submitted_at,
            sstate.c.paper_sheet,
            sstate.c.paper_unit_form,
            sstate.c.paper_id_copies,
            sstate.c.paper_consents,
            sstate.c.id_copies_missing,
            sstate.c.consents_missing,
            func.coalesce(latest.c.collected, 0).label("collected"),
            func.coalesce(latest.c.open_errors, 0).label("open_errors"),
            func.coalesce(latest.c.uploads, 0).label("uploads"),
            latest.c.first_clean,
            *(func.coalesce(col, 0).label(col.name) for col in mc.c if col.name != "unit_id"),
        )
        .join(due, due.c.unit_id == unit.id, isouter=True)
        .join(district, district.id == unit.district_id, isouter=True)
        .join(area, area.id == unit.area_id, isouter=True)
        .join(mc, mc.c.unit_id == unit.id, isouter=True)
        .join(latest, latest.c.unit_id == unit.id, isouter=True)
        .join(sstate, sstate.c.unit_id == unit.id, isouter=True)
        .where(unit.level == "unit", scope.org_filter(unit))
        .order_by(unit.code)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all())
    if frame.empty:
        return frame
    submitted = frame["first_submitted_at"].notna()
    due = pd.to_datetime(frame["due_at"])
    first = pd.to_datetime(frame["first_submitted_at"])
    frame["on_time"] = submitted & due.notna() & (first <= due)
    frame["hours_early"] = (due - first).dt.total_seconds() / 3600
    overdue = due.notna() & (due < cutoff)
    frame["late"] = overdue & (~submitted | (frame["status"] == "returned"))
    frame["days_overdue"] = ((cutoff - due).dt.total_seconds() / 86400).where(frame["late"], 0.0)
    return frame


def at_risk(frame: pd.DataFrame, cutoff: datetime, days: int = 3) -> pd.Series:
    """Units due within ``days`` of the cut-off that have uploaded nothing yet."""
    due = pd.to_datetime(frame["due_at"])
    soon = (due >= cutoff) & (due <= cutoff + pd.Timedelta(days=days))
    return soon & (frame["status"] == "not_started")


@dataclass(frozen=True)
class Headline:
    """The overview's headline figures at one cut-off."""

    units_expected: int
    units_submitted: int
    units_on_time: int
    members_expected: int
    members_validated: int
    open_errors: int
    results_received: int
    produced: int
    delivered: int
    late_units: int

    @property
    def submission_rate(self) -> float | None:
        return _ratio(self.units_submitted, self.units_expected)

    @property
    def on_time_rate(self) -> float | None:
        return _ratio(self.units_on_time, self.units_expected)

    @property
    def coverage(self) -> float | None:
        return _ratio(self.members_validated, self.members_expected)

    @property
    def bank_success_rate(self) -> float | None:
        return _ratio(self.produced, self.results_received)

    @property
    def distribution_rate(self) -> float | None:
        return _ratio(self.delivered, self.produced)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


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
    """The headline figures for the scope at the cut-off."""
    units = unit_progress(session, scope, campaign_id, cutoff)
    return headline_of(units, *bank_results_received(session, scope, campaign_id, cutoff))


def headline_of(units: pd.DataFrame, results_received: int, produced: int) -> Headline:
    """The headline figures from a unit_progress frame and the bank's result counts."""
    if units.empty:
        return Headline(0, 0, 0, 0, 0, 0, results_received, produced, 0, 0)
    return Headline(
        units_expected=len(units),
        units_submitted=int(units["first_submitted_at"].notna().sum()),
        units_on_time=int(units["on_time"].sum()),
        members_expected=int(units["expected_members"].sum()),
        members_validated=int(units["validated"].sum()),
        open_errors=int(units["open_errors"].sum()),
        results_received=results_received,
        produced=produced,
        delivered=int(units["delivered"].sum()),
        late_units=int(units["late"].sum()),
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
    frame = units.assign(submitted_unit=units["first_submitted_at"].notna(), units=1)
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
        units_on_time=("on_time", "sum"),
        late_units=("late", "sum"),
        expected_members=("expected_members", "sum"),
        validated=("validated", "sum"),
        produced=("produced", "sum"),
        delivered=("delivered", "sum"),
        open_errors=("open_errors", "sum"),
    )
    grouped = grouped.rename(columns={key: "org_id", name: "org_name"})
    grouped["submission_rate"] = grouped["units_submitted"] / grouped["units"]
    grouped["on_time_rate"] = grouped["units_on_time"] / grouped["units"]
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
    first = pd.to_datetime(units["first_submitted_at"])
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


def cumulative_submissions(units: pd.DataFrame) -> pd.DataFrame:
    """Units with a first submission, cumulated per Shanghai calendar day (the burn-up)."""
    if units.empty or units["first_submitted_at"].notna().sum() == 0:
        return pd.DataFrame({"day": [], "submitted": []})
    local = pd.to_datetime(units["first_submitted_at"].dropna()) + pd.Timedelta(hours=8)
    per_day = local.dt.normalize().value_counts().sort_index()
    return pd.DataFrame({"day": per_day.index, "submitted": per_day.cumsum().to_numpy()})
