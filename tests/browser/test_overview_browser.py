"""The overview in headless Chromium against a real `streamlit run` on the demo database."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_exception, sign_in, wait_for_app, wait_for_charts

pytestmark = pytest.mark.browser


def test_deep_link_with_filters_is_the_first_request_after_a_fresh_start(browser, fresh_server):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(fresh_server.url + "/?district=保税区工会&as_of=2026-11-18")
    sign_in(page)
    assert_no_exception(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert "总览" in sidebar.inner_text()  # the frame's own Chinese menu is there
    assert page.get_by_role("heading", name="总览").is_visible()
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "保税区工会" in main and "2026-11-18" in main  # the filters came from the URL
    assert "district=" in page.url
    context.close()


@pytest.mark.parametrize("viewport", [(1440, 900), (390, 844)])
def test_overview_renders_figures_and_charts(open_page, viewport):
    page = open_page("/", viewport=viewport, shot="overview")
    assert page.locator('[data-testid="stMetric"]').count() >= 6
    wait_for_charts(page, 2)
    wait_for_app(page)
    assert_no_exception(page)


def test_clicking_a_district_bar_drills_down_to_its_areas(open_page):
    page = open_page("/", viewport=(1440, 2000))
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    bars = chart.locator("g.point path")
    assert bars.count() == 4  # the four districts of the demo
    bars.nth(0).click(force=True)
    page.wait_for_url("**district=**", timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "各片区进度" in page.locator("h3").all_inner_texts()
    assert page.locator('[data-testid="stPlotlyChart"]').last.locator("g.point path").count() == 3
