"""Bank results: preview, all-or-nothing import, the same file twice, hostile lines and files."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import IngestError
from data_access.actions.base import NotAllowed, NotFound
from data_access.actions.batch import create_batch
from data_access.actions.results import ResultLinesRefused, import_results, preview_results
from data_access.db import read_session, write_session
from data_access.models import Audit, BankResult, BankResultImport, Member, MemberEvent
from tests.data_access.bank_workflow_fixture import BATCH_AT, RESULT_AT, Tree, build_tree, result_csv, result_xlsx


@pytest.fixture
def tree(engine: Engine) -> Tree:
    tree = build_tree(engine)
    with write_session(engine) as session:
        tree.orgs["batch1"] = create_batch(session, tree.user("leader1"), tree.campaign, district_id=tree.orgs["D1"], branch="b", at=BATCH_AT).batch_id
        tree.orgs["batch2"] = create_batch(session, tree.user("leader2"), tree.campaign, district_id=tree.orgs["D2"], branch="b", at=BATCH_AT).batch_id
    return tree


def written(engine: Engine) -> tuple[int, int, int, int]:
    with read_session(engine) as session:
        return (
            session.scalar(select(func.count()).select_from(BankResultImport)) or 0,
            session.scalar(select(func.count()).select_from(BankResult)) or 0,
            session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.kind.in_(("produced", "failed")))) or 0,
            session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "results")) or 0,
        )


def good_lines(tree: Tree) -> list:
    u1, u2 = tree.people["U1"], tree.people["U2"]
    return [(p, "成功", "") for p in u1[:4]] + [(u1[4], "失败", "身份证号与姓名联网核查不一致")] + [(u2[0], "失败", "手机号码无效或为空号")] + [(p, "成功", "") for p in u2[1:]]


@pytest.mark.parametrize("fmt", ["csv", "gbk", "xlsx"])
def test_preview_then_import(tree: Tree, fmt: str) -> None:
    lines = good_lines(tree)
    data = result_xlsx(lines) if fmt == "xlsx" else result_csv(lines, "gbk" if fmt == "gbk" else "utf-8")
    user = tree.user("leader1")
    with read_session(tree.engine) as session:
        preview = preview_results(session, user, tree.orgs["batch1"], data, f"r.{fmt}")
    assert (preview.lines, preview.produced, preview.failed, preview.missing, preview.ok) == (8, 6, 2, 0, True)
    assert written(tree.engine) == (0, 0, 0, 0)
    with write_session(tree.engine) as session:
        done = import_results(session, user, tree.orgs["batch1"], data, f"r.{fmt}", at=RESULT_AT)
    assert (done.produced, done.failed, done.already_imported) == (6, 2, False)
    assert written(tree.engine) == (1, 8, 8, 1)
    with read_session(tree.engine) as session:
        stages = dict(session.execute(select(Member.stage, func.count()).where(Member.unit_id != tree.orgs["U3"]).group_by(Member.stage)).all())
        cards = session.scalars(select(BankResult.card_number_masked).where(BankResult.outcome == "produced")).all()
        reasons = sorted(session.scalars(select(MemberEvent.reason).where(MemberEvent.kind == "failed")).all())
        failed_at = session.scalars(select(Member.failed_at).where(Member.stage == "failed")).all()
    assert stages == {"produced": 6, "failed": 2}
    assert all(card.startswith("*") and len(card) == 19 for card in cards)
    assert reasons == ["id_name_mismatch", "phone_invalid"]
    assert failed_at == [RESULT_AT, RESULT_AT]
    # the same file again: nothing changes and it says so
    with write_session(tree.engine) as session:
        again = import_results(session, user, tree.orgs["batch1"], data, f"r.{fmt}", at=RESULT_AT)
    assert again.already_imported and written(tree.engine) == (1, 8, 8, 1)


def test_partial_files_and_repeated_lines(tree: Tree) -> None:
    lines = good_lines(tree)
    user = tree.user("admin")
    with write_session(tree.engine) as session:
        first = import_results(session, user, tree.orgs["batch1"], result_csv(lines[:3]), "a.csv", at=RESULT_AT)
    assert first.produced == 3
    # a cumulative second file: the first three lines are unchanged, the rest new
    with read_session(tree.engine) as session:
        preview = preview_results(session, user, tree.orgs["batch1"], result_csv(lines), "b.csv")
    assert (preview.unchanged, preview.produced, preview.failed, preview.ok) == (3, 3, 2, True)
    with write_session(tree.engine) as session:
        import_results(session, user, tree.orgs["batch1"], result_csv(lines), "b.csv", at=RESULT_AT)
    assert written(tree.engine) == (2, 8, 8, 2)


def test_refused_lines_refuse_the_whole_file(tree: Tree) -> None:
    u1, u3 = tree.people["U1"], tree.people["U3"]
    stranger = ("赵六", "110105198001019990", "13900000000")
    lines = [
        (u1[0], "成功", ""),
        (u1[0], "成功", ""),  # duplicate line
        (u3[0], "成功", ""),  # another district's batch (outside leader1's scope)
        (stranger, "成功", ""),  # unknown ID
        (u1[1], "待定", ""),  # outcome not understood
        (u1[2], "失败", "客户要求"),  # unknown reason
        (u1[3], "失败", ""),  # reason missing
    ]
    data = result_csv(lines)
    with read_session(tree.engine) as session:
        preview = preview_results(session, tree.user("leader1"), tree.orgs["batch1"], data, "r.csv")
    codes = [(r.sheet_row, r.code) for r in preview.refused]
    assert codes == [(3, "duplicate_line"), (4, "not_in_batch"), (5, "not_in_batch"), (6, "bad_outcome"), (7, "unknown_reason"), (8, "reason_missing")]
    assert all("*" in r.id_masked or not r.id_masked for r in preview.refused)
    with pytest.raises(ResultLinesRefused), write_session(tree.engine) as session:
        import_results(session, tree.user("leader1"), tree.orgs["batch1"], data, "r.csv", at=RESULT_AT)
    assert written(tree.engine) == (0, 0, 0, 0)


def test_other_batch_in_scope_is_named(tree: Tree) -> None:
    with read_session(tree.engine) as session:
        preview = preview_results(session, tree.user("admin"), tree.orgs["batch1"], result_csv([(tree.people["U3"][0], "成功", "")]), "r.csv")
    assert [(r.code, r.detail) for r in preview.refused] == [("other_batch", "PC-D2-20141030-1")]


def test_impossible_transitions(tree: Tree) -> None:
    user = tree.user("leader1")
    first = [(p, "成功", "") for p in tree.people["U1"]]
    with write_session(tree.engine) as session:
        import_results(session, user, tree.orgs["batch1"], result_csv(first), "a.csv", at=RESULT_AT)
    flipped = [(tree.people["U1"][0], "失败", "身份证件已过期或已注销")]
    with read_session(tree.engine) as session:
        preview = preview_results(session, user, tree.orgs["batch1"], result_csv(flipped), "b.csv")
    assert [r.code for r in preview.refused] == ["already_other_result"]


@pytest.mark.parametrize("login", ["liaison1", "clerk1", "leader2"])
def test_roles_and_scope(tree: Tree, login: str) -> None:
    data = result_csv(good_lines(tree))
    with pytest.raises((NotAllowed, NotFound)), write_session(tree.engine) as session:
        import_results(session, tree.user(login), tree.orgs["batch1"], data, "r.csv", at=RESULT_AT)
    assert written(tree.engine) == (0, 0, 0, 0)


def test_batch_that_does_not_exist(tree: Tree) -> None:
    with pytest.raises(NotFound), write_session(tree.engine) as session:
        import_results(session, tree.user("admin"), 999, result_csv(good_lines(tree)), "r.csv")


@pytest.mark.parametrize("data", [b"", b"not a sheet at all", "姓名,卡号\n张三,1\n".encode(), "\ufeff身份证号码,结果\n".encode("utf-16")])
def test_unreadable_files_write_nothing(tree: Tree, data: bytes) -> None:
    with pytest.raises(IngestError), write_session(tree.engine) as session:
        import_results(session, tree.user("admin"), tree.orgs["batch1"], data, "r.csv")
    assert written(tree.engine) == (0, 0, 0, 0)


def test_big_file_refused_with_nothing_written(tree: Tree) -> None:
    lines = [(tree.people["U1"][0], "成功", "")] * 100_001
    with pytest.raises(IngestError), write_session(tree.engine) as session:
        import_results(session, tree.user("admin"), tree.orgs["batch1"], result_csv(lines), "r.csv")
    assert written(tree.engine) == (0, 0, 0, 0)
