"""The card hand-out page (AppTest, demo database, read-only: nothing is submitted here)."""

from __future__ import annotations

from tests.pages.conftest import texts
from tests.pages.delivery_helpers import frame_of, open_page

PAGE = "pages/11_cards.py"


def test_district_view_with_waiting_cards_and_forms(run_page):
    at = open_page(run_page, PAGE, login="leader1")
    assert not at.exception
    labels = {m.label for m in at.metric}
    assert {"制卡成功", "待区工会领卡", "在区工会待交付", "在单位待发放", "已发放到人", "已激活", "待移交"} <= labels
    units = frame_of(at, "at_district")
    assert (units["at_district"] >= 0).all() and (units["at_unit"] >= 0).all()
    assert units["timeline"].str.match(r"timeline\?unit_id=\d+").all()
    shown = texts(at)
    assert "激活日期" in shown
    assert any(b.label.startswith("生成交接文件") for b in at.button)


def test_unit_clerk_sees_only_the_delivery_form(run_page):
    at = open_page(run_page, PAGE, login="unit1")
    assert not at.exception
    shown = texts(at)
    assert "此项由区工会或管理员登记" in shown


def test_english(run_page):
    at = open_page(run_page, PAGE, lang="en")
    assert not at.exception
    assert "Cards per unit" in texts(at)
