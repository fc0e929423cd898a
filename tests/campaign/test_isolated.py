"""The reading worker: results and IngestErrors come back; a crash or a hang costs one worker."""

from __future__ import annotations

import os
import pickle
import time

import pytest

from campaign.errors import NoHeader, ReaderCrashed, ReaderTimeout, SheetTooLarge, TooManyColumns
from campaign.sheets.isolated import read_workbook_isolated, run_isolated
from tests.campaign.conftest import build_csv, build_xlsx, sheet_rows
from tests.campaign.test_hostile import far_cell_xlsx, quoted_far_cell_xlsx


def test_a_clean_sheet_reads_the_same_as_in_process(good_rows: list) -> None:
    book = read_workbook_isolated(build_xlsx({"s": sheet_rows(good_rows)}), "s.xlsx")
    assert book.row_count == 3 and book.format == "xlsx"


def test_the_workers_ingest_error_is_raised_with_its_fields() -> None:
    with pytest.raises(NoHeader):
        read_workbook_isolated(build_csv([["甲", "乙"], ["1", "2"]]))
    with pytest.raises(SheetTooLarge) as caught:
        read_workbook_isolated(far_cell_xlsx("GR200000"))
    assert "200000 行 × 200 列" in str(caught.value)
    with pytest.raises(TooManyColumns):
        read_workbook_isolated(quoted_far_cell_xlsx())


def test_ingest_errors_pickle_with_their_fields() -> None:
    error = SheetTooLarge(sheet="名单", rows=200_000, cols=200, limit=6_000_000)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is SheetTooLarge and str(again) == str(error) and again.fields == error.fields


def test_a_worker_that_aborts_is_a_clear_error_and_this_process_lives_on() -> None:
    with pytest.raises(ReaderCrashed) as caught:
        run_isolated(os.abort)
    assert "另存为新的 .xlsx 文件" in str(caught.value)
    assert run_isolated(len, b"abc") == 3  # the next worker still starts


def test_a_worker_over_its_memory_limit_is_a_clear_error() -> None:
    with pytest.raises(ReaderCrashed):
        run_isolated(bytearray, 3 * 2**30, memory_headroom=2**30)


def test_a_worker_past_its_time_is_killed() -> None:
    start = time.monotonic()
    with pytest.raises(ReaderTimeout) as caught:
        run_isolated(time.sleep, 30, timeout=1.0)
    assert time.monotonic() - start < 10
    assert "处理超时" in str(caught.value)
