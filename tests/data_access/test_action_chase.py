"""Action record_contacts (the chase sheet's 已联系): both backends, counts made by hand,
refusals write nothing."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from campaign.errors import ActionRefused
from data_access.actions.base import NotAllowed, NotFound
from data_access.actions.chase import BadChannel, BadNote, FutureContact, NoUnits, record_contacts
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Audit, Chase
from tests.data_access import progress_fixture as fx

NOW = datetime(2026, 11, 11, 2, 0)
LIAISON_A1 = CurrentUser("liaison_a1", "李强", "liaison", fx.SCOPE_A1)
LEADER = CurrentUser("leader", "区领导", "district_leader", fx.EVERYTHING)
CLERK = CurrentUser("clerk", "甲填表人", "unit", fx.EVERYTHING)


@pytest.fixture
def tiny(engine):
    fx.build(engine)
    return engine


def _counts(engine):
    with read_session(engine) as session:
        chases = session.scalar(select(func.count()).select_from(Chase))
        audits = session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "chase"))
    return chases, audits


def test_quick_contacted_for_several_units_writes_one_row_each_and_one_audit_row(tiny):
    with write_session(tiny) as session:
        done = record_contacts(session, LIAISON_A1, [fx.U3, fx.U2, fx.U2], at=NOW)
    assert done.unit_ids == (fx.U2, fx.U3) and done.count == 2
    assert done.unit_names == ("乙公司工会", "丙公司工会") and done.at == NOW
    with read_session(tiny) as session:
        rows = session.execute(select(Chase.unit_id, Chase.at, Chase.by, Chase.channel, Chase.note).order_by(Chase.unit_id)).all()
        audit = session.execute(select(Audit.user_login, Audit.object, Audit.row_count, Audit.detail).where(Audit.action == "chase")).all()
    assert [tuple(r) for r in rows] == [
        (fx.U2, NOW, "李强", "phone", "已联系（今日催报）"),
        (fx.U3, NOW, "李强", "phone", "已联系（今日催报）"),
    ]
    assert len(audit) == 1 and audit[0][:3] == ("liaison_a1", "chase", 2)
    assert f"units={fx.U2},{fx.U3}" in audit[0][3]


def test_a_detailed_contact_keeps_channel_note_promise_and_time(tiny):
    called = datetime(2026, 11, 10, 7, 30)
    with write_session(tiny) as session:
        record_contacts(session, LEADER, [fx.U4], channel="wechat", note="  答应周五前重报  ",
                        promised_date=date(2026, 11, 13), at=NOW, contacted_at=called)
    with read_session(tiny) as session:
        row = session.execute(select(Chase.unit_id, Chase.at, Chase.channel, Chase.note, Chase.promised_date)).one()
    assert tuple(row) == (fx.U4, called, "wechat", "答应周五前重报", date(2026, 11, 13))


@pytest.mark.parametrize(
    ("user", "units", "options", "refusal"),
    [
        (CLERK, [fx.U1], {}, NotAllowed),  # a unit clerk does not chase
        (LIAISON_A1, [fx.U2, fx.U4], {}, NotAllowed),  # U4 lies in the other area: nothing at all written
        (LIAISON_A1, [fx.AREA1], {}, NotFound),  # an area, not a unit
        (LIAISON_A1, [999], {}, NotFound),
        (LIAISON_A1, [], {}, NoUnits),
        (LIAISON_A1, [fx.U2], {"channel": "fax"}, BadChannel),
        (LIAISON_A1, [fx.U2], {"note": "   "}, BadNote),
        (LIAISON_A1, [fx.U2], {"note": "长" * 2001}, BadNote),
        (LIAISON_A1, [fx.U2], {"contacted_at": datetime(2026, 11, 12)}, FutureContact),
    ],
)
def test_refusals_write_nothing(tiny, user, units, options, refusal):
    with pytest.raises(refusal) as caught, write_session(tiny) as session:
        record_contacts(session, user, units, at=NOW, **options)
    assert isinstance(caught.value, ActionRefused) and caught.value.message("zh")
    assert _counts(tiny) == (0, 0)
