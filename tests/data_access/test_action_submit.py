"""Submitting a unit's list: on time and late against the effective deadline, events, refusals."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from campaign.validate import Config, validate_bytes
from data_access.actions.base import NotAllowed
from data_access.actions.submit import (
    AlreadyPending,
    ConsentsNotConfirmed,
    FillerPhoneInvalid,
    NothingToSubmit,
    UploadHasErrors,
    submit_list,
    timing_text,
    unit_submit_state,
)
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Audit, Campaign, Deadline, Member, MemberEvent, OrgUnit, Submission
from data_access.scope import Scope
from data_access.uploads import store_upload
from tests.campaign.conftest import build_csv, sheet_rows
from tests.data_access.test_upload_hostile import AS_OF, people

NOW = datetime(2014, 10, 20, 2, 0)
DUE_D1 = datetime(2014, 10, 28, 4, 0)  # 12:00 Shanghai
DUE_U2 = DUE_D1 + timedelta(days=3)  # U2's extension
DUE_ALL = datetime(2014, 10, 30, 4, 0)  # campaign-wide


def _org(session, code: str, name: str, level: str, parent: OrgUnit | None, **kw) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=name, level=level, path="", parent_id=parent.id if parent else None, **kw)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


@pytest.fixture
def wf(engine: Engine) -> dict[str, object]:
    """City → new area → two districts; D1 has an area with U1, U2; D2 has U3. Chain district,new_area."""
    with write_session(engine) as s:
        city = _org(s, "C", "市总工会", "city", None)
        new_area = _org(s, "N", "滨海新区总工会", "new_area", city)
        d1 = _org(s, "D1", "保税区工会", "district", new_area)
        d2 = _org(s, "D2", "开发区工会", "district", new_area)
        a1 = _org(s, "A1", "保税一片", "area", d1, district_id=d1.id)
        u1 = _org(s, "U1", "甲公司工会", "unit", a1, district_id=d1.id, area_id=a1.id, card_unit_name="滨海新区保税区工会-甲公司工会")
        u2 = _org(s, "U2", "乙公司工会", "unit", a1, district_id=d1.id, area_id=a1.id)
        u3 = _org(s, "U3", "丙公司工会", "unit", d2, district_id=d2.id)
        campaign = Campaign(name="2014", reference_date=AS_OF, created_at=NOW, review_levels="district,new_area")
        s.add(campaign)
        s.flush()
        s.add_all([
            Deadline(campaign_id=campaign.id, milestone="unit_submission", level="district", org_unit_id=d1.id, due_at=DUE_D1),
            Deadline(campaign_id=campaign.id, milestone="unit_submission", org_unit_id=u2.id, is_extension=True, due_at=DUE_U2),
            Deadline(campaign_id=campaign.id, milestone="unit_submission", due_at=DUE_ALL),
        ])
        made: dict[str, object] = {"campaign": campaign.id}
        for org in (city, new_area, d1, d2, a1, u1, u2, u3):
            made[org.code] = org.id
            made[f"{org.code}_path"] = org.path
    return made


def user(wf: dict, login: str, role: str, scope: str | None) -> CurrentUser:
    return CurrentUser(login, login, role, Scope(wf[scope], wf[f"{scope}_path"]) if scope else Scope.everything())  # type: ignore[arg-type]


def store(engine: Engine, wf: dict, unit: str, rows: list[list[object]], at: datetime = NOW) -> int:
    data = build_csv(sheet_rows(rows))
    result = validate_bytes(data, "s.csv", Config(as_of=AS_OF))
    with write_session(engine) as session:
        stored = store_upload(session, campaign_id=wf["campaign"], unit_id=wf[unit], file_name=f"{unit}.csv",
                              content_bytes=data, result=result, uploaded_by="clerk", now=at)
    return stored.upload_id


def submit(engine: Engine, wf: dict, who: CurrentUser, unit: str, at: datetime, **kw):  # type: ignore[no-untyped-def]
    args = {"filler_name": "王芳", "filler_phone": "138 1234 5678", "consents_confirmed": True, **kw}
    with write_session(engine) as session:
        return submit_list(session, who, wf[unit], at=at, **args)


def count(engine: Engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_submit_on_time_records_the_form_and_events(engine: Engine, wf: dict) -> None:
    upload = store(engine, wf, "U1", people(1, 12))
    clerk = user(wf, "clerk1", "unit", "U1")
    result = submit(engine, wf, clerk, "U1", DUE_D1 - timedelta(hours=30))
    assert result.member_count == 12 and result.on_time and result.due_at == DUE_D1
    assert result.review_level == "district"
    assert "提前1天6小时" in result.timing() and "on time" in result.timing("en")
    with read_session(engine) as session:
        sub = session.get(Submission, result.submission_id)
        assert sub.upload_id == upload and sub.outcome == "pending" and sub.card_unit_name == "滨海新区保税区工会-甲公司工会"
        assert (sub.filler_name, sub.filler_phone, sub.member_count, sub.submitted_by) == ("王芳", "13812345678", 12, "clerk1")
        assert sub.consents_confirmed and sub.due_at == DUE_D1
        stages = session.execute(select(Member.stage, func.count()).where(Member.unit_id == wf["U1"]).group_by(Member.stage)).all()
        assert stages == [("submitted", 12)]
    assert count(engine, MemberEvent, MemberEvent.kind == "submitted", MemberEvent.submission_id == result.submission_id) == 12
    assert count(engine, Audit, Audit.action == "submit") == 1


def test_late_against_the_units_extension_and_the_campaign_deadline(engine: Engine, wf: dict) -> None:
    store(engine, wf, "U2", people(20, 3))
    store(engine, wf, "U3", people(40, 4))
    late = submit(engine, wf, user(wf, "clerk2", "unit", "U2"), "U2", DUE_U2 + timedelta(days=2, hours=5))
    assert late.due_at == DUE_U2 and not late.on_time
    assert "逾期2天5小时" in late.timing() and "2 days 5 hours late" in late.timing("en")
    admin = user(wf, "admin", "admin", None)
    hours = submit(engine, wf, admin, "U3", DUE_ALL + timedelta(hours=3, minutes=20))
    assert hours.due_at == DUE_ALL and not hours.on_time and "逾期3小时" in hours.timing()
    assert timing_text(NOW, None) == "（未设截止时间）"


@pytest.mark.parametrize(
    ("who", "unit", "kw", "error"),
    [
        (("leader1", "district_leader", "D1"), "U1", {}, NotAllowed),
        (("liaison1", "liaison", "A1"), "U1", {}, NotAllowed),
        (("clerk2", "unit", "U2"), "U1", {}, NotAllowed),
        (("clerk1", "unit", "U1"), "U1", {"consents_confirmed": False}, ConsentsNotConfirmed),
        (("clerk1", "unit", "U1"), "U1", {"filler_phone": "022-12345678"}, FillerPhoneInvalid),
        (("clerk1", "unit", "U1"), "U1", {"filler_name": "  "}, ActionRefused),
    ],
)
def test_refusals_write_nothing(engine: Engine, wf: dict, who: tuple, unit: str, kw: dict, error: type) -> None:
    store(engine, wf, "U1", people(1, 5))
    with pytest.raises(error) as refused:
        submit(engine, wf, user(wf, *who), unit, NOW, **kw)
    assert refused.value.message("zh") and refused.value.message("en")
    assert count(engine, Submission) == 0 and count(engine, MemberEvent, MemberEvent.kind == "submitted") == 0
    assert count(engine, Audit, Audit.action == "submit") == 0


def test_nothing_to_submit_errors_and_double_submission(engine: Engine, wf: dict) -> None:
    clerk = user(wf, "clerk1", "unit", "U1")
    with pytest.raises(NothingToSubmit):
        submit(engine, wf, clerk, "U1", NOW)
    store(engine, wf, "U1", people(1, 5))
    bad = people(10, 3)
    bad[1][2] = "110105198001010000"  # wrong check digit
    store(engine, wf, "U1", bad, at=NOW + timedelta(hours=1))
    with pytest.raises(UploadHasErrors) as refused:
        submit(engine, wf, clerk, "U1", NOW + timedelta(hours=2))
    assert "U1.csv" in str(refused.value)
    store(engine, wf, "U1", people(1, 6), at=NOW + timedelta(hours=3))  # fixed: a clean list of the same part
    with read_session(engine) as session:
        state = unit_submit_state(session, clerk.scope, wf["campaign"], wf["U1"])
    assert state is not None and state.list_count == 6 and state.upload_errors == 0 and state.chain == ("district", "new_area")
    done = submit(engine, wf, clerk, "U1", NOW + timedelta(hours=4))
    assert done.member_count == 6
    with pytest.raises(AlreadyPending):
        submit(engine, wf, clerk, "U1", NOW + timedelta(hours=5))
    assert count(engine, Submission) == 1
