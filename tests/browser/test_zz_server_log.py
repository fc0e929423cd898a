"""After the browser tests (this file sorts last), the app server's log holds no full ID
number and no mobile number: pages, uploads and errors all log through the redacting factory."""

from __future__ import annotations

import re

import pytest

from campaign.rules.id_number import calc_check_digit
from tests.browser.conftest import ROOT

pytestmark = pytest.mark.browser

_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16})([\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def test_the_server_log_holds_no_id_number_or_phone() -> None:
    log = ROOT / "tmp-streamlit.log"
    assert log.exists(), "the browser tests write the server's log here"
    text = log.read_text(encoding="utf-8", errors="replace")
    ids = [m.group(0) for m in _ID.finditer(text) if calc_check_digit(m.group(1)) == m.group(2).upper()]
    assert ids == [], f"{len(ids)} ID numbers in the server log"
    assert _PHONE.findall(text) == [], "mobile numbers in the server log"
