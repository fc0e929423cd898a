"""The review chain (district, then new area), returns with reasons, paper materials, the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from data_access.actions.base import NotAllowed
from data_access.actions.materials import BadCount, record_materials
from data_access.actions.review import (
    NoteRequired,
    NothingSelected,
    NotPending,
    NotYourLevel,
    ReasonRequired,
    review,
    review_queue,
)
from data_access.db import read_session, write_session
from data_access.models import Audit, Member, MemberEvent, PaperReceipt, ReviewDecision, Submission
from tests.data_access.test_action_submit import DUE_D1, NOW, count, store, submit, user
from tests.data_access.test_action_submit import wf as wf  # noqa: F401 (fixture)
from tests.data_access.test_upload_hostile import people


def decide(engine: Engine, who, ids, decision, **kw):  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        return review(session, who, ids, decision, at=NOW + timedelta(days=1), **kw)


def stages(engine: Engine, unit_id: int) -> dict[str, int]:
    with read_session(engine) as session:
        return dict(session.execute(select(Member.stage, func.count()).where(Member.unit_id == unit_id).group_by(Member.stage)).all())


@pytest.fixture
def three(engine: Engine, wf: dict) -> dict[str, int]:
    """U1 (5 members, on time), U2 (3), U3 (4, district 2) submitted, oldest first U3, U1, U2."""
    ids = {}
    for unit, start, n, hours in (("U3", 40, 4, 1), ("U1", 1, 5, 2), ("U2", 20, 3, 3)):
        store(engine, wf, unit, people(start, n))
        ids[unit] = submit(engine, wf, user(wf, "admin", "admin", None), unit, NOW + timedelta(hours=hours)).submission_id
    return ids


def test_two_level_chain_approves_at_the_new_area(engine: Engine, wf: dict, three: dict) -> None:
    leader1 = user(wf, "leader1", "district_leader", "D1")
    newarea = user(wf, "newarea", "district_leader", "N")
    with read_session(engine) as session:
        queue = review_queue(session, leader1.scope, wf["campaign"], "district")
    assert queue["unit_code"].tolist() == ["U1", "U2"]  # oldest first, D1 only
    assert queue["member_count"].tolist() == [5, 3] and queue["missing"].iloc[0] == ("sheet", "unit_form", "id_copies", "consents")
    first = decide(engine, leader1, [three["U1"], three["U2"]], "approved")
    assert first.moved_up and not first.approved and first.members == 0
    assert stages(engine, wf["U1"]) == {"submitted": 5}
    with read_session(engine) as session:
        assert session.get(Submission, three["U1"]).review_level == "new_area"
        waiting = review_queue(session, newarea.scope, wf["campaign"], "new_area")
    assert waiting["unit_code"].tolist() == ["U1", "U2"]
    with pytest.raises(NotYourLevel):  # the district leader cannot also decide the new-area level
        decide(engine, leader1, [three["U1"]], "approved")
    with pytest.raises(NotYourLevel):  # nor the new area the district level of U3
        decide(engine, newarea, [three["U3"]], "approved")
    final = decide(engine, newarea, [three["U1"]], "approved")
    assert final.approved == (three["U1"],) and final.members == 5
    assert stages(engine, wf["U1"]) == {"approved": 5}
    with read_session(engine) as session:
        sub = session.get(Submission, three["U1"])
        assert (sub.outcome, sub.reviewer, sub.review_level) == ("approved", "newarea", "")
        levels = session.execute(select(ReviewDecision.level, ReviewDecision.by).where(ReviewDecision.submission_id == sub.id).order_by(ReviewDecision.id)).all()
    assert levels == [("district", "leader1"), ("new_area", "newarea")]
    assert count(engine, MemberEvent, MemberEvent.kind == "approved") == 5
    assert count(engine, Audit, Audit.action == "review") == 2


def test_return_needs_a_reason_and_the_unit_resubmits(engine: Engine, wf: dict, three: dict) -> None:
    leader1 = user(wf, "leader1", "district_leader", "D1")
    with pytest.raises(ReasonRequired):
        decide(engine, leader1, [three["U1"]], "returned")
    with pytest.raises(NoteRequired):
        decide(engine, leader1, [three["U1"]], "returned", reason="other")
    assert count(engine, ReviewDecision) == 0
    back = decide(engine, leader1, [three["U1"]], "returned", reason="card_unit_name", note="请按层级全称填写")
    assert back.returned == (three["U1"],) and back.members == 5
    assert stages(engine, wf["U1"]) == {"validated": 5}
    with read_session(engine) as session:
        sub = session.get(Submission, three["U1"])
        assert sub.outcome == "returned" and sub.return_reason == "办卡单位名称不符：请按层级全称填写"
        event = session.scalar(select(MemberEvent).where(MemberEvent.kind == "returned").limit(1))
        assert (event.reason, event.note, event.submission_id) == ("card_unit_name", "请按层级全称填写", sub.id)
    with pytest.raises(NotPending):
        decide(engine, leader1, [three["U1"]], "approved")
    again = submit(engine, wf, user(wf, "clerk1", "unit", "U1"), "U1", NOW + timedelta(days=2))
    assert again.member_count == 5 and again.review_level == "district"
    assert stages(engine, wf["U1"]) == {"submitted": 5}


def test_review_refusals_write_nothing(engine: Engine, wf: dict, three: dict) -> None:
    for who, ids, error in (
        (user(wf, "liaison1", "liaison", "A1"), [three["U1"]], NotAllowed),
        (user(wf, "clerk1", "unit", "U1"), [three["U1"]], NotAllowed),
        (user(wf, "leader2", "district_leader", "D2"), [three["U1"]], NotAllowed),
        (user(wf, "leader1", "district_leader", "D1"), [three["U1"], three["U3"]], NotAllowed),  # all or nothing
        (user(wf, "leader1", "district_leader", "D1"), [], NothingSelected),
    ):
        with pytest.raises(error):
            decide(engine, who, ids, "approved")
    assert count(engine, ReviewDecision) == 0
    assert count(engine, MemberEvent, MemberEvent.kind.in_(("approved", "returned"))) == 0
    admin = user(wf, "admin", "admin", None)
    bulk = decide(engine, admin, list(three.values()), "approved")
    assert len(bulk.moved_up) == 3


def test_paper_materials_counts_against_members(engine: Engine, wf: dict, three: dict) -> None:
    leader1 = user(wf, "leader1", "district_leader", "D1")
    with write_session(engine) as session:
        part = record_materials(session, leader1, three["U1"], sheet=True, unit_form=False, id_copies=8, consents=5, at=NOW)
    assert part.missing == ("unit_form", "id_copies") and part.id_copies_missing == 2 and part.consents_missing == 0
    assert "身份证复印件2份" in part.message()
    with read_session(engine) as session:
        sub = session.get(Submission, three["U1"])
        assert (sub.paper_sheet, sub.paper_unit_form, sub.paper_id_copies, sub.paper_consents) == (True, False, False, True)
        assert (sub.id_copies_received, sub.consents_received) == (8, 5)
        queue = review_queue(session, leader1.scope, wf["campaign"])
    row = queue[queue["unit_code"] == "U1"].iloc[0]
    assert row["id_copies_missing"] == 2 and row["missing"] == ("unit_form", "id_copies")
    with write_session(engine) as session:
        full = record_materials(session, leader1, three["U1"], sheet=True, unit_form=True, id_copies=10, consents=5, at=NOW)
    assert full.missing == () and "材料齐全" in full.message()
    for who, kw, error in (
        (user(wf, "leader2", "district_leader", "D2"), {}, NotAllowed),
        (user(wf, "liaison1", "liaison", "A1"), {}, NotAllowed),
        (leader1, {"id_copies": -1}, BadCount),
    ):
        args = {"sheet": True, "unit_form": True, "id_copies": 1, "consents": 1, **kw}
        with pytest.raises(error), write_session(engine) as session:
            record_materials(session, who, three["U1"], **args)
    assert count(engine, PaperReceipt) == 2


def test_late_flag_in_queue(engine: Engine, wf: dict) -> None:
    store(engine, wf, "U1", people(1, 2))
    submit(engine, wf, user(wf, "clerk1", "unit", "U1"), "U1", DUE_D1 + timedelta(hours=26))
    with read_session(engine) as session:
        queue = review_queue(session, user(wf, "admin", "admin", None).scope, wf["campaign"])
    assert not queue["on_time"].iloc[0] and queue["late_hours"].iloc[0] == pytest.approx(26)
