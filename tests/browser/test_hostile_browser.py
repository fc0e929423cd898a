"""Issue 10: a 1.3 KB hostile .xlsx uploaded through the intake page is refused, the server lives."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import assert_no_exception, sign_in, wait_for_app
from tests.campaign.test_hostile import far_cell_xlsx, quoted_far_cell_xlsx

pytestmark = pytest.mark.browser

CASES = {
    "单引号远端单元格.xlsx": (quoted_far_cell_xlsx, "列数过多（16384 列）"),
    "远端单元格GR200000.xlsx": (lambda: far_cell_xlsx("GR200000"), "表格范围过大"),
}


def test_hostile_uploads_are_refused_and_the_server_still_answers(browser, server, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(server.url + "/intake")
    sign_in(page, "unit1")
    for file_name, (build, message) in CASES.items():
        path = tmp_path / file_name
        path.write_bytes(build())
        page.locator('input[type="file"]').set_input_files(str(path))
        # The page puts the error inside its collapsed "checking" status box: attached, not shown.
        page.get_by_text(message).wait_for(state="attached", timeout=60_000)
        assert_no_exception(page)
        assert server.process.poll() is None  # the server process did not die
    context.close()

    with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=10) as response:
        assert response.status == 200
    fresh = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = fresh.new_page()
    page.goto(server.url + "/intake")
    sign_in(page, "unit1")
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator('input[type="file"]').count() == 1  # the intake page renders again
    fresh.close()
