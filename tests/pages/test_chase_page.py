"""The chase sheet page 今日催报 (AppTest, demo database): per role, the quick "已联系" action,
the submissions page's link, and the timeline without chase notes for unit clerks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data_access.db import get_engine, read_session
from data_access.models import Audit, Chase, OrgUnit
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/14_chase.py"


@pytest.fixture
def page_env(run_page):
    return run_page


def _metric(at, label):
    return int(next(m.value for m in at.metric if m.label == label).replace(",", ""))


def _card_units(at):
    return [c.key.removeprefix("chase_card_") for c in at.get("flex_container") if str(getattr(c, "key", "") or "").startswith("chase_card_")]


def test_a_liaison_sees_the_units_of_their_area_to_chase_with_reminders(page_env):
    at = open_subpage(PAGE, login="liaison1")
    assert not at.exception
    shown = texts(at)
    assert "今日催报" in shown
    units = _metric(at, "今日需催报")
    assert 0 < units < 60
    assert len(at.code) == min(units, 20)  # one ready reminder per card on the first page
    assert all("您好" in c.value and "谢谢" in c.value for c in at.code)
    assert any(b.label == "已联系" for b in at.button)
    at.segmented_control(key="chase_view").set_value("table").run()
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == units
    assert {"单位", "填表人", "联系电话", "状态", "剩余/超期", "缺少纸质材料", "制卡失败待更正", "提醒短信"} <= set(table.columns)
    assert table["片区"].nunique() == 1  # liaison1's own area only
    assert table["联系电话"].str.fullmatch(r"1\d{10}").all()  # the unit's work phone, in full
    assert any(d.label == "下载今日催报清单（Excel）" for d in at.get("download_button"))


def test_a_leader_sees_more_units_than_one_liaison(page_env):
    leader = open_subpage(PAGE, login="leader1")
    liaison = open_subpage(PAGE, login="liaison1")
    assert not leader.exception
    assert _metric(leader, "今日需催报") > _metric(liaison, "今日需催报")


def test_a_unit_clerk_cannot_open_it_and_has_no_menu_link(page_env):
    at = open_subpage(PAGE, login="unit1")
    assert not at.exception
    assert "今日催报供联络人和区工会使用" in texts(at)
    assert len(at.code) == 0 and len(at.dataframe) == 0 and len(at.get("download_button")) == 0
    links = [p.proto.label for p in at.get("page_link")] if at.get("page_link") else []
    assert "今日催报" not in links


def test_contacted_marks_the_unit_and_writes_a_chase_and_an_audit_row(writable_demo):
    at = open_subpage(PAGE, login="liaison1")
    before = _metric(at, "今日已联系")
    first_card = _card_units(at)[0]
    at.button(key=f"mark_{first_card}").click().run()
    assert not at.exception
    assert "已记录：今日已联系" in texts(at)
    assert _metric(at, "今日已联系") == before + 1
    with read_session(get_engine(writable_demo)) as session:
        chase = session.execute(select(Chase.unit_id, Chase.note, Chase.channel).order_by(Chase.id.desc())).first()
        audit = session.execute(select(Audit.user_login, Audit.action, Audit.row_count).order_by(Audit.id.desc())).first()
    assert tuple(chase) == (int(first_card), "已联系（今日催报）", "phone")
    assert tuple(audit) == ("liaison1", "chase", 1)


def test_the_detailed_contact_form_records_a_note(writable_demo):
    at = open_subpage(PAGE, login="liaison1")
    unit_id = at.selectbox(key="chase_unit").value
    at.selectbox(key="chase_channel").select("wechat")
    at.text_area(key="chase_note").input("已电话联系，答应明天上传（测试记录）")
    next(b for b in at.button if b.label == "保存联系记录").click()
    at.run()
    assert not at.exception
    assert "已记录对“" in texts(at)
    with read_session(get_engine(writable_demo)) as session:
        row = session.execute(select(Chase.unit_id, Chase.note, Chase.channel).order_by(Chase.id.desc())).first()
    assert tuple(row) == (unit_id, "已电话联系，答应明天上传（测试记录）", "wechat")


def test_submissions_page_links_liaisons_to_the_sheet_and_shows_unit_clerks_no_chasing(page_env):
    liaison = open_subpage("pages/2_submissions.py", login="liaison1")
    assert not liaison.exception
    assert "今日需催报" in texts(liaison)
    assert len(liaison.text_area) == 0  # the contact form moved to the chase sheet
    clerk = open_subpage("pages/2_submissions.py", login="unit1")
    assert not clerk.exception
    shown = texts(clerk)
    assert "催报" not in shown and "不能记录催报" not in shown
    assert len(clerk.text_area) == 0 and len(clerk.code) == 0
    assert "上次催报" not in clerk.dataframe[0].value.columns


def test_unit_clerk_timeline_has_no_chase_notes(page_env, demo_sqlite_url):
    with read_session(get_engine(demo_sqlite_url)) as session:
        unit_id, name = session.execute(
            select(Chase.unit_id, OrgUnit.name).join(OrgUnit, OrgUnit.id == Chase.unit_id)
            .group_by(Chase.unit_id, OrgUnit.name).order_by(func.count().desc())
        ).first()
    leader = open_subpage("pages/12_timeline.py", login="admin", query={"unit": name})
    assert not leader.exception
    assert "催报联系" in set(leader.dataframe[0].value["what"])
    clerk_login = _clerk_of(demo_sqlite_url, unit_id)
    assert clerk_login is not None
    clerk = open_subpage("pages/12_timeline.py", login=clerk_login, query={"unit": name})
    assert not clerk.exception
    frame = clerk.dataframe[0].value
    assert "催报联系" not in set(frame["what"]) and len(frame) > 0


def _clerk_of(url, unit_id):
    from data_access.models import User

    with read_session(get_engine(url)) as session:
        return session.scalar(select(User.login).where(User.role == "unit", User.scope_id == unit_id))


def test_as_of_a_past_day_lists_that_day(page_env):
    at = open_subpage(PAGE, login="liaison1", query={"as_of": "2026-11-10"})
    assert not at.exception
    assert "2026-11-10" in texts(at)
    assert _metric(at, "今日已联系") >= 0
