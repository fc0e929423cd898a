"""The demo campaign: loads on both backends, and its story is consistent."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, IntegrityError
from stdnum.cn import ric

from campaign.demo import DemoConfig, generate_demo
from campaign.rules.id_number import calc_check_digit
from campaign.stages import ALL_STAGES, STAGE_TIME_COLUMN
from data_access.db import read_session, write_session
from data_access.loader import load_generated
from data_access.models import BankResult, Finding, Member, OrgUnit, Submission
from tests.conftest import DEMO_NOW, SMALL_DEMO


def test_demo_is_deterministic_for_a_seed_and_a_now():
    a = generate_demo(DEMO_NOW, SMALL_DEMO)
    b = generate_demo(DEMO_NOW, SMALL_DEMO)
    assert a.tables["member"] == b.tables["member"]
    c = generate_demo(DEMO_NOW, DemoConfig(seed=12, units=60, members=4_000))
    assert a.tables["member"] != c.tables["member"]


def test_full_demo_has_the_seed_shape():
    data = generate_demo(DEMO_NOW)
    levels = Counter(row["level"] for row in data.tables["org_unit"])
    assert levels["city"] == 1 and levels["new_area"] == 1
    assert levels["district"] >= 3
    assert 10 <= levels["area"] <= 16
    assert 350 <= levels["unit"] <= 450
    assert levels["sub_unit"] > 0
    assert 30_000 <= len(data.tables["member"]) <= 50_000
    stages = Counter(m["stage"] for m in data.tables["member"])
    for stage in ("validated", "submitted", "approved", "sent_to_bank", "produced", "received", "distributed", "delivered", "failed", "corrected"):
        assert stages[stage] > 0, stage
    outcomes = Counter(s["outcome"] for s in data.tables["submission"])
    assert outcomes["returned"] > 0 and outcomes["approved"] > 0
    on_time = Counter(s["on_time"] for s in data.tables["submission"])
    assert on_time[True] > 0 and on_time[False] > 0
    failed = sum(1 for r in data.tables["bank_result"] if r["outcome"] == "failed")
    assert 0.01 < failed / len(data.tables["bank_result"]) < 0.08
    assert len(data.tables["chase"]) > 0


def test_synthetic_people_have_valid_ids_phones_and_no_duplicates(small_demo):
    members = small_demo.tables["member"]
    ids = [m["id_number"] for m in members]
    assert len(set(ids)) == len(ids)
    for id_number in ids:
        assert id_number[17] == calc_check_digit(id_number[:17])
        assert ric.get_birth_date(id_number) <= DEMO_NOW.date()  # a real calendar date
    for member in members:
        assert int(member["id_number"][16]) % 2 == (1 if member["sex"] == "M" else 0)
        assert len(member["phone"]) == 11 and member["phone"][0] == "1" and member["phone"][1] in "3456789"
    # Planted cross-unit duplicates exist only as findings, never as a second member row.
    planted = [f for f in small_demo.tables.get("issue", []) if f["code"] == "id_duplicate_campaign"]
    assert all(f["severity"] == "error" for f in planted)


def test_stage_times_follow_the_one_way_path(small_demo):
    order = ["collected_at", "validated_at", "submitted_at", "approved_at", "sent_at", "produced_at", "received_at", "distributed_at", "delivered_at", "activated_at"]
    for member in small_demo.tables["member"]:
        times = [member[c] for c in order]
        reached = [t for t in times if t is not None]
        assert times[: len(reached)] == reached, "a later stage without an earlier one"
        assert reached == sorted(reached)
        assert all(t <= DEMO_NOW for t in reached)
        stage = member["stage"]
        if stage not in ("failed", "corrected"):
            assert member[STAGE_TIME_COLUMN[stage]] == reached[-1]


def test_loaded_demo_agrees_with_submissions_and_bank_results(demo_engine):
    with read_session(demo_engine) as s:
        total = s.scalar(select(func.count()).select_from(Member))
        per_stage = dict(s.execute(select(Member.stage, func.count()).group_by(Member.stage)).all())
        assert sum(per_stage.values()) == total > 0
        assert set(per_stage) <= set(ALL_STAGES)
        # Members at or past "submitted" belong to units with a submission; "approved" ones to
        # units with an approved submission.
        submitted_units = set(s.scalars(select(Submission.unit_id)))
        approved_units = set(s.scalars(select(Submission.unit_id).where(Submission.outcome == "approved")))
        for unit_id, approved_at in s.execute(select(Member.unit_id, Member.approved_at).where(Member.submitted_at.is_not(None))):
            assert unit_id in submitted_units
            if approved_at is not None:
                assert unit_id in approved_units
        # A member's latest bank result matches its stage.
        latest = {}
        for member_id, outcome in s.execute(select(BankResult.member_id, BankResult.outcome).order_by(BankResult.at, BankResult.id)):
            latest[member_id] = outcome
        for member_id, stage in s.execute(select(Member.id, Member.stage)):
            if stage in ("produced", "received", "distributed", "delivered", "activated"):
                assert latest.get(member_id) == "produced"
            elif stage in ("failed", "corrected"):
                assert latest.get(member_id) == "failed"
            elif stage in ("validated", "submitted", "approved"):
                assert member_id not in latest
        # Every unit of every member is a base-level unit in the tree.
        levels = set(s.scalars(select(OrgUnit.level).join(Member, Member.unit_id == OrgUnit.id).distinct()))
        assert levels == {"unit"}
        # Findings of superseded uploads are resolved; the planted duplicates are findings.
        assert s.scalar(select(func.count()).select_from(Finding).where(Finding.resolved_at.is_not(None))) > 0


def test_an_import_that_fails_half_way_leaves_the_database_unchanged(engine, small_demo):
    broken = generate_demo(DEMO_NOW, SMALL_DEMO)
    members = broken.tables["member"]
    members[len(members) // 2]["id_number"] = "1.10101199003078E+17"  # violates the length check
    with pytest.raises((IntegrityError, DataError)), write_session(engine) as s:
        load_generated(s, broken)
    with read_session(engine) as s:
        for table in (OrgUnit, Member, Submission, BankResult):
            assert s.scalar(select(func.count()).select_from(table)) == 0
    with write_session(engine) as s:  # and the same data, intact, loads afterwards
        counts = load_generated(s, small_demo)
    assert counts["member"] == len(small_demo.tables["member"])


def test_contacts_and_liaisons_have_mobile_phones_not_id_numbers(small_demo):
    for org in small_demo.tables["org_unit"]:
        for key in ("contact_phone", "liaison_phone"):
            phone = org[key]
            if phone is not None:
                assert len(phone) == 11 and phone.startswith("1"), (org["name"], key, phone)
