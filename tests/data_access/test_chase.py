"""The chase log and the submissions board on the tiny campaign (both backends)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from data_access import chase, submissions
from data_access.db import read_session, write_session
from data_access.models import Chase
from tests.data_access import progress_fixture as fx


@pytest.fixture
def tiny(engine):
    fx.build(engine)
    return engine


def _record(engine, scope, unit_id, at, note="已电话联系", channel="phone", promised=None):
    with write_session(engine) as session:
        return chase.record_chase(session, scope, unit_id, at=at, by="李强", channel=channel, note=note,
                                  promised_date=promised).id


def _count(engine):
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(Chase))


def test_record_and_read_back_the_last_chase(tiny):
    _record(tiny, fx.SCOPE_A1, fx.U2, datetime(2026, 11, 8, 2, 0), "已发微信提醒", "wechat")
    _record(tiny, fx.SCOPE_A1, fx.U2, datetime(2026, 11, 10, 3, 0), "  答应周五前上报  ", promised=date(2026, 11, 13))
    with read_session(tiny) as session:
        at_cutoff = chase.last_chases(session, fx.SCOPE_A1, fx.CUTOFF).set_index("unit_id")
        earlier = chase.last_chases(session, fx.SCOPE_A1, datetime(2026, 11, 9)).set_index("unit_id")
        other_area = chase.last_chases(session, fx.SCOPE_A2, fx.CUTOFF)
        history = chase.chase_history(session, fx.EVERYTHING, fx.U2, fx.CUTOFF)
    assert at_cutoff.loc[fx.U2, "last_chase_note"] == "答应周五前上报"  # trimmed
    assert at_cutoff.loc[fx.U2, "last_promised_date"] == date(2026, 11, 13)
    assert at_cutoff.loc[fx.U2, "chases"] == 2
    assert earlier.loc[fx.U2, "last_chase_channel"] == "wechat" and earlier.loc[fx.U2, "chases"] == 1
    assert other_area.empty
    assert history["channel"].tolist() == ["phone", "wechat"]


def test_a_unit_outside_the_scope_is_refused_and_nothing_is_written(tiny):
    with pytest.raises(chase.ChaseRefused, match="不在您的管辖范围"):
        _record(tiny, fx.SCOPE_A2, fx.U1, fx.CUTOFF)
    assert _count(tiny) == 0


@pytest.mark.parametrize(
    ("unit_id", "channel", "note", "message"),
    [
        (fx.AREA1, "phone", "x", "找不到该基层单位"),  # an area, not a unit
        (999, "phone", "x", "找不到该基层单位"),
        (fx.U1, "fax", "x", "联系方式"),
        (fx.U1, "phone", "   ", "请填写联系情况"),
    ],
)
def test_bad_chases_are_refused(tiny, unit_id, channel, note, message):
    with pytest.raises(chase.ChaseRefused, match=message):
        _record(tiny, fx.EVERYTHING, unit_id, fx.CUTOFF, note=note, channel=channel)
    assert _count(tiny) == 0


def test_roles_that_chase():
    assert chase.may_record("liaison") and chase.may_record("admin") and chase.may_record("district_leader")
    assert not chase.may_record("unit")


def test_submission_board_adds_extension_reason_paper_and_outstanding(tiny):
    _record(tiny, fx.SCOPE_A1, fx.U2, datetime(2026, 11, 10, 3, 0))
    with read_session(tiny) as session:
        board = submissions.submission_board(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF).set_index("unit_id")
    assert board["extended"].to_dict() == {fx.U1: False, fx.U2: False, fx.U3: True, fx.U4: False}
    assert board.loc[fx.U3, "extension_note"] == "人数多，同意延期"
    assert board.loc[fx.U4, "return_reason"] == "缺少单位信息审核表"
    assert board.loc[fx.U1, "missing_materials"] == ("id_copies",)
    assert board.loc[fx.U4, "missing_materials"] == ("unit_form",)
    assert board.loc[fx.U2, "missing_materials"] == submissions.PAPER_MATERIALS
    assert board["members_outstanding"].to_dict() == {fx.U1: 7, fx.U2: 5, fx.U3: 8, fx.U4: 0}
    assert board["at_risk"].to_dict() == {fx.U1: False, fx.U2: False, fx.U3: True, fx.U4: False}
    assert board["chases"].to_dict() == {fx.U1: 0, fx.U2: 1, fx.U3: 0, fx.U4: 0}


def test_chase_list_ranks_by_days_overdue_then_members_outstanding(tiny):
    with read_session(tiny) as session:
        board = submissions.submission_board(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
        area1 = submissions.submission_board(session, fx.SCOPE_A1, fx.CAMPAIGN, fx.CUTOFF)
        later = submissions.submission_board(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 14, 4, 0))
    # U2 and U4 both 22 h overdue: U2 has 5 members outstanding, U4 none; U3 is at risk.
    assert submissions.chase_list(board)["unit_id"].tolist() == [fx.U2, fx.U4, fx.U3]
    assert submissions.chase_list(area1)["unit_id"].tolist() == [fx.U2, fx.U3]
    # On 11-14 04:00: U2 and U4 4 days over, U3 1 day.
    assert submissions.chase_list(later)["unit_id"].tolist() == [fx.U2, fx.U4, fx.U3]


# --- the day's chase sheet -------------------------------------------------------------


def _events(engine, rows):
    from data_access.models import Member, MemberEvent

    with write_session(engine) as session:
        members = list(session.scalars(select(Member.id).where(Member.unit_id == fx.U1).order_by(Member.id)))
        for index, kind, at in rows:
            session.add(MemberEvent(member_id=members[index], campaign_id=fx.CAMPAIGN, unit_id=fx.U1, kind=kind, at=at, by="银行"))


def test_chase_sheet_lists_late_due_soon_and_paper_missing_in_order(tiny):
    with read_session(tiny) as session:
        sheet = chase.chase_sheet(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
        area1 = chase.chase_sheet(session, fx.SCOPE_A1, fx.CAMPAIGN, fx.CUTOFF)
    # U2 (errors) and U4 (returned) both 22 h late, U2 with more outstanding; U3 due in 50 h;
    # U1 submitted 2 h late but its ID copies are missing.
    assert sheet["unit_id"].tolist() == [fx.U2, fx.U4, fx.U3, fx.U1]
    assert sheet["reasons"].tolist() == [("late",), ("late",), ("at_risk",), ("paper",)]
    rows = sheet.set_index("unit_id")
    assert rows.loc[fx.U2, "hours_left"] == -22 and rows.loc[fx.U3, "hours_left"] == 50
    assert rows.loc[fx.U2, "contact_phone"] == "13700000011"  # the unit's work phone, in full
    assert rows.loc[fx.U1, "missing_materials"] == ("id_copies",)
    assert not rows["contacted_today"].any() and (rows["bank_failures_open"] == 0).all()
    assert rows.loc[fx.U2, "reminder"].startswith("乙填表人您好！我是第一片区联络人李强。")
    assert "3处校验错误" in rows.loc[fx.U2, "reminder"]
    assert "缺少单位信息审核表" in rows.loc[fx.U4, "reminder"]
    assert "电子名单已报送" in rows.loc[fx.U1, "reminder"] and "每人两份身份证复印件" in rows.loc[fx.U1, "reminder"]
    assert area1["unit_id"].tolist() == [fx.U2, fx.U3, fx.U1]


def test_contacted_today_counts_the_shanghai_day_up_to_the_cutoff(tiny):
    _record(tiny, fx.EVERYTHING, fx.U2, datetime(2026, 11, 10, 15, 0))  # 11-10 23:00 in Shanghai: yesterday
    _record(tiny, fx.EVERYTHING, fx.U3, datetime(2026, 11, 10, 17, 0))  # 11-11 01:00: today
    _record(tiny, fx.EVERYTHING, fx.U3, datetime(2026, 11, 11, 1, 0))  # 11-11 09:00: today
    _record(tiny, fx.EVERYTHING, fx.U4, datetime(2026, 11, 11, 3, 0))  # after the cut-off
    with read_session(tiny) as session:
        rows = chase.chase_sheet(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF).set_index("unit_id")
    assert rows["contacted_today"].to_dict() == {fx.U2: False, fx.U4: False, fx.U3: True, fx.U1: False}
    assert rows.loc[fx.U3, "contacts_today"] == 2
    assert rows.loc[fx.U3, "contacted_today_at"] == datetime(2026, 11, 11, 1, 0)
    assert rows.loc[fx.U2, "last_chase_at"] == datetime(2026, 11, 10, 15, 0)


def test_open_bank_failures_are_those_not_corrected_by_the_cutoff(tiny):
    _events(tiny, [
        (0, "failed", datetime(2026, 11, 10, 8, 0)),
        (1, "failed", datetime(2026, 11, 10, 8, 0)),
        (1, "corrected", datetime(2026, 11, 10, 9, 0)),  # corrected: settled
        (2, "failed", datetime(2026, 11, 12, 0, 0)),  # after the cut-off
    ])
    with read_session(tiny) as session:
        counts = chase.open_bank_failures(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
        later = chase.open_bank_failures(session, fx.EVERYTHING, fx.CAMPAIGN, datetime(2026, 11, 13))
        other_area = chase.open_bank_failures(session, fx.SCOPE_A2, fx.CAMPAIGN, fx.CUTOFF)
        rows = chase.chase_sheet(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF).set_index("unit_id")
    assert counts.set_index("unit_id")["bank_failures_open"].to_dict() == {fx.U1: 1}
    assert later.set_index("unit_id")["bank_failures_open"].to_dict() == {fx.U1: 2}
    assert other_area.empty
    assert rows.loc[fx.U1, "reasons"] == ("paper", "bank_failures")
    assert "另有1名会员银行制卡未成功" in rows.loc[fx.U1, "reminder"]


def test_chase_sheet_of_an_empty_scope_has_the_columns(tiny):
    from data_access.scope import Scope

    with read_session(tiny) as session:
        sheet = chase.chase_sheet(session, Scope(root_id=999, root_path="/9/9/"), fx.CAMPAIGN, fx.CUTOFF)
    assert sheet.empty and list(sheet.columns) == chase.SHEET_COLUMNS


@pytest.mark.parametrize("kind", chase.SETTLES_FAILURE)
def test_each_settling_event_settles_a_failure(tiny, kind):
    _events(tiny, [(0, "failed", datetime(2026, 11, 10, 8, 0)), (0, kind, datetime(2026, 11, 10, 9, 0))])
    with read_session(tiny) as session:
        counts = chase.open_bank_failures(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    assert counts.empty


def test_the_failures_and_settling_events_are_read_from_their_partial_indexes(tiny):
    """The settling index's WHERE names exactly the settling kinds, in the query's order (SQLite
    matches a partial index by its text), and on SQLite the failures and the probe per failed
    member read the two partial indexes alone."""
    from data_access import metrics
    from data_access.models import SETTLES_FAILURE_WHERE

    assert "kind IN (" + ", ".join(f"'{k}'" for k in chase.SETTLES_FAILURE) + ")" == SETTLES_FAILURE_WHERE
    if tiny.dialect.name != "sqlite":
        return
    plans: list[str] = []
    original = metrics.rows_frame

    def capture(session, query, columns):  # type: ignore[no-untyped-def]
        connection = session.connection()
        compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
        plans.extend(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
        return original(session, query, columns)

    metrics.rows_frame = capture
    try:
        with read_session(tiny) as session:
            chase.open_bank_failures(session, fx.EVERYTHING, fx.CAMPAIGN, fx.CUTOFF)
    finally:
        metrics.rows_frame = original
    plan = "\n".join(plans)
    assert "COVERING INDEX ix_member_event_failed" in plan, plan
    assert "COVERING INDEX ix_member_event_settles" in plan, plan
