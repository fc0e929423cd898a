"""A unit's list over time: several files (one per workshop), re-uploads that supersede rather
than delete, withdrawal before submission, and as-of figures that never change afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access.actions.base import NotAllowed
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.history import live
from data_access.metrics import unit_progress
from data_access.models import Audit, Member, MemberEvent, Upload
from data_access.scope import Scope
from data_access.uploads import current_files, store_upload, withdraw_upload
from tests.campaign.conftest import build_csv, sheet_rows
from tests.data_access.test_upload_hostile import NOW, check, people

T1, T2, T3 = NOW, NOW + timedelta(days=1), NOW + timedelta(days=2)


def put(engine: Engine, tree: dict, rows: list, part: str, at, unit: str = "unit1", **kwargs):  # type: ignore[no-untyped-def]
    data = build_csv(sheet_rows(rows))
    with write_session(engine) as session:
        return store_upload(
            session, campaign_id=tree["campaign"], unit_id=tree[unit], file_name=f"{part or 'all'}.csv",
            content_bytes=data, result=check(data, engine, tree, unit, part=part), uploaded_by="clerk", now=at, part=part, **kwargs,
        )


def live_members(engine: Engine, unit_id: int) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(Member).where(Member.unit_id == unit_id, live())) or 0


def clerk(tree: dict, unit: str = "unit1") -> CurrentUser:
    return CurrentUser("clerk", "填表人", "unit", Scope(root_id=tree[unit], root_path=tree[f"{unit}_path"]))


def validated(engine: Engine, tree: dict, cutoff) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        frame = unit_progress(session, Scope.everything(), tree["campaign"], cutoff)
    return int(frame.loc[frame["unit_id"] == tree["unit1"], "validated"].iloc[0])


def test_parts_make_one_list_and_a_reupload_supersedes_only_its_part(engine: Engine, tree: dict) -> None:
    put(engine, tree, people(1, 10), "一车间", T1)
    put(engine, tree, people(100, 5), "二车间", T1)
    assert live_members(engine, tree["unit1"]) == 15
    put(engine, tree, people(1, 8), "一车间", T2)
    assert live_members(engine, tree["unit1"]) == 13
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Member).where(Member.unit_id == tree["unit1"])) == 23
        kinds = dict(session.execute(select(MemberEvent.kind, func.count()).group_by(MemberEvent.kind)).all())
        assert kinds == {"collected": 23, "validated": 23, "superseded": 10}
        first = session.scalars(select(Upload).where(Upload.part == "一车间").order_by(Upload.attempt)).first()
        assert first is not None and first.superseded_at == T2
        files = current_files(session, tree["campaign"], tree["unit1"])
    assert sorted((f["part"], f["members"]) for f in files) == [("一车间", 8), ("二车间", 5)]


def test_a_person_on_two_workshop_lists_is_a_duplicate_within_the_unit(engine: Engine, tree: dict) -> None:
    put(engine, tree, people(1, 10), "一车间", T1)
    stored = put(engine, tree, [*people(100, 3), people(4, 1)[0]], "二车间", T2)
    assert stored.members_stored == 0 and stored.error_count == 1
    assert stored.result is not None
    (finding,) = [f for f in stored.result.findings if f.severity == "error"]
    assert finding.code == "id_duplicate_unit" and "一车间" in finding.message and "第7行" in finding.message
    assert live_members(engine, tree["unit1"]) == 10


def test_withdrawing_a_file_before_submission(engine: Engine, tree: dict) -> None:
    put(engine, tree, people(1, 10), "一车间", T1)
    second = put(engine, tree, people(100, 5), "二车间", T1)
    with pytest.raises(NotAllowed), write_session(engine) as session:
        withdraw_upload(session, clerk(tree, "unit2"), second.upload_id, at=T2)
    with write_session(engine) as session:
        assert withdraw_upload(session, clerk(tree), second.upload_id, at=T2) == 5
    assert live_members(engine, tree["unit1"]) == 10
    with pytest.raises(ActionRefused), write_session(engine) as session:
        withdraw_upload(session, clerk(tree), second.upload_id, at=T3)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "withdraw_upload")) == 1
        assert session.scalar(select(func.count()).select_from(Member).where(Member.upload_id == second.upload_id)) == 5


def test_figures_as_of_a_past_day_do_not_change_afterwards(engine: Engine, tree: dict) -> None:
    put(engine, tree, people(1, 10), "", T1)
    before = validated(engine, tree, T1 + timedelta(hours=1))
    assert before == 10
    put(engine, tree, people(1, 4), "", T2, confirm_removal=True)
    with write_session(engine) as session:
        files = current_files(session, tree["campaign"], tree["unit1"])
        withdraw_upload(session, clerk(tree), int(files[0]["upload_id"]), at=T3)
    assert validated(engine, tree, T1 + timedelta(hours=1)) == before
    assert validated(engine, tree, T2 + timedelta(hours=1)) == 4
    assert validated(engine, tree, T3 + timedelta(hours=1)) == 0
