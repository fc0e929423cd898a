"""``python -m campaign bench upload`` runs end to end at a tiny size and prints its figures."""

from __future__ import annotations

import pytest

from campaign.cli import main


def test_bench_upload_prints_cold_warm_and_baselines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "upload", "--rows", "300", "--members", "600", "--units", "40", "--runs", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "errors found: [0, 0]" in out  # clean lists of fresh people: the members are stored
    for label in ("openpyxl read-only bare read", "intake page's imports", "city, cold", "city, warm", "nearly empty campaign", "peak memory"):
        assert label in out
