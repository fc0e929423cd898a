"""Validation findings aggregated in SQL: by code, by unit, per day, first-pass yield, drill-down.

A finding is *open at the cut-off* when its upload came in at or before the cut-off and it
was closed neither by being resolved (``resolved_at``) nor by a later upload of the same unit
(a new sheet replaces the whole old one), both by the cut-off. A warning also closes when the
list it is on is submitted: the unit saw it and sent the list anyway, so the open warnings are
those on lists not yet submitted. For the latest upload this is
exactly ``metrics.unit_progress``'s ``open_errors``, so the pages agree with the overview.
The page's figures (by code, by unit, per day) are sums over ``finding_count`` (units × codes ×
times, kept by ``summary_more``); only the drill-down into one unit reads its finding rows.
Days are Asia/Shanghai calendar days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import ColumnElement, Date, Integer, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from campaign.masking import mask_id, mask_phone
from campaign.timeutil import TZ, utc_to_local
from data_access import metrics
from data_access.metrics import count_if
from data_access.models import Finding, FindingCount, OrgUnit, Submission, Upload
from data_access.scope import Scope

# Asia/Shanghai has kept UTC+8 all year since 1991, so a fixed offset gives its calendar day.
LOCAL_OFFSET = TZ.utcoffset(datetime(2000, 1, 1)) or timedelta(hours=8)

_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
_PHONE_LIKE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")


def mask_personal_text(text: object) -> object:
    """Mask ID numbers and mobile numbers inside free text (messages, suggestions).

    >>> mask_personal_text("对应的18位号码可能是 11010519491231002X，请核实；电话13812345678")
    '对应的18位号码可能是 110***********002X，请核实；电话138****5678'
    >>> mask_personal_text(None) is None
    True
    """
    if not isinstance(text, str) or not text:
        return text
    text = _ID_LIKE.sub(lambda m: mask_id(m.group(1)), text)
    return _PHONE_LIKE.sub(lambda m: mask_phone(m.group(1)), text)



def local_day(column: ColumnElement[datetime], dialect: str) -> ColumnElement[object]:
    """SQL: the Asia/Shanghai calendar day of a naive UTC timestamp column."""
    hours = int(LOCAL_OFFSET.total_seconds() // 3600)
    if dialect == "sqlite":
        return func.date(column, f"+{hours} hours")
    return cast(column + LOCAL_OFFSET, Date)


def _as_date(value: object) -> date:
    return pd.Timestamp(value).date()  # type: ignore[arg-type]


def finding_life(campaign_id: int, cutoff: datetime, unit_id: int | None = None):  # type: ignore[no-untyped-def]
    """Subquery: every finding of an upload at or before the cut-off (of one unit, if given),
    with the unit, when it was raised and when it closed (resolved, or superseded by the unit's
    next upload)."""
    # a finding closes with the next upload of the same list (the unit's file for that workshop)
    next_at = func.lead(Upload.uploaded_at).over(
        partition_by=(Upload.unit_id, Upload.part), order_by=(Upload.uploaded_at, Upload.id)
    )
    # A warning is settled once the list it is on has been submitted (the unit saw it and sent
    # the list anyway): the unit's first submission at or after the upload, by the cut-off.
    submitted_after = (
        select(func.min(Submission.submitted_at))
        .where(
            Submission.campaign_id == campaign_id,
            Submission.unit_id == Upload.unit_id,
            Submission.submitted_at >= Upload.uploaded_at,
            Submission.submitted_at <= cutoff,
        )
        .correlate(Upload)
        .scalar_subquery()
    )
    uploads = (
        select(
            Upload.id, Upload.unit_id, Upload.uploaded_at, Upload.file_name, next_at.label("next_at"),
            submitted_after.label("submitted_at"),
        )
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff, *([Upload.unit_id == unit_id] if unit_id is not None else []))
        .subquery("up_seq")
    )
    resolved = case((Finding.resolved_at <= cutoff, Finding.resolved_at), else_=None)
    settled = case(  # the earlier of: resolved, and (warnings only) submitted
        (Finding.severity != "warning", resolved),
        (uploads.c.submitted_at.is_(None), resolved),
        (resolved.is_(None), uploads.c.submitted_at),
        (resolved < uploads.c.submitted_at, resolved),
        else_=uploads.c.submitted_at,
    )
    closed_at = case(
        (settled.is_(None), uploads.c.next_at),
        (uploads.c.next_at.is_(None), settled),
        (settled < uploads.c.next_at, settled),
        else_=uploads.c.next_at,
    )
    return (
        select(
            Finding.id.label("finding_id"),
            Finding.upload_id,
            uploads.c.unit_id,
            uploads.c.file_name,
            uploads.c.uploaded_at.label("raised_at"),
            closed_at.label("closed_at"),
            Finding.row,
            Finding.column,
            Finding.code,
            Finding.severity,
            Finding.message,
            Finding.suggestion,
        )
        .join(uploads, uploads.c.id == Finding.upload_id)
        .subquery("finding_life")
    )


def _is_open(life, cutoff: datetime) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    return or_(life.c.closed_at.is_(None), life.c.closed_at > cutoff)


def _summed(measure: str) -> ColumnElement[int]:
    """SQL: the sum of one ``finding_count`` column (0 on an empty group), as an integer."""
    return cast(func.coalesce(func.sum(getattr(FindingCount, measure)), 0), Integer)


def _per_unit(scope: Scope, campaign_id: int, cutoff: datetime, *extra: ColumnElement[bool]):  # type: ignore[no-untyped-def]
    """Subquery: per unit, code and severity in the scope, the findings raised and open at the
    cut-off (sums over ``finding_count``, never over findings)."""
    fc = FindingCount
    unit = aliased(OrgUnit)
    return (
        select(
            fc.unit_id, fc.code, fc.severity,
            _summed("raised").label("raised"),
            _summed("open").label("open"),
        )
        .join(unit, unit.id == fc.unit_id)
        .where(fc.campaign_id == campaign_id, fc.at <= cutoff, scope.org_filter(unit), *extra)
        .group_by(fc.unit_id, fc.code, fc.severity)
        .subquery("unit_findings")
    )


def by_code(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Per finding code and severity: findings raised so far, open now, units with it open."""
    per_unit = _per_unit(scope, campaign_id, cutoff)
    query = (
        select(
            per_unit.c.code,
            per_unit.c.severity,
            cast(func.sum(per_unit.c.raised), Integer).label("raised"),
            cast(func.sum(per_unit.c.open), Integer).label("open"),
            count_if(per_unit.c.open > 0).label("units_open"),
        )
        .group_by(per_unit.c.code, per_unit.c.severity)
        .having(func.sum(per_unit.c.raised) > 0)
    )
    frame = metrics.rows_frame(session, query, ["code", "severity", "raised", "open", "units_open"])
    if frame.empty:
        return frame
    return frame.sort_values(["open", "raised", "code"], ascending=[False, False, True]).reset_index(drop=True)


def by_unit(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Units with open findings at the cut-off, most open errors first."""
    fc = FindingCount
    scoped = aliased(OrgUnit)
    counts = (
        select(
            fc.unit_id,
            cast(func.sum(case((fc.severity == "error", fc.open), else_=0)), Integer).label("open_errors"),
            cast(func.sum(case((fc.severity == "warning", fc.open), else_=0)), Integer).label("open_warnings"),
        )
        .join(scoped, scoped.id == fc.unit_id)
        .where(fc.campaign_id == campaign_id, fc.at <= cutoff, scope.org_filter(scoped))
        .group_by(fc.unit_id)
        .having(func.sum(fc.open) > 0)
        .subquery("open_counts")
    )
    unit = aliased(OrgUnit)
    area = aliased(OrgUnit)
    uploads = (
        select(Upload.unit_id, func.count().label("uploads"), func.max(Upload.uploaded_at).label("last_upload_at"))
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff)
        .group_by(Upload.unit_id)
        .subquery("unit_uploads")
    )
    query = (
        select(
            unit.id.label("unit_id"),
            unit.name.label("unit_name"),
            area.name.label("area_name"),
            unit.contact_name,
            counts.c.open_errors,
            counts.c.open_warnings,
            uploads.c.uploads,
            uploads.c.last_upload_at,
        )
        .select_from(counts)
        .join(unit, unit.id == counts.c.unit_id)
        .join(area, area.id == unit.area_id, isouter=True)
        .join(uploads, uploads.c.unit_id == unit.id)
        .order_by(counts.c.open_errors.desc(), counts.c.open_warnings.desc(), unit.code)
    )
    columns = ["unit_id", "unit_name", "area_name", "contact_name", "open_errors", "open_warnings", "uploads", "last_upload_at"]
    return metrics.rows_frame(session, query, columns)


def daily_trend(
    session: Session,
    scope: Scope,
    campaign_id: int,
    cutoff: datetime,
    severity: str | None = "error",
    code: str | None = None,
) -> pd.DataFrame:
    """Per Asia/Shanghai day up to the cut-off: findings raised, closed, and open at day's end.

    Days run from the first day a finding was raised to the cut-off's day, without gaps. The
    ``finding_count`` rows are summed per day in SQL (``raised`` and ``closed`` only grow).
    """
    dialect = session.get_bind().dialect.name
    fc = FindingCount
    unit = aliased(OrgUnit)
    conditions = [fc.campaign_id == campaign_id, fc.at <= cutoff, scope.org_filter(unit)]
    if severity:
        conditions.append(fc.severity == severity)
    if code:
        conditions.append(fc.code == code)
    day = local_day(fc.at, dialect).label("day")
    query = (
        select(day, _summed("raised").label("raised"), _summed("closed").label("closed"))
        .join(unit, unit.id == fc.unit_id)
        .where(*conditions)
        .group_by(day)
    )
    rows = [(_as_date(d), int(r), int(c)) for d, r, c in session.execute(query).all()]
    raised = pd.Series({d: r for d, r, _c in rows if r}, dtype="int64")
    closed = pd.Series({d: c for d, _r, c in rows if c}, dtype="int64")
    if raised.empty:
        return pd.DataFrame({"day": [], "raised": [], "closed": [], "open": []})
    days = pd.date_range(min(raised.index), utc_to_local(cutoff).date(), freq="D").date
    frame = pd.DataFrame({"day": days})
    frame["raised"] = frame["day"].map(raised).fillna(0).astype("int64")
    frame["closed"] = frame["day"].map(closed).fillna(0).astype("int64")
    frame["open"] = frame["raised"].cumsum() - frame["closed"].cumsum()
    return frame


@dataclass(frozen=True)
class YieldSummary:
    """How units got to a clean sheet: first-pass yield and attempts until clean."""

    units_uploaded: int
    clean_first_try: int
    units_clean: int
    attempts: pd.DataFrame  # attempts_until_clean (None: not clean yet), units

    @property
    def first_pass_yield(self) -> float | None:
        """Units clean on their first upload / units that uploaded (DESIGN.md)."""
        return self.clean_first_try / self.units_uploaded if self.units_uploaded else None

    @property
    def mean_attempts(self) -> float | None:
        """Mean uploads until the first clean one, over the units that got there."""
        clean = self.attempts.dropna(subset=["attempts_until_clean"])
        if clean.empty:
            return None
        return float((clean["attempts_until_clean"] * clean["units"]).sum() / clean["units"].sum())


def attempts_until_clean(scope: Scope, campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    """Subquery: per unit that uploaded by the cut-off, its uploads and the number of the first
    clean one (no errors), counting uploads in time order; None when none was clean yet."""
    unit = aliased(OrgUnit)
    ranked = (
        select(
            Upload.unit_id,
            Upload.error_count,
            func.row_number().over(partition_by=Upload.unit_id, order_by=(Upload.uploaded_at, Upload.id)).label("n"),
        )
        .join(unit, unit.id == Upload.unit_id)
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff, scope.org_filter(unit))
        .subquery("upload_seq")
    )
    return (
        select(
            ranked.c.unit_id,
            func.count().label("uploads"),
            func.min(case((ranked.c.error_count == 0, ranked.c.n), else_=None)).label("attempts_until_clean"),
        )
        .group_by(ranked.c.unit_id)
        .subquery("unit_attempts")
    )


def yield_summary(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> YieldSummary:
    """First-pass yield and the distribution of attempts until clean, aggregated in SQL."""
    per_unit = attempts_until_clean(scope, campaign_id, cutoff)
    query = (
        select(per_unit.c.attempts_until_clean, func.count().label("units"))
        .group_by(per_unit.c.attempts_until_clean)
        .order_by(per_unit.c.attempts_until_clean)
    )
    frame = metrics.rows_frame(session, query, ["attempts_until_clean", "units"])
    if frame.empty:
        return YieldSummary(0, 0, 0, frame)
    frame["units"] = frame["units"].astype("int64")
    clean = frame.dropna(subset=["attempts_until_clean"])
    return YieldSummary(
        units_uploaded=int(frame["units"].sum()),
        clean_first_try=int(clean.loc[clean["attempts_until_clean"] == 1, "units"].sum()),
        units_clean=int(clean["units"].sum()),
        attempts=frame,
    )


def unit_findings(
    session: Session,
    scope: Scope,
    campaign_id: int,
    unit_id: int,
    cutoff: datetime,
    *,
    open_only: bool = True,
    mask: bool = True,
) -> pd.DataFrame:
    """One unit's findings (open ones first, then by upload and row); empty outside the scope.

    With ``mask``, ID and mobile numbers inside messages and suggestions are masked. Reads
    that unit's uploads and findings only.
    """
    life = finding_life(campaign_id, cutoff, unit_id)
    unit = aliased(OrgUnit)
    is_open = _is_open(life, cutoff)
    query = (
        select(
            life.c.finding_id,
            life.c.file_name,
            life.c.raised_at,
            life.c.row,
            life.c.column,
            life.c.code,
            life.c.severity,
            life.c.message,
            life.c.suggestion,
            case((is_open, literal(True)), else_=literal(False)).label("is_open"),
            life.c.closed_at,
        )
        .join(unit, unit.id == life.c.unit_id)
        .where(life.c.unit_id == unit_id, scope.org_filter(unit), *([is_open] if open_only else []))
        .order_by(
            case((is_open, 0), else_=1),
            life.c.raised_at.desc(),
            case((life.c.severity == "error", 0), else_=1),
            life.c.row,
            life.c.finding_id,
        )
    )
    columns = ["finding_id", "file_name", "raised_at", "row", "column", "code", "severity", "message", "suggestion", "is_open", "closed_at"]
    frame = metrics.rows_frame(session, query, columns)
    if not frame.empty:
        frame["is_open"] = frame["is_open"].astype(bool)
        if mask:
            frame["message"] = frame["message"].map(mask_personal_text)
            frame["suggestion"] = frame["suggestion"].map(mask_personal_text)
    return frame
