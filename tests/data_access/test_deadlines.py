"""Effective deadlines walk the whole tree: unit extension > area > district > zone > new area >
city > level-wide (the unit's level, then the nearest ancestor level) > campaign-wide; rows
superseded are ignored, and a past cut-off reads the rows in force then."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from data_access import metrics
from data_access.actions.campaigns import (
    clear_deadline,
    create_campaign,
    grant_extension,
    revoke_extension,
    set_deadline,
)
from data_access.actions.submit import effective_deadline
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.deadlines import effective_deadlines
from data_access.models import Deadline, OrgLevel, OrgUnit
from data_access.scope import Scope

ADMIN = CurrentUser("admin", "管理员", "admin", Scope.everything())
T0 = datetime(2026, 10, 1, 2, 0)
BASE = datetime(2026, 11, 1, 4, 0)  # 12:00 Shanghai


def _org(session, code: str, level: str, parent: OrgUnit | None, **kw) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=f"{code}工会", level=level, path="", parent_id=parent.id if parent else None, **kw)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


@pytest.fixture
def deep(engine: Engine) -> dict[str, object]:
    """City → new area → zone (a custom group level) → district → area → U1, U2 (+ workshop);
    a second district D2 with U3 directly beneath it. Campaign rooted at the city."""
    with write_session(engine) as s:
        s.add(OrgLevel(code="zone", name="功能区", kind="group", rank=25))
        s.flush()
        city = _org(s, "C", "city", None)
        new_area = _org(s, "N", "new_area", city)
        zone = _org(s, "Z", "zone", new_area)
        d1 = _org(s, "D1", "district", zone)
        a1 = _org(s, "A1", "area", d1, district_id=d1.id)
        u1 = _org(s, "U1", "unit", a1, district_id=d1.id, area_id=a1.id)
        u2 = _org(s, "U2", "unit", a1, district_id=d1.id, area_id=a1.id)
        _org(s, "U1S1", "sub_unit", u1, district_id=d1.id, area_id=a1.id)
        d2 = _org(s, "D2", "district", new_area)
        u3 = _org(s, "U3", "unit", d2, district_id=d2.id)
        ids = {org.code: org.id for org in (city, new_area, zone, d1, a1, u1, u2, d2, u3)}
    with write_session(engine) as s:
        ids["campaign"] = create_campaign(s, ADMIN, "2026", date(2026, 9, 30), "C", at=T0).campaign_id
    return ids


def _eff(engine: Engine, campaign_id: int, cutoff: datetime | None = None, milestone: str = "unit_submission") -> dict[int, datetime]:
    with read_session(engine) as s:
        return {row.unit_id: row.due_at for row in s.execute(metrics.unit_deadlines(campaign_id, milestone, cutoff))}


def _one(engine: Engine, deep: dict, code: str, cutoff: datetime | None = None) -> datetime | None:
    with read_session(engine) as s:
        unit = s.scalar(select(OrgUnit).where(OrgUnit.code == code))
        return effective_deadline(s, deep["campaign"], unit, cutoff=cutoff)


def test_most_specific_deadline_wins_all_the_way_up(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    # (what is set, its due time): each more specific than the next.
    steps = [
        ("ext", BASE + timedelta(days=9)),
        ("A1", BASE + timedelta(days=8)),
        ("D1", BASE + timedelta(days=7)),
        ("Z", BASE + timedelta(days=6)),
        ("N", BASE + timedelta(days=5)),
        ("C", BASE + timedelta(days=4)),
        ("level:unit", BASE + timedelta(days=3)),
        ("level:area", BASE + timedelta(days=2)),
        ("level:district", BASE + timedelta(days=1)),
        ("all", BASE),
    ]
    with write_session(engine) as s:
        for what, due in reversed(steps):
            if what == "ext":
                grant_extension(s, ADMIN, c, "U1", "unit_submission", due, "人多", at=T0)
            elif what == "all":
                set_deadline(s, ADMIN, c, "unit_submission", due, at=T0)
            elif what.startswith("level:"):
                set_deadline(s, ADMIN, c, "unit_submission", due, level=what[6:], at=T0)
            else:
                set_deadline(s, ADMIN, c, "unit_submission", due, org_code=what, at=T0)
    # U2 shares everything but the extension; U3 sits under D2, N, C only.
    assert _eff(engine, c) == {deep["U1"]: steps[0][1], deep["U2"]: steps[1][1], deep["U3"]: steps[4][1]}
    # Remove one at a time, most specific first: the next one takes over (for U1).
    for index, (what, _due) in enumerate(steps[:-1]):
        expected = steps[index + 1][1]
        with write_session(engine) as s:
            if what == "ext":
                revoke_extension(s, ADMIN, c, "U1", "unit_submission")
            elif what.startswith("level:"):
                clear_deadline(s, ADMIN, c, "unit_submission", level=what[6:])
            else:
                clear_deadline(s, ADMIN, c, "unit_submission", org_code=what)
        assert _eff(engine, c)[deep["U1"]] == expected, what
        assert _one(engine, deep, "U1") == expected, what
    with write_session(engine) as s:
        clear_deadline(s, ADMIN, c, "unit_submission")
    assert _eff(engine, c) == {}
    assert _one(engine, deep, "U1") is None


def test_area_level_deadline_skips_a_unit_without_an_area(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    with write_session(engine) as s:
        set_deadline(s, ADMIN, c, "unit_submission", BASE, level="area", at=T0)
        set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=5), at=T0)
    assert _eff(engine, c) == {deep["U1"]: BASE, deep["U2"]: BASE, deep["U3"]: BASE + timedelta(days=5)}


def test_milestones_are_separate_and_every_node_can_be_asked(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    with write_session(engine) as s:
        set_deadline(s, ADMIN, c, "unit_submission", BASE, org_code="N", at=T0)
        set_deadline(s, ADMIN, c, "district_review", BASE + timedelta(days=7), level="district", at=T0)
    assert _eff(engine, c, milestone="district_review") == {u: BASE + timedelta(days=7) for u in (deep["U1"], deep["U2"], deep["U3"])}
    with read_session(engine) as s:
        rows = s.execute(effective_deadlines(c, level=None)).all()
    by_node = {(row.org_id, row.milestone): row.due_at for row in rows}
    assert by_node[(deep["D1"], "district_review")] == BASE + timedelta(days=7)
    assert by_node[(deep["D2"], "unit_submission")] == BASE
    assert (deep["C"], "unit_submission") not in by_node  # above the new area: nothing set


def test_superseded_rows_are_ignored_and_a_past_cutoff_reads_the_rows_then(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    t1, t2, t3 = T0 + timedelta(days=1), T0 + timedelta(days=10), T0 + timedelta(days=20)
    with write_session(engine) as s:
        set_deadline(s, ADMIN, c, "unit_submission", BASE, org_code="D1", at=t1)
        set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=2), org_code="D1", at=t2)
        grant_extension(s, ADMIN, c, "U2", "unit_submission", BASE + timedelta(days=4), "停电", at=t3)
    with read_session(engine) as s:
        rows = s.scalars(select(Deadline).where(Deadline.campaign_id == c).order_by(Deadline.id)).all()
        assert [(r.superseded_at, r.set_at) for r in rows] == [(t2, t1), (None, t2), (None, t3)]
    later = BASE + timedelta(days=2)
    assert _eff(engine, c) == {deep["U1"]: later, deep["U2"]: BASE + timedelta(days=4)}
    assert _eff(engine, c, t1 + timedelta(hours=1)) == {deep["U1"]: BASE, deep["U2"]: BASE}
    assert _eff(engine, c, t2 + timedelta(hours=1)) == {deep["U1"]: later, deep["U2"]: later}
    assert _eff(engine, c, T0) == {}  # nothing set yet
    assert _one(engine, deep, "U2", t2 + timedelta(hours=1)) == later


def test_rows_without_set_at_count_as_always_set(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    with write_session(engine) as s:
        s.add(Deadline(campaign_id=c, milestone="unit_submission", level="district", org_unit_id=deep["D1"], due_at=BASE))
    assert _eff(engine, c, datetime(2000, 1, 1)) == {deep["U1"]: BASE, deep["U2"]: BASE}


def test_unit_progress_and_deadline_listing_use_the_live_rows(engine: Engine, deep: dict) -> None:
    c = deep["campaign"]
    with write_session(engine) as s:
        set_deadline(s, ADMIN, c, "unit_submission", BASE, org_code="C", at=T0)
        set_deadline(s, ADMIN, c, "unit_submission", BASE + timedelta(days=1), org_code="C", at=T0 + timedelta(days=1))
    with read_session(engine) as s:
        frame = metrics.unit_progress(s, Scope.everything(), c, T0 + timedelta(days=2))
        listing = metrics.deadlines_in_scope(s, Scope.everything(), c)
        before = metrics.deadlines_in_scope(s, Scope.everything(), c, T0 + timedelta(hours=1))
    assert set(frame["due_at"]) == {BASE + timedelta(days=1)}
    assert list(listing["due_at"]) == [BASE + timedelta(days=1)]
    assert list(before["due_at"]) == [BASE]
