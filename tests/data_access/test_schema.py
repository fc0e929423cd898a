"""The migration builds the whole schema from empty, and models round-trip, on both backends."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import DataError, IntegrityError

from data_access.db import read_session, write_session
from data_access.models import (
    Audit,
    BankBatch,
    BankResult,
    Base,
    Campaign,
    CardMovement,
    Chase,
    Deadline,
    Finding,
    Member,
    OrgUnit,
    Submission,
    Upload,
    User,
)

TABLES = {
    "org_unit", "campaign", "deadline", "upload", "member", "issue", "submission", "bank_batch",
    "bank_result", "card_movement", "chase", "user", "audit",
}


def test_migration_builds_every_table_from_empty(engine):
    names = set(inspect(engine).get_table_names())
    assert names >= TABLES
    assert "alembic_version" in names


def test_migration_matches_the_models(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


def test_aggregation_indexes_exist(engine):
    member_indexes = {ix["name"] for ix in inspect(engine).get_indexes("member")}
    assert {"ix_member_unit_stage", "ix_member_campaign_stage"} <= member_indexes


def _tree(session):
    city = OrgUnit(code="C", name="市总工会", level="city", path="/1/", expected_members=0)
    session.add(city)
    session.flush()
    unit = OrgUnit(
        code="U1", name="天津港湾物流有限公司工会", card_unit_name="滨海新区保税区工会-天津港湾物流有限公司工会",
        level="unit", parent_id=city.id, path=f"/{city.id}/2/", contact_name="李娜",
        contact_phone="13812345678", expected_members=30,
    )
    session.add(unit)
    session.flush()
    campaign = Campaign(name="2026年会员服务卡", reference_date=date(2026, 11, 1), created_at=datetime(2026, 11, 1))
    session.add(campaign)
    session.flush()
    return city, unit, campaign


def test_models_round_trip(engine):
    at = datetime(2026, 11, 3, 4, 5, 6)
    with write_session(engine) as s:
        city, unit, campaign = _tree(s)
        s.add(Deadline(campaign_id=campaign.id, milestone="unit_submission", level="district", due_at=at))
        upload = Upload(campaign_id=campaign.id, unit_id=unit.id, file_name="名单.xlsx", sha256="a" * 64, uploaded_at=at, rows=1)
        s.add(upload)
        s.flush()
        s.add(Finding(upload_id=upload.id, row=4, column="身份证号码", code="id_check_digit", severity="error", message="校验位不正确"))
        member = Member(
            campaign_id=campaign.id, unit_id=unit.id, upload_id=upload.id, name="张三",
            id_number="11010519491231002X", id_hash="h" * 64, phone="13812345678", sex="M",
            birth_date=date(1949, 12, 31), stage="produced", validated_at=at, produced_at=at,
        )
        s.add(member)
        s.flush()
        s.add(Submission(campaign_id=campaign.id, unit_id=unit.id, upload_id=upload.id, submitted_at=at, on_time=True))
        batch = BankBatch(campaign_id=campaign.id, district_id=city.id, reference="PL-1", sent_at=at, branch="工行", member_count=1)
        s.add(batch)
        s.flush()
        s.add(BankResult(member_id=member.id, batch_id=batch.id, outcome="produced", card_number_masked="*" * 15 + "1234", at=at))
        s.add(CardMovement(member_id=member.id, step="received_by_district", at=at, by="发卡组"))
        s.add(Chase(unit_id=unit.id, at=at, by="王芳", channel="phone", note="答应周五前上报", promised_date=date(2026, 11, 7)))
        s.add(User(login="li", display_name="李娜", password_hash="x", role="unit", scope_id=unit.id))
        s.add(Audit(at=at, user_login="li", action="export", object="报表.xlsx", row_count=3))
    with read_session(engine) as s:
        member = s.scalars(select(Member)).one()
        assert (member.name, member.id_number, member.phone, member.birth_date, member.produced_at) == (
            "张三", "11010519491231002X", "13812345678", date(1949, 12, 31), at,
        )
        assert s.scalars(select(Finding.message)).one() == "校验位不正确"
        assert s.scalars(select(Chase.promised_date)).one() == date(2026, 11, 7)
        assert s.scalars(select(OrgUnit.card_unit_name).where(OrgUnit.level == "unit")).one().endswith("有限公司工会")
        assert s.scalars(select(User.login)).one() == "li"


@pytest.mark.parametrize(
    ("id_number", "phone"),
    [("1.10101199003078E+17", "13812345678"), ("11010519491231002X", "1381234567"), ("110105194912310", "13812345678")],
)
def test_id_and_phone_columns_reject_wrong_lengths(engine, id_number, phone):
    # SQLite answers with the CHECK constraint, PostgreSQL already with the VARCHAR length.
    with pytest.raises((IntegrityError, DataError)), write_session(engine) as s:
        _, unit, campaign = _tree(s)
        s.add(Member(
            campaign_id=campaign.id, unit_id=unit.id, name="张三", id_number=id_number, id_hash="h" * 64,
            phone=phone, sex="M", birth_date=date(1990, 1, 1), stage="validated",
        ))
    with read_session(engine) as s:
        assert s.scalars(select(OrgUnit)).all() == []  # the whole transaction rolled back


def test_foreign_keys_are_enforced(engine):
    with pytest.raises(IntegrityError), write_session(engine) as s:
        s.add(Chase(unit_id=999, at=datetime(2026, 1, 1), channel="phone", note="x"))
