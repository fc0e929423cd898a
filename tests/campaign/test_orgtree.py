"""The organisation-tree file: reading (xlsx/xls/CSV, English headers, codes as text, formulas)
and the pure checks (every refusal reason, the seed's chain, a tree without areas, aliases)."""

from __future__ import annotations

import pytest

from campaign.errors import IngestError
from campaign.orgtree import (
    BUILT_IN,
    FIELDS,
    MAX_NODES,
    Node,
    OrgColumnsMissing,
    OrgNoHeader,
    OrgTooManyRows,
    check_tree,
    read_org_rows,
    rows_from_records,
    template_workbook,
    tree_workbook,
)
from tests.campaign.orgtree_fixture import NO_AREAS, SEED_TREE, as_table, big_tree, csv_bytes, xls_bytes, xlsx_bytes


def reasons(check) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    return {row.code: {reason.code for reason in row.reasons} for row in check.refused}


def test_seed_chain_is_clean_and_levels_resolve() -> None:
    check = check_tree(rows_from_records(SEED_TREE), {}, BUILT_IN)
    assert check.refused == ()
    assert [check.nodes[c].level for c in ("0001", "0002", "0010", "0011", "001001", "00100101", "0010010101")] == [
        "city", "new_area", "district", "district", "area", "unit", "sub_unit"]
    assert len(check.added) == len(SEED_TREE) and check.new_levels == ()
    assert check.nodes["0010"].contact_phone == "02225601234"


def test_tree_without_areas_is_clean() -> None:
    check = check_tree(rows_from_records(NO_AREAS), {}, BUILT_IN)
    assert check.refused == () and len(check.added) == 3


def test_new_group_level_above_districts_only() -> None:
    rows = [dict(r) for r in SEED_TREE]
    rows.insert(2, {"code": "0003", "name": "某集团工会", "parent_code": "0002", "level": "产业工会"})
    rows[3] = {**rows[3], "parent_code": "0003"}  # 保税区 under the new group level
    check = check_tree(rows_from_records(rows), {}, BUILT_IN)
    assert check.refused == ()
    assert [(lv.name, lv.kind) for lv in check.new_levels] == [("产业工会", "group")]
    assert check.nodes["0003"].level == check.new_levels[0].code
    below = rows + [{"code": "X9", "name": "班组联合会", "parent_code": "00100101", "level": "联合会"}]
    assert reasons(check_tree(rows_from_records(below), {}, BUILT_IN))["X9"] == {"level_order"}


@pytest.mark.parametrize(
    ("change", "code", "expected"),
    [
        ({"code": ""}, "", "code_missing"),
        ({"code": "=A1"}, "=A1", "code_bad"),
        ({"name": ""}, "001101", "name_missing"),
        ({"parent_code": "9999"}, "001101", "parent_unknown"),
        ({"parent_code": "001101"}, "001101", "parent_self"),
        ({"contact_phone": "12345"}, "001101", "phone_bad"),
        ({"contact_phone": "14012345678"}, "001101", "phone_bad"),
        ({"liaison_phone": "abc"}, "001101", "phone_bad"),
        ({"expected_members": "-3"}, "001101", "expected_bad"),
        ({"expected_members": "12.5"}, "001101", "expected_bad"),
        ({"expected_members": "很多"}, "001101", "expected_bad"),
        ({"level": ""}, "001101", "level_missing"),
        ({"level": "新区"}, "001101", "level_order"),
        ({"level": "车间"}, "001101", "level_order"),
        ({"card_unit_name": ""}, "001101", "card_name_missing"),
        ({"card_unit_name": "乙公司工会"}, "001101", "card_name_hierarchy"),
        ({"card_unit_name": "保税区工会乙公司工会"}, "001101", "card_name_hierarchy"),
        ({"name": "名" * 201}, "001101", "too_long"),
    ],
)
def test_each_refusal_reason(change: dict[str, object], code: str, expected: str) -> None:
    rows = [dict(r) for r in SEED_TREE]
    rows[-1] = {**rows[-1], **change}
    check = check_tree(rows_from_records(rows), {}, BUILT_IN)
    assert expected in reasons(check)[code]
    assert check.added == ()  # a refused file plans nothing


def test_duplicates_cycles_roots_all_reported_at_once() -> None:
    rows = [dict(r) for r in SEED_TREE] + [
        {"code": "001101", "name": "重复", "parent_code": "0011", "level": "基层单位", "card_unit_name": "开发区工会重复"},
        {"code": "C1", "name": "甲", "parent_code": "C2", "level": "区县局"},
        {"code": "C2", "name": "乙", "parent_code": "C1", "level": "区县局"},
        {"code": "R2", "name": "第二个根", "parent_code": "", "level": "市总工会", "contact_phone": "1"},
    ]
    found = reasons(check_tree(rows_from_records(rows), {}, BUILT_IN))
    assert found["001101"] == {"code_duplicate"}
    assert found["C1"] == {"cycle"} and found["C2"] == {"cycle"}
    assert found["R2"] == {"root_many", "phone_bad"}
    assert found["0001"] == {"root_many"}


def test_root_must_match_stored_root() -> None:
    stored = {"ROOT": Node("ROOT", "天津市总工会", "", "city")}
    found = reasons(check_tree(rows_from_records(NO_AREAS), stored, BUILT_IN))
    assert found["H"] == {"root_differs"}


def test_plan_against_stored_tree() -> None:
    first = check_tree(rows_from_records(SEED_TREE), {}, BUILT_IN)
    stored = dict(first.nodes)
    rows = [dict(r) for r in SEED_TREE if r["code"] != "0010010101"]
    rows[-1] = {**rows[-1], "expected_members": 35, "contact_name": "王五"}
    plan = check_tree(rows_from_records(rows), stored, BUILT_IN)
    assert plan.refused == () and plan.added == ()
    assert [n.code for n in plan.retired] == ["0010010101"]
    assert {(c.code, c.field, c.old, c.new) for c in plan.changed} == {
        ("001101", "expected_members", 30, 35), ("001101", "contact_name", "李四", "王五")}
    assert plan.unchanged == len(rows) - 1
    again = check_tree(rows_from_records(SEED_TREE), stored, BUILT_IN)
    assert again.is_noop and again.unchanged == len(SEED_TREE)


def test_read_csv_utf8_gbk_and_english_headers() -> None:
    for data in (csv_bytes(SEED_TREE), csv_bytes(SEED_TREE, "gbk"), csv_bytes(SEED_TREE, header=list(FIELDS))):
        rows = read_org_rows(data)
        assert [r.code for r in rows] == [r["code"] for r in SEED_TREE]  # leading zeros kept
        assert rows[2].name == "保税区工会" and rows[0].sheet_row == 2
        assert check_tree(rows, {}, BUILT_IN).refused == ()


def test_read_xlsx_numbers_and_formulas() -> None:
    table = as_table(NO_AREAS)
    table[1][0] = 1001.0  # an Excel number: read as "1001"
    table[2][2] = 1001
    table[3][2] = 1001
    table[3][9] = "=10*2"  # a live formula: never evaluated, the row is refused
    rows = read_org_rows(xlsx_bytes(table))
    assert [r.code for r in rows] == ["1001", "H1", "H2"] and rows[1].parent_code == "1001"
    assert rows[2].formulas == ("expected_members",)
    assert reasons(check_tree(rows, {}, BUILT_IN)) == {"H2": {"formula"}}


def test_read_xls() -> None:
    rows = read_org_rows(xls_bytes(as_table(SEED_TREE)))
    assert [r.code for r in rows] == [r["code"] for r in SEED_TREE]
    assert check_tree(rows, {}, BUILT_IN).refused == ()


def test_hostile_files_refused() -> None:
    with pytest.raises(OrgColumnsMissing):
        read_org_rows(csv_bytes(NO_AREAS, header=["单位编码", "单位名称", "x", "y", "", "", "", "", "", ""]))
    with pytest.raises(OrgNoHeader):
        read_org_rows("姓名,身份证号码\n张三,1\n".encode())
    with pytest.raises(IngestError):  # wrong encodings: not read as text, or a header that is mojibake
        read_org_rows(csv_bytes(NO_AREAS, "utf-16"))
    with pytest.raises(IngestError):
        read_org_rows(csv_bytes(NO_AREAS, "utf-16-be"))
    with pytest.raises(IngestError):
        read_org_rows(b"\x00\x01garbage" * 100)
    with pytest.raises(OrgTooManyRows):
        read_org_rows(csv_bytes(big_tree(MAX_NODES)))  # 100,000 units + root + districts


def test_big_tree_checks() -> None:
    rows = read_org_rows(csv_bytes(big_tree(MAX_NODES - 21)))
    assert len(rows) == MAX_NODES
    check = check_tree(rows, {}, BUILT_IN)
    assert check.refused == () and len(check.added) == MAX_NODES


def test_template_and_export_round_trip() -> None:
    rows = read_org_rows(template_workbook(list(BUILT_IN)))
    assert [r.code for r in rows] == ["0001", "000101"]
    assert check_tree(rows, {}, BUILT_IN).refused == ()
    nodes = check_tree(rows_from_records(SEED_TREE), {}, BUILT_IN).nodes
    again = check_tree(read_org_rows(tree_workbook(list(nodes.values()), list(BUILT_IN))), nodes, BUILT_IN)
    assert again.refused == () and again.is_noop
