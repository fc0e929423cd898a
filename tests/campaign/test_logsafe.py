"""No log line holds a full ID number or mobile number, whatever logger or handler writes it."""

from __future__ import annotations

import io
import logging

from campaign import logsafe

ID = "11010519491231002X"
PHONE = "13812345678"


def test_records_and_tracebacks_are_redacted_for_any_logger() -> None:
    logsafe.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.logsafe.fresh")  # a logger and handler made after install
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError(f"UNIQUE constraint failed: [parameters: ('{ID}', '张三', '{PHONE}')]")
    except ValueError:
        logger.exception("store failed for %s / %s", ID, PHONE)
    logger.warning("plain %d rows, hash %s", 4000, "ab" * 32)
    text = stream.getvalue()
    assert ID not in text and PHONE not in text and "11010519491231002" not in text
    assert text.count(logsafe.ID_MARK) == 2 and text.count(logsafe.PHONE_MARK) == 2
    assert "Traceback" in text and "ValueError" in text and "4000 rows" in text


def test_redaction_keeps_dates_counts_and_hashes() -> None:
    line = "2026-11-29 12:00:00.123 upload:17 rows=4000 sha=9f86d081884c7d659a2feaa0c55ad015"
    assert logsafe.redact(line) == line
    assert logsafe.redact(f"id={ID.lower()} tel=+86 {PHONE}") == f"id={logsafe.ID_MARK} tel={logsafe.PHONE_MARK}"
