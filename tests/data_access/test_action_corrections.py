"""Corrections after a bank failure: open failures, correcting by the sheet's rules, withdrawing,
the member's path, and the corrected member in the next batch."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access.actions import corrections as corr
from data_access.actions.base import NotAllowed
from data_access.actions.batch import create_batch, ready_members
from data_access.actions.results import import_results
from data_access.db import read_session, write_session
from data_access.models import Audit, Member, MemberEvent
from tests.campaign.conftest import make_id
from tests.data_access.bank_workflow_fixture import BATCH_AT, RESULT_AT, Tree, build_tree, result_csv

LATER = RESULT_AT.replace(day=8)


@pytest.fixture
def tree(engine: Engine) -> Tree:
    """D1's batch came back: U1's first two members failed, the rest produced."""
    tree = build_tree(engine)
    u1, u2 = tree.people["U1"], tree.people["U2"]
    lines = [(u1[0], "失败", "身份证号与姓名联网核查不一致"), (u1[1], "失败", "手机号码无效或为空号")]
    lines += [(p, "成功", "") for p in u1[2:] + u2]
    with write_session(engine) as session:
        batch = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="b", at=BATCH_AT)
        import_results(session, tree.user("leader1"), batch.batch_id, result_csv(lines), "r.csv", at=RESULT_AT)
    tree.orgs["failed0"], tree.orgs["failed1"] = tree.member_ids("U1")[:2]
    return tree


def events(engine: Engine, kind: str) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.kind == kind)) or 0


def test_open_failures_by_scope_masked(tree: Tree) -> None:
    with read_session(tree.engine) as session:
        mine = corr.open_failures(session, tree.user("clerk1").scope, tree.campaign)
        other = corr.open_failures(session, tree.user("clerk2").scope, tree.campaign)
        district = corr.open_failures(session, tree.user("leader1").scope, tree.campaign)
    assert mine["member_id"].tolist() == [tree.orgs["failed0"], tree.orgs["failed1"]]
    assert mine["reason_code"].tolist() == ["id_name_mismatch", "phone_invalid"]
    assert all("*" in v for v in mine["id_masked"]) and all("*" in v for v in mine["phone_masked"])
    assert mine["batch_reference"].tolist() == ["PC-D1-20141030-1"] * 2
    assert other.empty and len(district) == 2


def test_correct_then_ready_then_produced(tree: Tree) -> None:
    member_id = tree.orgs["failed0"]
    old_name, old_id, _ = tree.people["U1"][0]
    new_id = make_id(seq="555")
    with write_session(tree.engine) as session:
        done = corr.correct_member(session, tree.user("clerk1"), member_id, name="王小二", id_number=new_id, at=LATER)
    assert done.fields == ("name", "id_number")
    assert old_id not in done.note and new_id not in done.note and old_name not in done.note
    with read_session(tree.engine) as session:
        member = session.get(Member, member_id)
        assert member is not None and (member.name, member.id_number, member.stage) == ("王小二", new_id, "corrected")
        assert member.corrected_at == LATER
        assert corr.open_failures(session, tree.user("clerk1").scope, tree.campaign)["member_id"].tolist() == [tree.orgs["failed1"]]
        assert ready_members(session, tree.user("leader1").scope, tree.campaign)["member_id"].tolist() == [member_id]
        audit = session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "correct"))
    assert audit == 1 and events(tree.engine, "corrected") == 1
    # the next batch carries the corrected member, and the bank now produces the card
    with write_session(tree.engine) as session:
        second = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="b", at=LATER)
        import_results(session, tree.user("leader1"), second.batch_id, result_csv([(("王小二", new_id, ""), "成功", "")]), "r2.csv", at=LATER.replace(day=12))
    assert second.member_count == 1
    with read_session(tree.engine) as session:
        path = corr.member_history(session, tree.user("clerk1").scope, member_id)
    assert path["kind"].tolist() == [
        "collected", "validated", "submitted", "approved", "sent_to_bank", "failed", "corrected", "sent_to_bank", "produced",
    ]
    assert path["reason"].tolist()[5] == "id_name_mismatch"


def test_correct_phone_by_district_leader(tree: Tree) -> None:
    with write_session(tree.engine) as session:
        done = corr.correct_member(session, tree.user("leader1"), tree.orgs["failed1"], phone="139 1234 5678", at=LATER)
    assert done.fields == ("phone",) and "13912345678" not in done.note


@pytest.mark.parametrize(
    ("login", "member", "kwargs", "error"),
    [
        ("clerk2", "failed0", {"phone": "13912345678"}, NotAllowed),  # another unit
        ("liaison1", "failed0", {"phone": "13912345678"}, NotAllowed),
        ("leader2", "failed0", {"phone": "13912345678"}, NotAllowed),
        ("clerk1", "failed0", {"id_number": "110105198001011230"}, corr.BadValue),  # wrong check digit
        ("clerk1", "failed0", {"id_number": "110105800101123"}, corr.BadValue),  # 15 digits
        ("clerk1", "failed0", {"id_number": "110105194001011237"}, corr.BadValue),  # retired
        ("clerk1", "failed0", {"phone": "1234"}, corr.BadValue),
        ("clerk1", "failed0", {"name": "张3"}, corr.BadValue),
        ("clerk1", "failed0", {}, corr.NothingChanged),
        ("clerk1", "produced", {"phone": "13912345678"}, corr.NotCorrectable),
        ("clerk1", "failed0", {"id_number": "taken"}, corr.IdAlreadyLive),
    ],
)
def test_correction_refusals_write_nothing(tree: Tree, login: str, member: str, kwargs: dict, error: type) -> None:
    member_id = tree.member_ids("U1")[2] if member == "produced" else tree.orgs[member]
    if kwargs.get("id_number") == "taken":
        kwargs = {"id_number": tree.people["U2"][0][1]}
    with pytest.raises(error) as raised, write_session(tree.engine) as session:
        corr.correct_member(session, tree.user(login), member_id, at=LATER, **kwargs)
    assert raised.value.message("en") and raised.value.message("zh")
    assert events(tree.engine, "corrected") == 0
    with read_session(tree.engine) as session:
        member_row = session.get(Member, tree.orgs["failed0"])
        assert member_row is not None and member_row.id_number == tree.people["U1"][0][1]


def test_bad_id_message_says_why(tree: Tree) -> None:
    with pytest.raises(corr.BadValue) as raised, write_session(tree.engine) as session:
        corr.correct_member(session, tree.user("clerk1"), tree.orgs["failed0"], id_number="110105198001011230", at=LATER)
    assert "校验位" in raised.value.message("zh") and "check character" in raised.value.message("en")


def test_withdraw(tree: Tree) -> None:
    member_id = tree.orgs["failed1"]
    with pytest.raises(corr.ReasonMissing), write_session(tree.engine) as session:
        corr.withdraw_member(session, tree.user("clerk1"), member_id, reason=" ", at=LATER)
    with write_session(tree.engine) as session:
        corr.withdraw_member(session, tree.user("clerk1"), member_id, reason="本人放弃办卡", at=LATER)
    with read_session(tree.engine) as session:
        assert session.get(Member, member_id).withdrawn_at == LATER  # type: ignore[union-attr]
        assert corr.open_failures(session, tree.user("clerk1").scope, tree.campaign)["member_id"].tolist() == [tree.orgs["failed0"]]
        assert member_id not in ready_members(session, tree.user("leader1").scope, tree.campaign)["member_id"].tolist()
        assert corr.member_history(session, tree.user("leader1").scope, member_id)["kind"].tolist()[-1] == "withdrawn"
    with pytest.raises(ActionRefused), write_session(tree.engine) as session:
        corr.withdraw_member(session, tree.user("clerk1"), member_id, reason="again", at=LATER)
    with pytest.raises(ActionRefused), write_session(tree.engine) as session:
        corr.withdraw_member(session, tree.user("clerk1"), tree.member_ids("U1")[3], reason="produced already", at=LATER)
    assert events(tree.engine, "withdrawn") == 1


def test_history_outside_scope_refused(tree: Tree) -> None:
    with pytest.raises(ActionRefused), read_session(tree.engine) as session:
        corr.member_history(session, tree.user("clerk2").scope, tree.orgs["failed0"])
