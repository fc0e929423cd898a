"""store_upload: all-or-nothing, idempotent per file, replaces only not-yet-submitted members."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from campaign.rules.id_number import id_hash
from campaign.validate import Config, validate_bytes
from data_access.db import read_session, write_session
from data_access.models import Audit, Campaign, Finding, Member, OrgUnit, Upload
from data_access.scope import Scope
from data_access.uploads import known_ids_for_campaign, store_upload, submitted_ids_for_unit
from tests.campaign.conftest import build_csv, make_id, sheet_rows

NOW = datetime(2014, 10, 20, 2, 0)
AS_OF = date(2014, 10, 1)
A, B, C = make_id(seq="123"), make_id(seq="246"), make_id(seq="357")


def setup(engine: Engine) -> tuple[int, int, int]:
    with write_session(engine) as session:
        unit1 = OrgUnit(code="U1", name="一号单位工会", level="unit", path="/1/")
        unit2 = OrgUnit(code="U2", name="二号单位工会", level="unit", path="/2/")
        campaign = Campaign(name="2014", reference_date=AS_OF, created_at=NOW)
        session.add_all([unit1, unit2, campaign])
        session.flush()
        return campaign.id, unit1.id, unit2.id


def store(engine: Engine, campaign_id: int, unit_id: int, rows: list, **config: object):  # type: ignore[no-untyped-def]
    data = build_csv(sheet_rows(rows))
    with write_session(engine) as session:
        result = validate_bytes(data, "s.csv", Config(as_of=AS_OF, **config))  # type: ignore[arg-type]
        return store_upload(
            session,
            campaign_id=campaign_id,
            unit_id=unit_id,
            file_name="s.csv",
            content_bytes=data,
            result=result,
            uploaded_by="clerk",
            now=NOW,
        )


def count(engine: Engine, model: type) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_clean_upload_stores_members_and_is_idempotent(engine: Engine) -> None:
    campaign_id, unit1, _ = setup(engine)
    rows = [[1, "张三", A, "13812345678", ""], [2, "李四", B, "13912345678", ""]]
    first = store(engine, campaign_id, unit1, rows)
    assert not first.recognised and first.members_stored == 2 and first.attempt == 1
    again = store(engine, campaign_id, unit1, rows)
    assert again.recognised and again.upload_id == first.upload_id
    assert count(engine, Upload) == 1 and count(engine, Member) == 2 and count(engine, Audit) == 1
    with read_session(engine) as session:
        member = session.scalars(select(Member).order_by(Member.sheet_row)).first()
        assert member is not None
        assert (member.stage, member.sex, member.id_hash) == ("validated", "M", id_hash(A))
        assert member.validated_at == NOW and member.birth_date == date(1980, 1, 1)


def test_new_clean_sheet_replaces_unsubmitted_members_only(engine: Engine) -> None:
    campaign_id, unit1, _ = setup(engine)
    store(engine, campaign_id, unit1, [[1, "张三", A, "13812345678", ""]])
    with write_session(engine) as session:
        member = session.scalars(select(Member)).one()
        member.stage = "submitted"
    second = store(engine, campaign_id, unit1, [[1, "李四", B, "13912345678", ""]])
    assert second.attempt == 2 and second.members_stored == 1
    with read_session(engine) as session:
        stages = sorted(session.execute(select(Member.name, Member.stage)).all())
    assert stages == [("张三", "submitted"), ("李四", "validated")]


def test_upload_with_errors_keeps_findings_and_members(engine: Engine) -> None:
    campaign_id, unit1, _ = setup(engine)
    store(engine, campaign_id, unit1, [[1, "张三", A, "13812345678", ""]])
    bad = store(engine, campaign_id, unit1, [[1, "李四", "123", "13912345678", ""]])
    assert bad.members_stored == 0 and bad.error_count == 1
    with read_session(engine) as session:
        issue = session.scalars(select(Finding)).one()
        assert (issue.row, issue.column, issue.code, issue.severity) == (4, "身份证号码", "id_length", "error")
        assert session.scalars(select(Member.name)).all() == ["张三"]


def test_cross_unit_duplicates_come_from_the_database(engine: Engine) -> None:
    campaign_id, unit1, unit2 = setup(engine)
    store(engine, campaign_id, unit1, [[1, "张三", A, "13812345678", ""]])
    with read_session(engine) as session:
        known = known_ids_for_campaign(session, campaign_id, unit2, [id_hash(A), id_hash(C)], Scope.everything())
        assert known == {id_hash(A): "一号单位工会（第4行）"}
        assert known_ids_for_campaign(session, campaign_id, unit1, [id_hash(A)], Scope.everything()) == {}
        assert submitted_ids_for_unit(session, campaign_id, unit1) == {}
    claimed = store(engine, campaign_id, unit2, [[1, "张三", A, "13812345678", ""]], known_ids=known)
    assert claimed.members_stored == 0 and claimed.error_count == 1


def test_failure_leaves_nothing(engine: Engine) -> None:
    campaign_id, unit1, _ = setup(engine)
    data = build_csv(sheet_rows([[1, "张三", A, "13812345678", ""]]))
    result = validate_bytes(data, "s.csv", Config(as_of=AS_OF))
    with pytest.raises(RuntimeError), write_session(engine) as session:
        store_upload(
            session,
            campaign_id=campaign_id,
            unit_id=unit1,
            file_name="s.csv",
            content_bytes=data,
            result=result,
            uploaded_by=None,
            now=NOW,
        )
        raise RuntimeError("crash after storing")
    assert count(engine, Upload) == 0 and count(engine, Member) == 0 and count(engine, Audit) == 0
