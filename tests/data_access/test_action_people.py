"""Corrections to people (actions.people): correct, move, withdraw on both databases; the old
row becomes history and a new row carries the person on; refusals write nothing; a past day's
figures are unchanged; the unit figures follow a move."""

from __future__ import annotations

import re
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access import metrics
from data_access.actions import people
from data_access.actions.base import NotAllowed
from data_access.actions.batch import create_batch
from data_access.actions.corrections import BadValue
from data_access.db import read_session, write_session
from data_access.models import Audit, Member, MemberEvent
from data_access.scope import Scope
from tests.campaign.conftest import make_id
from tests.data_access.bank_workflow_fixture import APPROVED_AT, BATCH_AT, NOW, Tree, build_tree

LATER = APPROVED_AT + timedelta(days=1)
PAST = APPROVED_AT + timedelta(hours=1)
FULL_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def tree(engine: Engine) -> Tree:
    return build_tree(engine)


def counts(engine: Engine) -> tuple[int, int, int, int]:
    """(member rows, live rows, events, audit rows)."""
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Member)) or 0,
            s.scalar(select(func.count()).select_from(Member).where(Member.superseded_at.is_(None), Member.withdrawn_at.is_(None))) or 0,
            s.scalar(select(func.count()).select_from(MemberEvent)) or 0,
            s.scalar(select(func.count()).select_from(Audit)) or 0,
        )


def unit_figures(engine: Engine, tree: Tree, cutoff) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        units = metrics.unit_progress(s, Scope.everything(), tree.campaign, cutoff)
    return units.sort_values("unit_id").reset_index(drop=True)


def audit_text(engine: Engine) -> list[str]:
    with read_session(engine) as s:
        return [f"{o} {d or ''}" for o, d in s.execute(select(Audit.object, Audit.detail))]


def test_correct_name_and_phone_supersedes_and_keeps_stage_times(tree: Tree) -> None:
    member_id = tree.member_ids("U1")[0]
    before = counts(tree.engine)
    past = unit_figures(tree.engine, tree, PAST)
    with write_session(tree.engine) as s:
        done = people.correct_member(s, tree.user("leader1"), tree.campaign, member_id, name="李小龙", phone="13912345678",
                                     reason="姓名写错，手机号换了 13800000001", at=LATER)
    assert done.fields == ("name", "phone") and done.old_member_id == member_id and done.member_id != member_id
    after = counts(tree.engine)
    assert after == (before[0] + 1, before[1], before[2] + 2, before[3] + 1)
    with read_session(tree.engine) as s:
        old, new = s.get(Member, member_id), s.get(Member, done.member_id)
        assert old is not None and new is not None
        assert old.superseded_at == LATER and new.superseded_at is None
        assert (new.name, new.phone, new.id_number, new.unit_id) == ("李小龙", "13912345678", old.id_number, old.unit_id)
        assert (new.stage, new.approved_at, new.submitted_at, new.validated_at) == (old.stage, old.approved_at, old.submitted_at, old.validated_at)
        assert new.collected_at == LATER and new.id_hash == old.id_hash and new.sheet_row == old.sheet_row
        kinds = s.execute(select(MemberEvent.member_id, MemberEvent.kind, MemberEvent.reason).where(MemberEvent.at == LATER)).all()
        assert sorted(kinds) == sorted([(member_id, "superseded", "info_corrected"), (done.member_id, "collected", "info_corrected")])
        history = people.person_history(s, tree.user("leader1"), done.member_id)
    assert history["kind"].tolist()[-2:] == ["superseded", "collected"]
    assert set(history["member_id"]) == {member_id, done.member_id}
    text = " ".join(audit_text(tree.engine)) + " ".join(str(n) for n in history["note"])
    assert not FULL_ID.search(text) and not MOBILE.search(text)
    # a past day still counts the old row (and never both); today the same count
    pd.testing.assert_frame_equal(past, unit_figures(tree.engine, tree, PAST))
    assert unit_figures(tree.engine, tree, LATER)["approved"].sum() == past["approved"].sum()


def test_correct_id_number_then_find_by_it(tree: Tree) -> None:
    member_id = tree.member_ids("U2")[0]
    new_id = make_id(birth="19850505", seq="777")
    with write_session(tree.engine) as s:
        done = people.correct_member(s, tree.user("admin"), tree.campaign, member_id, id_number=new_id, reason="证号录错", at=LATER)
    assert done.fields == ("id_number",)
    with read_session(tree.engine) as s:
        found = people.find_members(s, tree.user("leader1"), tree.campaign, new_id)
        old_number = s.get(Member, member_id).id_number  # type: ignore[union-attr]
        gone = people.find_members(s, tree.user("leader1"), tree.campaign, old_number)
        by_tail = people.find_members(s, tree.user("leader1"), tree.campaign, new_id[-6:])
        new = s.get(Member, done.member_id)
        assert new is not None and new.birth_date.isoformat() == "1985-05-05" and new.sex == "M"
    assert found["member_id"].tolist() == [done.member_id] and gone.empty
    assert by_tail["member_id"].tolist() == [done.member_id]


@pytest.mark.parametrize(
    ("login", "kwargs", "refusal"),
    [
        ("liaison1", {"name": "李四"}, NotAllowed),
        ("clerk1", {"name": "李四"}, NotAllowed),
        ("leader2", {"name": "李四"}, NotAllowed),
        ("leader1", {"id_number": make_id(seq="124")[:17] + "0"}, BadValue),
        ("leader1", {"id_number": "110105198001011"}, BadValue),
        ("leader1", {"phone": "1234"}, BadValue),
        ("leader1", {"name": "李 4"}, BadValue),
        ("leader1", {"id_number": make_id(birth="19400101")}, BadValue),  # retired
        ("leader1", {"name": "李四", "reason": "  "}, people.ReasonMissing),
        ("leader1", {"phone": "13800000000"}, people.NothingChanged),  # person(0)'s own mobile
    ],
)
def test_correct_refusals_write_nothing(tree: Tree, login: str, kwargs: dict[str, str], refusal: type[ActionRefused]) -> None:
    member_id = tree.member_ids("U1")[0]
    before = counts(tree.engine)
    kwargs = {"reason": "核对", **kwargs}
    with pytest.raises(refusal), write_session(tree.engine) as s:
        people.correct_member(s, tree.user(login), tree.campaign, member_id, at=LATER, **kwargs)  # type: ignore[arg-type]
    assert counts(tree.engine) == before


def test_duplicate_id_named_in_scope_and_hidden_outside(tree: Tree) -> None:
    member_id = tree.member_ids("U1")[0]
    in_scope, out_of_scope = tree.people["U2"][0][1], tree.people["U3"][0][1]
    before = counts(tree.engine)
    with pytest.raises(people.RegisteredHere) as here, write_session(tree.engine) as s:
        people.correct_member(s, tree.user("leader1"), tree.campaign, member_id, id_number=in_scope, reason="x", at=LATER)
    assert "U2公司工会" in here.value.message() and in_scope not in here.value.message()
    with pytest.raises(people.RegisteredElsewhere) as elsewhere, write_session(tree.engine) as s:
        people.correct_member(s, tree.user("leader1"), tree.campaign, member_id, id_number=out_of_scope, reason="x", at=LATER)
    assert "U3" not in elsewhere.value.message()
    assert counts(tree.engine) == before


def test_move_follows_the_person_and_keeps_the_past(tree: Tree) -> None:
    member_id = tree.member_ids("U1")[0]
    u1, u2 = tree.orgs["U1"], tree.orgs["U2"]
    past = unit_figures(tree.engine, tree, PAST)
    now_before = unit_figures(tree.engine, tree, LATER).set_index("unit_id")
    with write_session(tree.engine) as s:
        done = people.move_member(s, tree.user("leader1"), tree.campaign, member_id, u2, "调到兄弟单位", at=LATER)
    now_after = unit_figures(tree.engine, tree, LATER).set_index("unit_id")
    for column in ("validated", "approved"):
        assert now_after.at[u1, column] == now_before.at[u1, column] - 1
        assert now_after.at[u2, column] == now_before.at[u2, column] + 1
    pd.testing.assert_frame_equal(past, unit_figures(tree.engine, tree, PAST))
    with read_session(tree.engine) as s:
        new = s.get(Member, done.member_id)
        assert new is not None and new.unit_id == u2 and new.stage == "approved"
        events = s.execute(select(MemberEvent.unit_id, MemberEvent.kind).where(MemberEvent.at == LATER)).all()
        audit = s.scalars(select(Audit.detail).where(Audit.action == "person_move")).all()
    assert sorted(events) == sorted([(u1, "superseded"), (u2, "collected")])
    assert len(audit) == 1 and f"unit={u1}" in audit[0]


@pytest.mark.parametrize(("login", "target", "refusal"), [
    ("leader1", "U3", NotAllowed), ("liaison1", "U2", NotAllowed), ("leader1", "U1", people.SameUnit), ("leader1", "A1", people.NotFound),
])
def test_move_refusals_write_nothing(tree: Tree, login: str, target: str, refusal: type[ActionRefused]) -> None:
    member_id = tree.member_ids("U1")[0]
    before = counts(tree.engine)
    with pytest.raises(refusal), write_session(tree.engine) as s:
        people.move_member(s, tree.user(login), tree.campaign, member_id, tree.orgs[target], "调整", at=LATER)
    assert counts(tree.engine) == before


def test_withdraw_then_the_row_is_history(tree: Tree) -> None:
    member_id = tree.member_ids("U3")[0]
    past = unit_figures(tree.engine, tree, PAST)
    with pytest.raises(NotAllowed), write_session(tree.engine) as s:
        people.withdraw_member(s, tree.user("leader1"), tree.campaign, member_id, "离职", at=LATER)
    with write_session(tree.engine) as s:
        people.withdraw_member(s, tree.user("leader2"), tree.campaign, member_id, "已离职", at=LATER)
    with read_session(tree.engine) as s:
        row = s.get(Member, member_id)
        assert row is not None and row.withdrawn_at == LATER
        event = s.execute(select(MemberEvent.kind, MemberEvent.reason, MemberEvent.note).where(MemberEvent.at == LATER)).one()
    assert tuple(event) == ("withdrawn", "left", "已离职")
    pd.testing.assert_frame_equal(past, unit_figures(tree.engine, tree, PAST))
    now = unit_figures(tree.engine, tree, LATER).set_index("unit_id")
    assert now.at[tree.orgs["U3"], "approved"] == past.set_index("unit_id").at[tree.orgs["U3"], "approved"] - 1
    with pytest.raises(people.NotLive), write_session(tree.engine) as s:
        people.correct_member(s, tree.user("admin"), tree.campaign, member_id, name="王五", reason="x", at=LATER)


def test_bank_members_are_left_to_the_bank(tree: Tree) -> None:
    member_id = tree.member_ids("U1")[0]
    with write_session(tree.engine) as s:
        create_batch(s, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="b", at=BATCH_AT)
    before = counts(tree.engine)
    with pytest.raises(people.AtBank), write_session(tree.engine) as s:
        people.correct_member(s, tree.user("leader1"), tree.campaign, member_id, name="王五", reason="x", at=BATCH_AT)
    with pytest.raises(people.AtBank), write_session(tree.engine) as s:
        people.move_member(s, tree.user("leader1"), tree.campaign, member_id, tree.orgs["U2"], "x", at=BATCH_AT)
    with pytest.raises(people.WaitingForBank), write_session(tree.engine) as s:
        people.withdraw_member(s, tree.user("leader1"), tree.campaign, member_id, "x", at=BATCH_AT)
    assert counts(tree.engine) == before


def test_find_members_masks_and_scopes(tree: Tree) -> None:
    name, number, phone = tree.people["U1"][1]
    with read_session(tree.engine) as s:
        mine = people.find_members(s, tree.user("leader1"), tree.campaign, name)
        other = people.find_members(s, tree.user("leader2"), tree.campaign, name)
        by_phone = people.find_members(s, tree.user("admin"), tree.campaign, phone[-5:])
        short = people.find_members(s, tree.user("admin"), tree.campaign, "王")
        units = people.target_units(s, tree.user("leader1"), "公司")
        with pytest.raises(NotAllowed):
            people.find_members(s, tree.user("liaison1"), tree.campaign, name)
    assert mine["name"].tolist() == [name] and mine["id_number"].tolist() == [number] and other.empty
    assert phone in by_phone["phone"].tolist() and short.empty
    assert units["code"].tolist() == ["U1", "U2"]


def test_nothing_before_now_is_touched(tree: Tree) -> None:
    """NOW (the upload) and APPROVED_AT figures stay as they were after a correction, a move
    and a withdrawal in one day."""
    ids = tree.member_ids("U1")
    before = [unit_figures(tree.engine, tree, at) for at in (NOW, PAST)]
    with write_session(tree.engine) as s:
        leader = tree.user("leader1")
        first = people.correct_member(s, leader, tree.campaign, ids[0], id_number=make_id(seq="901"), reason="更正", at=LATER)
        people.move_member(s, leader, tree.campaign, first.member_id, tree.orgs["U2"], "调整", at=LATER + timedelta(hours=1))
        people.withdraw_member(s, leader, tree.campaign, ids[1], "离开", at=LATER + timedelta(hours=2))
    for at, figures in zip((NOW, PAST), before, strict=True):
        pd.testing.assert_frame_equal(figures, unit_figures(tree.engine, tree, at))
    with read_session(tree.engine) as s:
        history = people.person_history(s, tree.user("leader1"), first.member_id)
    assert history["kind"].tolist().count("superseded") == 2 and len(set(history["member_id"])) == 3
