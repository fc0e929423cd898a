"""The submissions board: every unit against its deadline, and the liaison's chase list."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from data_access import metrics
from data_access.chase import last_chases
from data_access.deadlines import live_at
from data_access.models import Deadline, OrgUnit, Submission
from data_access.scope import Scope

PAPER_MATERIALS = ("sheet", "unit_form", "id_copies", "consents")
AT_RISK_DAYS = metrics.AT_RISK_DAYS


def _extensions(session: Session, scope: Scope, campaign_id: int, cutoff: datetime | None = None) -> pd.DataFrame:
    """Units in scope with their own (extended) submission deadline in force at the cut-off,
    and its note (the reason)."""
    unit = aliased(OrgUnit)
    ranked = (
        select(
            Deadline.org_unit_id.label("unit_id"),
            Deadline.note.label("extension_note"),
            func.row_number().over(
                partition_by=Deadline.org_unit_id, order_by=(Deadline.is_extension.desc(), Deadline.due_at.desc())
            ).label("rn"),
        )
        .join(unit, unit.id == Deadline.org_unit_id)
        .where(
            Deadline.campaign_id == campaign_id,
            Deadline.milestone == "unit_submission",
            live_at(cutoff),
            unit.level == "unit",
            scope.org_filter(unit),
        )
        .subquery("unit_dl")
    )
    query = select(ranked.c.unit_id, ranked.c.extension_note).where(ranked.c.rn == 1)
    return metrics.rows_frame(session, query, ["unit_id", "extension_note"]).assign(extended=True)


def _return_reasons(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Per unit whose latest submission was returned by the cut-off: the reason given."""
    unit = aliased(OrgUnit)
    ranked = (
        select(
            Submission.unit_id,
            Submission.outcome,
            Submission.reviewed_at,
            Submission.return_reason,
            func.row_number().over(partition_by=Submission.unit_id, order_by=(Submission.submitted_at.desc(), Submission.id.desc())).label("rn"),
        )
        .join(unit, unit.id == Submission.unit_id)
        .where(Submission.campaign_id == campaign_id, Submission.submitted_at <= cutoff, scope.org_filter(unit))
        .subquery("latest_sub")
    )
    query = select(ranked.c.unit_id, ranked.c.return_reason).where(
        and_(ranked.c.rn == 1, ranked.c.outcome == "returned", ranked.c.reviewed_at <= cutoff)
    )
    return metrics.rows_frame(session, query, ["unit_id", "return_reason"])


def missing_materials(row: pd.Series) -> tuple[str, ...]:
    """Paper materials the unit's latest submission still lacks (all of them before it submits)."""
    if pd.isna(row.get("last_submitted_at")):
        return PAPER_MATERIALS
    return tuple(name for name in PAPER_MATERIALS if not bool(row.get(f"paper_{name}")))


def _missing_by_bits() -> np.ndarray:
    """Every combination of missing materials, indexed by a bit per material (bit i set:
    ``PAPER_MATERIALS[i]`` missing)."""
    table = np.empty(1 << len(PAPER_MATERIALS), dtype=object)
    for bits in range(len(table)):
        table[bits] = tuple(name for i, name in enumerate(PAPER_MATERIALS) if bits >> i & 1)
    return table


_MISSING_BY_BITS = _missing_by_bits()


def missing_materials_column(board: pd.DataFrame) -> pd.Series:
    """``missing_materials`` of every row at once (a tuple per unit, in the board's index)."""
    bits = np.zeros(len(board), dtype=np.int64)
    for i, name in enumerate(PAPER_MATERIALS):
        lacking = ~board[f"paper_{name}"].map(bool, na_action=None).to_numpy(dtype=bool)
        bits |= lacking.astype(np.int64) << i
    bits[board["last_submitted_at"].isna().to_numpy()] = (1 << len(PAPER_MATERIALS)) - 1
    return pd.Series(_MISSING_BY_BITS[bits], index=board.index, dtype=object)


def submission_board(
    session: Session,
    scope: Scope,
    campaign_id: int,
    cutoff: datetime,
    risk_days: int = AT_RISK_DAYS,
    units: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """``metrics.unit_progress`` plus what the submissions page adds: extension flag and note,
    return reason, missing paper materials, members outstanding, at-risk flag, last chase.
    ``units``: the scope's ``unit_progress`` at the cut-off, where the caller has it already."""
    if units is None:
        units = metrics.unit_progress(session, scope, campaign_id, cutoff)
    if units.empty:
        return units
    board = (
        units.merge(_extensions(session, scope, campaign_id, cutoff), on="unit_id", how="left")
        .merge(_return_reasons(session, scope, campaign_id, cutoff), on="unit_id", how="left")
        .merge(last_chases(session, scope, cutoff), on="unit_id", how="left")
    )
    board["extended"] = board["extended"].eq(True)
    if risk_days != metrics.AT_RISK_DAYS:
        board["at_risk"] = metrics.at_risk(board, cutoff, risk_days)
    board["missing_materials"] = missing_materials_column(board)
    board["members_outstanding"] = (board["expected_members"] - board["submitted"]).clip(lower=0).astype("int64")
    board["chases"] = board["chases"].fillna(0).astype("int64")
    return board


def at_risk_by_state(board: pd.DataFrame) -> dict[str, int]:
    """At-risk units split by state: not started, errors, clean not submitted, returned."""
    return {s: n for s, n in metrics.status_counts(board, board["at_risk"]).items() if s in metrics.NOT_SUBMITTED_STATUSES}


def chase_list(board: pd.DataFrame) -> pd.DataFrame:
    """Units to chase: overdue (deadline passed, not submitted: late or returned) and at risk
    (not submitted, due within three days), most days overdue first, then most members
    outstanding."""
    if board.empty:
        return board
    wanted = board[board["overdue"] | board["at_risk"]]
    return wanted.sort_values(
        ["days_overdue", "members_outstanding", "code"], ascending=[False, False, True]
    ).reset_index(drop=True)
