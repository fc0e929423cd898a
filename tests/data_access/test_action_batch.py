"""Bank batches: ready members, making a batch (events, member rows, audit), refusals, the bank file."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access.actions import batch as batch_actions
from data_access.actions.base import NotAllowed
from data_access.actions.batch import batch_file, create_batch, ready_by_unit, ready_members
from data_access.db import read_session, write_session
from data_access.models import Audit, BankBatch, BankBatchMember, BankResult, Member, MemberEvent
from tests.data_access.bank_workflow_fixture import BATCH_AT, Tree, build_tree


@pytest.fixture
def tree(engine: Engine) -> Tree:
    return build_tree(engine)


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with read_session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(BankBatch)) or 0,
            session.scalar(select(func.count()).select_from(BankBatchMember)) or 0,
            session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.kind == "sent_to_bank")) or 0,
            session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "batch")) or 0,
        )


def test_ready_members_by_scope(tree: Tree) -> None:
    with read_session(tree.engine) as session:
        everything = ready_members(session, tree.user("admin").scope, tree.campaign)
        d1 = ready_members(session, tree.user("leader1").scope, tree.campaign)
        u2 = ready_members(session, tree.user("admin").scope, tree.campaign, unit_ids=[tree.orgs["U2"]])
        per_unit = ready_by_unit(session, tree.user("leader2").scope, tree.campaign)
    assert len(everything) == 10
    assert len(d1) == 8 and set(d1["district_id"]) == {tree.orgs["D1"]}
    assert len(u2) == 3
    assert per_unit[["unit_code", "ready", "corrected"]].values.tolist() == [["U3", 2, 0]]
    assert "id_number" not in everything.columns


def test_create_batch_writes_rows_events_audit(tree: Tree) -> None:
    with write_session(tree.engine) as session:
        made = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"],
                            area_id=tree.orgs["A1"], branch="滨海支行", at=BATCH_AT)
    assert made.member_count == 8 and made.unit_count == 2
    assert made.reference == "PC-D1-20141030-1"
    assert counts(tree.engine) == (1, 8, 8, 1)
    with read_session(tree.engine) as session:
        stages = session.execute(select(Member.stage, func.count()).where(Member.unit_id.in_([tree.orgs["U1"], tree.orgs["U2"]])).group_by(Member.stage)).all()
        batch = session.get(BankBatch, made.batch_id)
        assert batch is not None and batch.member_count == 8 and batch.created_by == "leader1" and batch.branch == "滨海支行"
        assert session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.batch_id == made.batch_id)) == 8
        # nobody of D1 is ready any more: they wait for the bank's result
        assert ready_members(session, tree.user("leader1").scope, tree.campaign).empty
    assert dict(stages) == {"sent_to_bank": 8}
    # a second batch the same day numbers on; only D2's members are left
    with write_session(tree.engine) as session:
        second = create_batch(session, tree.user("admin"), tree.campaign, district_id=tree.orgs["D2"], branch="塘沽支行", at=BATCH_AT)
    assert second.reference == "PC-D2-20141030-1" and second.member_count == 2


def test_create_batch_of_units_and_chosen_members(tree: Tree) -> None:
    chosen = tree.member_ids("U1")[:2]
    with write_session(tree.engine) as session:
        made = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"],
                            unit_ids=[tree.orgs["U1"]], member_ids=chosen, branch="滨海支行", at=BATCH_AT)
    assert made.member_count == 2
    with write_session(tree.engine) as session:
        again = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"],
                             unit_ids=[tree.orgs["U1"]], branch="滨海支行", at=BATCH_AT)
    assert again.member_count == 3 and again.reference == "PC-D1-20141030-2"


def test_member_ready_again_after_failure_and_correction(tree: Tree) -> None:
    with write_session(tree.engine) as session:
        made = create_batch(session, tree.user("leader2"), tree.campaign, district_id=tree.orgs["D2"], branch="b", at=BATCH_AT)
        member_id = tree.member_ids("U3")[0]
        session.add(BankResult(member_id=member_id, batch_id=made.batch_id, outcome="failed", reason_code="id_invalid", at=BATCH_AT))
        batch_actions.add_events(session, [(member_id, tree.orgs["U3"])], "failed", campaign_id=tree.campaign, at=BATCH_AT, by="t")
    with read_session(tree.engine) as session:
        assert ready_members(session, tree.user("leader2").scope, tree.campaign).empty  # failed: not corrected yet
    with write_session(tree.engine) as session:
        batch_actions.add_events(session, [(member_id, tree.orgs["U3"])], "corrected", campaign_id=tree.campaign, at=BATCH_AT, by="t")
    with read_session(tree.engine) as session:
        ready = ready_members(session, tree.user("leader2").scope, tree.campaign)
    assert ready["member_id"].tolist() == [member_id] and ready["stage"].tolist() == ["corrected"]


@pytest.mark.parametrize(
    ("login", "district", "kwargs", "error"),
    [
        ("liaison1", "D1", {}, NotAllowed),
        ("clerk1", "D1", {}, NotAllowed),
        ("leader1", "D2", {}, NotAllowed),  # another district
        ("leader1", "D1", {"branch": "  "}, batch_actions.BranchMissing),
        ("leader1", "D1", {"unit_ids": ["U3"]}, batch_actions.OutsideDistrict),
        ("admin", "D1", {"area_id": "A2"}, batch_actions.OutsideDistrict),
        ("leader1", "D1", {"member_ids": [10_000]}, batch_actions.MembersNotReady),
    ],
)
def test_create_batch_refusals_write_nothing(tree: Tree, login: str, district: str, kwargs: dict, error: type) -> None:
    kwargs = dict(kwargs)
    kwargs.setdefault("branch", "滨海支行")
    if "unit_ids" in kwargs:
        kwargs["unit_ids"] = [tree.orgs[c] for c in kwargs["unit_ids"]]
    if "area_id" in kwargs:
        kwargs["area_id"] = tree.orgs[kwargs["area_id"]]
    with pytest.raises(error), write_session(tree.engine) as session:
        create_batch(session, tree.user(login), tree.campaign, district_id=tree.orgs[district], at=BATCH_AT, **kwargs)
    assert counts(tree.engine) == (0, 0, 0, 0)


def test_empty_selection_refused(tree: Tree) -> None:
    with write_session(tree.engine) as session:
        create_batch(session, tree.user("leader2"), tree.campaign, district_id=tree.orgs["D2"], branch="b", at=BATCH_AT)
    with pytest.raises(batch_actions.EmptySelection), write_session(tree.engine) as session:
        create_batch(session, tree.user("leader2"), tree.campaign, district_id=tree.orgs["D2"], branch="b", at=BATCH_AT)
    assert counts(tree.engine)[0] == 1


def test_batch_file_one_sheet_per_card_unit_text_cells_audited(tree: Tree) -> None:
    with write_session(tree.engine) as session:
        made = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="滨海支行", at=BATCH_AT)
    with write_session(tree.engine) as session:
        file = batch_file(session, tree.user("leader1"), made.batch_id)
    assert file.rows == 8 and file.units == 2 and file.file_name.startswith(made.reference)
    book = openpyxl.load_workbook(io.BytesIO(file.data))
    assert book.sheetnames == ["批次汇总", "D1区工会-U1公司工会", "D1区工会-U2公司工会"]
    sheet = book["D1区工会-U1公司工会"]
    header = [c.value for c in sheet[1]]
    assert header == ["办卡单位", "姓名", "证件类型", "证件号码", "手机号码"]
    ids = [row[3].value for row in sheet.iter_rows(min_row=2)]
    assert ids == [p[1] for p in tree.people["U1"]]
    assert all(row[3].data_type == "s" and row[4].data_type == "s" for row in sheet.iter_rows(min_row=2))
    with read_session(tree.engine) as session:
        audit = session.execute(select(Audit.action, Audit.user_login, Audit.row_count).where(Audit.action == "export")).all()
    assert audit == [("export", "leader1", 8)]


@pytest.mark.parametrize("login", ["liaison1", "clerk1", "leader2"])
def test_batch_file_refused_for_masked_roles_and_other_districts(tree: Tree, login: str) -> None:
    with write_session(tree.engine) as session:
        made = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="b", at=BATCH_AT)
    with pytest.raises(ActionRefused), write_session(tree.engine) as session:
        batch_file(session, tree.user(login), made.batch_id)
    with read_session(tree.engine) as session:
        assert session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "export")) == 0
