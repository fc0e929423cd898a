"""The overview's per-unit reads at past cut-offs: the state history (``unit_state_version``, its
replay against a recount is in test_unit_state.py) and the deadline walk in Python
(``deadlines.unit_deadline_map``) give exactly what the SQL walk and the old milestone query
(kept here as the oracle) give, on the demo and through deadline changes, extensions,
revocations and an org move, at past and present cut-offs, for the city and for subtrees."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session

from data_access import deadlines, metrics
from data_access.actions.campaigns import clear_deadline, grant_extension, revoke_extension, set_deadline
from data_access.db import read_session, write_session
from data_access.models import Campaign, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.test_deadlines import ADMIN, BASE, T0, deep  # noqa: F401  (deep: the fixture)
from tests.data_access.test_summary import districts

# --- the old query, kept as the oracle ------------------------------------------------------


def old_milestone_deadlines(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> metrics.MilestoneDeadlines:
    eff = deadlines.effective_deadlines(campaign_id, None, cutoff, level="unit").subquery("eff")
    in_scope = and_(OrgUnit.id == eff.c.org_id, scope.org_filter(OrgUnit))
    counts = session.execute(
        select(eff.c.milestone, eff.c.due_at, func.count().label("units")).join(OrgUnit, in_scope)
        .group_by(eff.c.milestone, eff.c.due_at)
    ).all()
    per_unit = session.execute(
        select(eff.c.org_id, eff.c.milestone, eff.c.due_at).join(OrgUnit, in_scope)
        .where(eff.c.milestone.in_(metrics.PER_UNIT_MILESTONES))
    ).all()
    return metrics.MilestoneDeadlines(
        pd.DataFrame(counts, columns=["milestone", "due_at", "units"]),
        pd.DataFrame(per_unit, columns=["unit_id", "milestone", "due_at"]),
    )


def sql_walk(session: Session, campaign_id: int, cutoff: datetime | None, scope: Scope) -> dict[str, dict[int, tuple[object, ...]]]:
    """The SQL walk's rows for the units in scope, as ``unit_deadline_map`` gives them."""
    eff = deadlines.effective_deadlines(campaign_id, None, cutoff, level="unit").subquery("eff")
    rows = session.execute(
        select(eff.c.org_id, eff.c.milestone, eff.c.deadline_id, eff.c.due_at, eff.c.is_extension)
        .join(OrgUnit, and_(OrgUnit.id == eff.c.org_id, scope.org_filter(OrgUnit)))
    ).all()
    walked: dict[str, dict[int, tuple[object, ...]]] = {}
    for org_id, milestone, deadline_id, due_at, is_extension in rows:
        walked.setdefault(milestone, {})[org_id] = (deadline_id, due_at, bool(is_extension))
    return walked


# --- checks -----------------------------------------------------------------------------------


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True) if len(frame) else frame


def assert_same_deadlines(session: Session, campaign_id: int, cutoff: datetime | None, scopes: list[Scope]) -> None:
    for scope in scopes:
        where = f"{scope} at {cutoff}"
        walked = deadlines.unit_deadline_map(session, campaign_id, None, cutoff, scope)
        python = {m: {u: (row[0], row[1], bool(row[2])) for u, row in units.items()} for m, units in walked.items() if units}
        assert python == sql_walk(session, campaign_id, cutoff, scope), where
        one = deadlines.unit_deadline_map(session, campaign_id, ["unit_submission"], cutoff, scope)
        assert one.get("unit_submission", {}) == walked.get("unit_submission", {}), where
        # the arrays unit_progress reads its due dates from: any order, ids without a deadline
        arrays = deadlines.unit_deadline_walk(session, campaign_id, ["unit_submission"], cutoff, scope)
        if "unit_submission" in arrays:
            rows = walked["unit_submission"]
            asked = [*sorted(rows, reverse=True), -5, 10**9]
            expected = [rows[u][1] if u in rows else None for u in asked]
            assert arrays["unit_submission"].due_for(asked) == expected, where
        if cutoff is None:
            continue
        new = metrics.milestone_deadlines(session, scope, campaign_id, cutoff)
        old = old_milestone_deadlines(session, scope, campaign_id, cutoff)
        pd.testing.assert_frame_equal(new.counts, _sorted(old.counts), obj=where)
        pd.testing.assert_frame_equal(new.per_unit, _sorted(old.per_unit), obj=where)


# --- tests -------------------------------------------------------------------------------------


def test_demo_deadlines_equal_the_sql_walk_and_the_old_query(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        scopes = [Scope.everything(), *districts(session)[:2]]
        unit = session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.level == "unit").order_by(OrgUnit.code)).first()
        assert unit is not None
        scopes.append(Scope(root_id=unit[0], root_path=unit[1]))
        cutoffs = [DEMO_NOW - timedelta(days=d, hours=h) for d, h in ((0, 0), (1, 0), (7, 0), (3, 5), (12, 17), (30, 0), (90, 0))]
        for cutoff in [*cutoffs, DEMO_NOW + timedelta(days=30), None]:
            assert_same_deadlines(session, campaign_id, cutoff, scopes)


def test_deadline_changes_extensions_revocations_and_a_move(engine: Engine, deep: dict) -> None:  # noqa: F811
    """Deadlines set, superseded, extended, revoked and cleared over time, then an area moved
    to another district: the Python walk equals the SQL walk at every step's time and between."""
    c = deep["campaign"]
    steps = [
        lambda s, at: set_deadline(s, ADMIN, c, "unit_submission", BASE, at=at),
        lambda s, at: set_deadline(s, ADMIN, c, "district_review", BASE + timedelta(days=5), level="district", at=at),
        lambda s, at: set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=2), org_code="D1", at=at),
        lambda s, at: set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=1), level="unit", at=at),
        lambda s, at: grant_extension(s, ADMIN, c, "U1", "unit_submission", BASE + timedelta(days=9), "人多", at=at),
        lambda s, at: set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=3), org_code="D1", at=at),
        lambda s, at: set_deadline(s, ADMIN, c, "bank_batch", BASE + timedelta(days=20), org_code="N", at=at),
        lambda s, at: grant_extension(s, ADMIN, c, "U3", "district_review", BASE + timedelta(days=8), "远", at=at),
        lambda s, at: revoke_extension(s, ADMIN, c, "U1", "unit_submission", at=at),
        lambda s, at: clear_deadline(s, ADMIN, c, "unit_submission", org_code="D1", at=at),
    ]
    times = [T0 + timedelta(hours=5 * (i + 1)) for i in range(len(steps))]
    for step, at in zip(steps, times, strict=True):
        with write_session(engine) as s:
            step(s, at)
    with write_session(engine) as s:  # the area A1 (with U1, U2) moves from D1 to D2
        area = s.get(OrgUnit, deep["A1"])
        assert area is not None
        area.parent_id = deep["D2"]
        old_path = area.path
        for org in s.scalars(select(OrgUnit).where(OrgUnit.path.startswith(old_path))).all():
            org.path = org.path.replace(old_path, f"/{deep['C']}/{deep['N']}/{deep['D2']}/{deep['A1']}/", 1)
            if org.id != area.id:
                org.district_id = deep["D2"]
    with read_session(engine) as session:
        scopes = [Scope.everything(), *(Scope(root_id=org.id, root_path=org.path) for org in session.scalars(
            select(OrgUnit).where(OrgUnit.code.in_(("D1", "D2", "A1", "U1"))).order_by(OrgUnit.code)
        ))]
        cutoffs = [T0, *times, *(at + timedelta(hours=1) for at in times), *(at - timedelta(seconds=1) for at in times)]
        for cutoff in [*cutoffs, None]:
            assert_same_deadlines(session, c, cutoff, scopes)
        walked = deadlines.unit_deadline_map(session, c, None, None)
        assert walked["unit_submission"][deep["U1"]][1] == BASE + timedelta(days=1)  # level-wide, after the move
        assert walked["district_review"][deep["U3"]][1] == BASE + timedelta(days=8)  # its extension
