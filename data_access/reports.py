"""Gathering the tables of the exported reports for a scope and cut-off (the workbook and
bulletin builders in campaign/reports take what this returns; personal data masked per role)."""

from __future__ import annotations

from datetime import date, datetime
from string import Formatter
from typing import Any

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from campaign.i18n import has, t
from campaign.reports.bulletin import BulletinInput
from campaign.reports.progress_workbook import ProgressReport
from campaign.timeutil import now_utc
from data_access import bank, distribution, metrics
from data_access.models import Finding, OrgUnit, Upload
from data_access.scope import Scope


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "…"


def finding_name(code: str, lang: str = "zh") -> str:
    """A finding code's message with its placeholders shown as '…'."""
    key = f"finding.{code}"
    if not has(key):
        return code
    template = t(key, lang)
    return Formatter().vformat(template, (), _Blank()) if "{" in template else template


def validation_errors(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Open findings of each unit's latest upload at the cut-off, per code and severity."""
    ranked = (
        select(
            Upload.id, Upload.unit_id,
            func.row_number().over(partition_by=Upload.unit_id, order_by=Upload.uploaded_at.desc()).label("rn"),
        )
        .join(OrgUnit, OrgUnit.id == Upload.unit_id)
        .where(Upload.campaign_id == campaign_id, Upload.uploaded_at <= cutoff, scope.org_filter(OrgUnit))
        .subquery("latest_up")
    )
    query = (
        select(
            Finding.code, Finding.severity,
            func.count().label("findings"),
            func.count(func.distinct(ranked.c.unit_id)).label("units"),
        )
        .join(ranked, and_(ranked.c.id == Finding.upload_id, ranked.c.rn == 1))
        .where(or_(Finding.resolved_at.is_(None), Finding.resolved_at > cutoff))
        .group_by(Finding.code, Finding.severity)
    )
    frame = pd.DataFrame(session.execute(query).mappings().all(), columns=["code", "severity", "findings", "units"])
    if frame.empty:
        return frame.assign(error_name=pd.Series(dtype=str))
    frame["error_name"] = [finding_name(code) for code in frame["code"]]
    frame["_sev"] = (frame["severity"] != "error").astype(int)
    return frame.sort_values(["_sev", "findings", "code"], ascending=[True, False, True]).drop(columns="_sev").reset_index(drop=True)


def _with_org(frame: pd.DataFrame, units: pd.DataFrame, key: str = "org_id") -> pd.DataFrame:
    names = units[["unit_id", "district_name", "area_name"]].rename(columns={"unit_id": key})
    return frame.merge(names, on=key, how="left")


def figures(units: pd.DataFrame, head: metrics.Headline, loop: bank.CorrectionLoop, waiting: int) -> dict[str, float | int | None]:
    """The headline figures of the cover and the bulletin."""
    return {
        "units_expected": head.units_expected,
        **{f"status_{status}": count for status, count in head.statuses},
        "units_submitted": head.units_submitted, "submission_rate": head.submission_rate,
        "units_due": head.units_due, "units_on_time": head.units_on_time, "on_time_rate": head.on_time_rate,
        "units_not_due": head.units_not_due, "late_units": head.late_units, "units_at_risk": head.units_at_risk,
        "members_expected": head.members_expected, "members_validated": head.members_validated,
        "coverage": head.coverage, "open_errors": head.open_errors,
        "results_received": head.results_received, "produced": head.produced,
        "bank_success_rate": head.bank_success_rate, "failures_open": loop.still_open,
        "recovery_rate": loop.recovery_rate, "delivered": head.delivered,
        "distribution_rate": head.distribution_rate, "waiting_at_district": waiting,
    }


def progress_report(
    session: Session, scope: Scope, campaign_id: int, campaign_name: str, scope_label: str,
    as_of: date, cutoff: datetime, *, exported_by: str, full_pii: bool,
) -> ProgressReport:
    """Every table of the progress workbook for the scope at the cut-off."""
    units = metrics.unit_progress(session, scope, campaign_id, cutoff)
    head = metrics.headline_of(units, *metrics.bank_results_received(session, scope, campaign_id, cutoff))  # = metrics.headline
    loop = bank.correction_loop(session, scope, campaign_id, cutoff)
    waiting = distribution.waiting_cards(session, scope, campaign_id, cutoff)
    if units.empty:
        units = pd.DataFrame(columns=["unit_id", "district_name", "area_name", "late", "coverage", "days_overdue"])
    else:
        units = units.assign(coverage=units["validated"] / units["expected_members"].where(units["expected_members"] > 0))
    late = units[units["late"].astype(bool)].sort_values("days_overdue", ascending=False) if len(units) else units
    bank_units = _with_org(bank.rates_by(session, scope, campaign_id, cutoff, "unit"), units)
    dist = distribution.unit_table(units)
    return ProgressReport(
        campaign_name=campaign_name, scope_label=scope_label, as_of=as_of, taken_at=now_utc(),
        exported_by=exported_by, masked=not full_pii,
        figures=figures(units, head, loop, int(waiting["cards"].sum())),
        units=units, late_units=late,
        validation_errors=validation_errors(session, scope, campaign_id, cutoff),
        bank_units=bank_units.sort_values(["district_name", "area_name", "org_name"]).reset_index(drop=True) if len(bank_units) else bank_units,
        batches=bank.batches(session, scope, campaign_id, cutoff),
        open_failures=bank.open_failures(session, scope, campaign_id, cutoff, full_pii=full_pii),
        distribution=dist,
    )


def group_level(units: pd.DataFrame) -> str:
    """Rank districts when the scope spans several, else liaison areas."""
    if len(units) and units["district_id"].nunique() > 1:
        return "district"
    return "area"


# What the bulletin reads of each unit (its unit ranking); the rest of ``unit_progress`` stays out.
BULLETIN_UNIT_COLUMNS = ["unit_name", "district_name", "area_name", "status", "expected_members", "validated"]


def bulletin_input(
    session: Session, scope: Scope, campaign_id: int, campaign_name: str, scope_label: str,
    as_of: date, cutoff: datetime, units: pd.DataFrame | None = None,
) -> BulletinInput:
    """What the bulletin ranks and says (no personal data). ``units``: the same scope's
    ``metrics.unit_progress`` at the same cut-off, when the caller holds it already (the
    reports page has it cached); the result keeps only the unit columns the bulletin reads."""
    if units is None:
        units = metrics.unit_progress(session, scope, campaign_id, cutoff)
    head = metrics.headline_of(units, *metrics.bank_results_received(session, scope, campaign_id, cutoff))  # = metrics.headline
    loop = bank.correction_loop(session, scope, campaign_id, cutoff)
    level = group_level(units)
    groups = metrics.rollup(units, level) if len(units) else pd.DataFrame(
        columns=["org_id", "org_name", "units", "units_submitted", "submission_rate", "on_time_rate", "late_units", "validated", "coverage"]
    )
    return BulletinInput(
        campaign_name=campaign_name, scope_label=scope_label, as_of=as_of, group_level=level,
        groups=groups, units=units[BULLETIN_UNIT_COLUMNS] if len(units) else pd.DataFrame(columns=BULLETIN_UNIT_COLUMNS),
        figures=figures(units, head, loop, 0),
    )


def split_targets(session: Session, scope: Scope) -> dict[str, list[tuple[int, str]]]:
    """Districts and liaison areas inside a scope (to export one report each)."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.level)
        .where(OrgUnit.level.in_(("district", "area")), scope.org_filter(OrgUnit))
        .order_by(OrgUnit.code)
    ).all()
    out: dict[str, list[tuple[int, str]]] = {"district": [], "area": []}
    for org_id, name, level in rows:
        out[level].append((int(org_id), str(name)))
    return out
