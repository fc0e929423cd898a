"""AppTest of the intake page: it draws for a signed-in user, asks for a unit, offers the uploader."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine, read_session
from data_access.models import OrgUnit
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage


def test_intake_asks_for_a_unit_then_offers_upload(run_page: Callable[..., AppTest], demo_sqlite_url: str) -> None:
    run_page("dashboard.py")  # sets DATABASE_URL to the demo database, clears caches
    at = open_subpage("pages/1_intake.py")
    assert not at.exception
    assert "请先在左侧选择一个基层单位" in texts(at)
    with read_session(get_engine(demo_sqlite_url)) as session:
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.level == "unit").limit(1))
    at.selectbox(key="unit").set_value(unit_id).run()
    assert not at.exception
    assert "名单校验与上传" in texts(at)
    assert at.get("file_uploader")
