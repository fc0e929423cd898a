"""The unit timeline page: a unit from the URL, scoped, with an empty state (AppTest, demo)."""

from __future__ import annotations

from sqlalchemy import select

from data_access.db import get_engine, read_session
from data_access.models import OrgUnit, User
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/12_timeline.py"


def units(url: str) -> tuple[int, int]:
    """A unit inside leader1's district and one outside it."""
    with read_session(get_engine(url)) as session:
        district = session.scalar(select(User.scope_id).where(User.login == "leader1"))
        inside = session.scalar(select(OrgUnit.id).where(OrgUnit.level == "unit", OrgUnit.district_id == district).order_by(OrgUnit.id))
        outside = session.scalar(select(OrgUnit.id).where(OrgUnit.level == "unit", OrgUnit.district_id != district).order_by(OrgUnit.id))
    return inside, outside


def test_a_unit_from_the_url(run_page, demo_sqlite_url):
    inside, _ = units(demo_sqlite_url)
    at = open_subpage(PAGE, login="leader1")
    at.selectbox(key="unit").set_value(inside).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["at", "what", "who", "detail"] and len(table) > 0
    assert "上传名单" in set(table["what"])
    assert table["at"].tolist() == sorted(table["at"], reverse=True)


def test_a_unit_outside_the_scope_shows_nothing(run_page, demo_sqlite_url):
    _, outside = units(demo_sqlite_url)
    at = open_subpage(PAGE, login="leader1", query={"unit": str(outside)})
    assert not at.exception
    assert outside not in at.selectbox(key="unit").options
    assert not at.dataframe


def test_no_unit_chosen(run_page):
    at = open_subpage(PAGE, login="admin")
    assert not at.exception
    assert "请在左侧选择一个单位" in texts(at)
