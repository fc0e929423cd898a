"""The org-tree import action on both backends: preview then apply, all or nothing, re-import
updates and retires exactly as previewed, moves re-place the subtree, export → import no-op."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, func, select

from campaign.orgtree import read_org_rows, rows_from_records
from data_access.actions.base import NotAllowed
from data_access.actions.org import OrgImportRefused, apply_org_import, export_workbook, preview_org_import
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Audit, OrgLevel, OrgUnit
from data_access.scope import Scope
from tests.campaign.orgtree_fixture import SEED_TREE, big_tree

ADMIN = CurrentUser("admin", "管理员", "admin", Scope.everything())
AT = datetime(2026, 10, 1, 2, 0)


def counts(engine: Engine) -> tuple[int, int, int]:
    with read_session(engine) as session:
        return (session.scalar(select(func.count()).select_from(OrgUnit)) or 0,
                session.scalar(select(func.count()).select_from(OrgLevel)) or 0,
                session.scalar(select(func.count()).select_from(Audit)) or 0)


def nodes(engine: Engine) -> dict[str, OrgUnit]:
    with read_session(engine) as session:
        rows = session.scalars(select(OrgUnit)).all()
        session.expunge_all()
    return {row.code: row for row in rows}


def apply(engine: Engine, records, user: CurrentUser = ADMIN, at: datetime = AT):  # type: ignore[no-untyped-def]
    with write_session(engine) as session:
        return apply_org_import(session, user, rows_from_records(records), at=at)


def test_first_import_builds_paths_districts_and_areas(engine: Engine) -> None:
    with read_session(engine) as session:
        plan = preview_org_import(session, ADMIN, rows_from_records(SEED_TREE))
    assert plan.ok and len(plan.added) == len(SEED_TREE) and counts(engine)[0] == 0
    result = apply(engine, SEED_TREE)
    assert (result.added, result.changed, result.retired, result.noop) == (len(SEED_TREE), 0, 0, False)
    tree = nodes(engine)
    city, new_area, district, area, unit, workshop = (tree[c] for c in ("0001", "0002", "0010", "001001", "00100101", "0010010101"))
    assert workshop.path == f"/{city.id}/{new_area.id}/{district.id}/{area.id}/{unit.id}/{workshop.id}/"
    assert (unit.district_id, unit.area_id, workshop.district_id, workshop.area_id) == (district.id, area.id, district.id, area.id)
    assert (city.district_id, district.area_id, tree["001101"].area_id) == (None, None, None)  # 乙 sits under a district directly
    assert unit.parent_id == area.id and unit.created_at == AT and unit.card_unit_name == "滨海新区保税区工会-甲公司工会"
    with read_session(engine) as session:
        audit = session.execute(select(Audit.row_count, Audit.detail).where(Audit.action == "org_import")).all()
    assert len(audit) == 1 and audit[0][0] == len(SEED_TREE) and "added=8" in (audit[0][1] or "")


def test_same_file_twice_writes_nothing(engine: Engine) -> None:
    apply(engine, SEED_TREE)
    before = counts(engine)
    result = apply(engine, SEED_TREE, at=datetime(2026, 10, 2))
    assert result.noop and result.unchanged == len(SEED_TREE)
    assert counts(engine) == before
    assert all(node.updated_at == AT for node in nodes(engine).values())


def test_reimport_updates_moves_and_retires_as_previewed(engine: Engine) -> None:
    apply(engine, SEED_TREE)
    later = datetime(2026, 11, 1)
    rows = [dict(r) for r in SEED_TREE if r["code"] != "0010010101"]  # the workshop leaves the list
    by_code = {r["code"]: r for r in rows}
    by_code["001101"].update(expected_members=35, contact_phone="022-58881234")
    # 甲 moves from 保税区's area to 开发区 (with a card name that fits)
    by_code["00100101"].update(parent_code="0011", card_unit_name="开发区工会甲公司工会")
    with read_session(engine) as session:
        plan = preview_org_import(session, ADMIN, rows_from_records(rows))
    assert plan.ok and plan.added == ()
    assert set(plan.changed_codes) == {"001101", "00100101"} and [n.code for n in plan.retired] == ["0010010101"]
    result = apply(engine, rows, at=later)
    assert (result.added, result.changed, result.retired, result.unchanged) == (0, 2, 1, len(rows) - 2)
    tree = nodes(engine)
    assert len(tree) == len(SEED_TREE)  # nothing deleted
    assert tree["0010010101"].retired_at == later and tree["001101"].expected_members == 35
    assert tree["001101"].contact_phone == "02258881234" and tree["001101"].updated_at == later
    moved, kaifa = tree["00100101"], tree["0011"]
    assert (moved.parent_id, moved.district_id, moved.area_id) == (kaifa.id, kaifa.id, None)
    assert moved.path == f"{kaifa.path}{moved.id}/"
    assert tree["0010010101"].path == f"{moved.path}{tree['0010010101'].id}/"  # the subtree followed
    assert tree["0010"].updated_at == AT  # unchanged rows keep their time
    # the retired workshop comes back when listed again
    result = apply(engine, [*rows, dict(SEED_TREE[6])], at=datetime(2026, 12, 1))
    assert result.unretired == 1 and nodes(engine)["0010010101"].retired_at is None


def test_refused_rows_write_nothing(engine: Engine) -> None:
    apply(engine, SEED_TREE)
    before = counts(engine)
    bad = [dict(r) for r in SEED_TREE] + [
        {"code": "C1", "name": "甲", "parent_code": "C2", "level": "区县局"},
        {"code": "C2", "name": "乙", "parent_code": "C1", "level": "区县局"},
        {"code": "U9", "name": "丙", "parent_code": "NOPE", "level": "基层单位", "card_unit_name": "x"},
        {"code": "0011", "name": "重复", "parent_code": "0002", "level": "区县局"},
        {"code": "N1", "name": "新层级", "parent_code": "0002", "level": "产业工会"},
    ]
    with read_session(engine) as session:
        plan = preview_org_import(session, ADMIN, rows_from_records(bad))
    assert {r.code for r in plan.refused} == {"C1", "C2", "U9", "0011"}
    with pytest.raises(OrgImportRefused), write_session(engine) as session:
        apply_org_import(session, ADMIN, plan)
    assert counts(engine) == before  # not even the new level


def test_only_an_administrator_of_the_whole_tree(engine: Engine) -> None:
    apply(engine, SEED_TREE)
    before = counts(engine)
    district = nodes(engine)["0010"]
    for user in (CurrentUser("lead", "l", "district_leader", Scope.everything()),
                 CurrentUser("a2", "a", "admin", Scope(root_id=district.id, root_path=district.path))):
        with pytest.raises(NotAllowed), write_session(engine) as session:
            apply_org_import(session, user, rows_from_records(SEED_TREE[:1]))
        with pytest.raises(NotAllowed), read_session(engine) as session:
            preview_org_import(session, user, rows_from_records(SEED_TREE))
    assert counts(engine) == before


def test_new_group_level_is_stored(engine: Engine) -> None:
    rows = [dict(r) for r in SEED_TREE]
    rows.insert(2, {"code": "0003", "name": "产业工会联合会", "parent_code": "0002", "level": "产业工会"})
    rows[3] = {**rows[3], "parent_code": "0003"}
    apply(engine, rows)
    with read_session(engine) as session:
        code, kind, rank = session.execute(select(OrgLevel.code, OrgLevel.kind, OrgLevel.rank).where(OrgLevel.name == "产业工会")).one()
    assert kind == "group" and rank < 30
    assert nodes(engine)["0003"].level == code and nodes(engine)["00100101"].district_id == nodes(engine)["0010"].id
    assert apply(engine, rows).noop  # the new level is now stored: the same file is a no-op


def test_export_then_import_is_a_noop(engine: Engine) -> None:
    apply(engine, SEED_TREE)
    with read_session(engine) as session:
        data, rows = export_workbook(session, ADMIN)
    assert rows == len(SEED_TREE)
    before = counts(engine)
    with write_session(engine) as session:
        assert apply_org_import(session, ADMIN, read_org_rows(data)).noop
    assert counts(engine) == before


def test_demo_tree_exports_and_reimports_unchanged(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        data, rows = export_workbook(session, ADMIN)
        plan = preview_org_import(session, ADMIN, read_org_rows(data))
    assert plan.refused == () and plan.is_noop and plan.unchanged == rows


def test_big_tree_imports_in_bulk(engine: Engine) -> None:
    records = big_tree(20_000)
    result = apply(engine, records)
    assert result.added == len(records) and counts(engine)[0] == len(records)
    tree = nodes(engine)
    assert tree["0007000007"].district_id == tree["0007"].id


def test_rollup_by_area_on_a_tree_without_areas(engine: Engine) -> None:
    from datetime import date

    from data_access import metrics
    from data_access.models import Campaign
    from tests.campaign.orgtree_fixture import NO_AREAS

    apply(engine, NO_AREAS)
    with write_session(engine) as session:
        root = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "H"))
        campaign = Campaign(name="c", reference_date=date(2026, 10, 1), root_id=root, created_at=AT)
        session.add(campaign)
        session.flush()
        campaign_id = campaign.id
    with read_session(engine) as session:
        units = metrics.unit_progress(session, Scope.everything(), campaign_id, datetime(2026, 10, 2))
    assert len(units) == 2 and units["area_id"].isna().all()
    by_area = metrics.rollup(units, "area")
    assert sorted(by_area["org_name"]) == ["乙公司工会", "甲公司工会"] and list(by_area["units"]) == [1, 1]
    assert metrics.pace(units, datetime(2026, 10, 2)) == []  # no deadline yet: no projection, no crash
