"""Storing lists safely: blank lists, mass removals, duplicates outside the user's view,
two stores racing for one unit, and a person claimed by another unit between check and store."""

from __future__ import annotations

import threading
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import RemovalNeedsConfirmation
from campaign.reports.template import template_bytes
from campaign.rules.id_number import calc_check_digit, id_hash
from campaign.validate import Config, validate_bytes
from data_access.db import read_session, write_session
from data_access.history import live
from data_access.models import Finding, Member, Upload
from data_access.scope import Scope
from data_access.uploads import lookup_for_sheet, store_upload
from tests.campaign.conftest import build_csv, sheet_rows

GIVEN = "零一二三四五六七八九"
NOW = datetime(2014, 10, 20, 2, 0)
AS_OF = date(2014, 10, 1)


def person(k: int) -> list[object]:
    first17 = f"11010519800101{k:03d}"[:17] if k < 1000 else f"1101051980{(k // 1000) % 12 + 1:02d}01{k % 1000:03d}"[:17]
    number = first17 + calc_check_digit(first17)
    given = "".join(GIVEN[int(d)] for d in str(k))
    return [k, f"王{given}", number, f"138{k:08d}", ""]


def people(start: int, count: int) -> list[list[object]]:
    return [person(k) for k in range(start, start + count)]


def check(data: bytes, engine: Engine | None = None, tree: dict | None = None, unit: str = "unit1", scope: Scope | None = None, part: str = ""):  # type: ignore[no-untyped-def]
    if engine is None:
        return validate_bytes(data, "s.csv", Config(as_of=AS_OF))
    with read_session(engine) as session:
        lookup = lookup_for_sheet(session, tree["campaign"], tree[unit], scope or Scope.everything(), part)
        return validate_bytes(data, "s.csv", Config(as_of=AS_OF, lookup_ids=lookup))


def store(engine: Engine, tree: dict, data: bytes, unit: str = "unit1", result=None, **kwargs):  # type: ignore[no-untyped-def]
    result = result or check(data)
    with write_session(engine) as session:
        return store_upload(
            session, campaign_id=tree["campaign"], unit_id=tree[unit], file_name="s.csv",
            content_bytes=data, result=result, uploaded_by="clerk", now=NOW, **kwargs,
        )


def members(engine: Engine, unit_id: int) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(Member).where(Member.unit_id == unit_id, live())) or 0


def test_blank_template_is_an_error_and_keeps_the_units_members(engine: Engine, tree: dict) -> None:
    store(engine, tree, build_csv(sheet_rows(people(1, 30))))
    assert members(engine, tree["unit1"]) == 30
    blank = template_bytes("1号机密单位工会")
    result = check(blank)
    assert not result.is_clean
    assert [f.code for f in result.findings] == ["list_empty"]
    assert "没有会员数据" in result.findings[0].message
    stored = store(engine, tree, blank, result=result)
    assert stored.members_stored == 0 and stored.error_count == 1
    assert members(engine, tree["unit1"]) == 30


def test_a_list_that_drops_many_members_asks_first(engine: Engine, tree: dict) -> None:
    store(engine, tree, build_csv(sheet_rows(people(1, 30))))
    fewer = build_csv(sheet_rows(people(1, 5)))
    with pytest.raises(RemovalNeedsConfirmation) as refused:
        store(engine, tree, fewer)
    assert "25 人" in str(refused.value) and "30" in str(refused.value)
    with read_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Upload)) == 1  # nothing written
    assert members(engine, tree["unit1"]) == 30
    confirmed = store(engine, tree, fewer, confirm_removal=True)
    assert confirmed.members_stored == 5 and members(engine, tree["unit1"]) == 5
    # dropping a few (here 3 of 5) needs no confirmation
    assert store(engine, tree, build_csv(sheet_rows(people(1, 2)))).members_stored == 2


def test_duplicates_outside_the_users_scope_name_no_unit_or_row(engine: Engine, tree: dict) -> None:
    theirs = people(500, 10)
    store(engine, tree, build_csv(sheet_rows(theirs)), unit="unit2")
    probe = build_csv(sheet_rows(theirs))
    clerk = Scope(root_id=tree["unit1"], root_path=tree["unit1_path"])
    result = check(probe, engine, tree, "unit1", clerk)
    duplicates = [f for f in result.findings if f.code == "id_duplicate_campaign"]
    assert len(duplicates) == 10
    for finding in duplicates:
        assert "机密单位" not in finding.message and "行" not in finding.message.split("：", 1)[1]
        assert "区工会" in finding.message
        assert "机密单位" not in finding.text("en")
    # the whole city sees where
    admin = check(probe, engine, tree, "unit1", Scope.everything())
    assert all("2号机密单位工会" in f.message for f in admin.findings if f.code == "id_duplicate_campaign")


def test_the_lookup_asks_only_for_the_sheets_own_ids(engine: Engine, tree: dict) -> None:
    store(engine, tree, build_csv(sheet_rows(people(1, 40))), unit="unit2")
    asked: list[str] = []
    with read_session(engine) as session:
        inner = lookup_for_sheet(session, tree["campaign"], tree["unit1"], Scope.everything())

        def spy(hashes):  # type: ignore[no-untyped-def]
            asked.extend(hashes)
            return inner(hashes)

        sheet = people(35, 10)
        result = validate_bytes(build_csv(sheet_rows(sheet)), "s.csv", Config(as_of=AS_OF, lookup_ids=spy))
    assert sorted(asked) == sorted(id_hash(str(row[2])) for row in sheet)
    assert sum(f.code == "id_duplicate_campaign" for f in result.findings) == 6


def test_a_person_claimed_between_check_and_store_becomes_a_finding(engine: Engine, tree: dict) -> None:
    shared = people(700, 10)
    data = build_csv(sheet_rows(shared))
    checked = check(data, engine, tree, "unit1")
    assert checked.is_clean
    store(engine, tree, build_csv(sheet_rows(shared[:4])), unit="unit2")  # meanwhile, another unit
    stored = store(engine, tree, data, result=checked)
    assert stored.conflicted and stored.members_stored == 0
    assert stored.result is not None and stored.result.error_count == 4
    assert members(engine, tree["unit1"]) == 0 and members(engine, tree["unit2"]) == 4
    with read_session(engine) as session:
        codes = session.scalars(select(Finding.code)).all()
    assert codes.count("id_duplicate_campaign") == 4


def _race(engine: Engine, tree: dict, lists: list[bytes]) -> list[BaseException]:
    """Store two lists for one unit from two threads released at the same moment."""
    checked = [check(data) for data in lists]
    barrier = threading.Barrier(len(lists))
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            barrier.wait()
            store(engine, tree, lists[k], result=checked[k], confirm_removal=True)
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(lists))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_two_stores_for_one_unit_at_once_keep_one_list(engine: Engine, tree: dict) -> None:
    for trial in range(3):
        lists = [build_csv(sheet_rows(people(1000 * (2 * trial + k + 1), 300))) for k in range(2)]
        assert _race(engine, tree, lists) == []
        assert members(engine, tree["unit1"]) == 300
        with read_session(engine) as session:
            attempts = session.scalars(select(Upload.attempt).where(Upload.unit_id == tree["unit1"])).all()
        assert sorted(attempts) == list(range(1, 2 * trial + 3))
