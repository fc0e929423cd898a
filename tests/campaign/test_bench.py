"""``python -m campaign scale`` (small) and ``python -m campaign bench pages``: the generated
campaign's summaries equal a recount from its rows, and the benchmark prints every page's
loaders cold and warm with the DuckDB reference beside them, for both roles."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from campaign.cli import main
from data_access import summary
from data_access.db import get_engine, read_session
from data_access.models import Campaign, Member, MemberStageCount

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scale_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('scale') / 'scale.db'}"
    assert main(["scale", "--members", "3000", "--units", "40", "--database", url]) == 0
    return url


def test_scale_summaries_equal_a_recount(scale_url: str) -> None:
    engine = get_engine(scale_url)
    with read_session(engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert (session.scalar(select(func.count()).select_from(Member)) or 0) > 2000
        assert (session.scalar(select(func.count()).select_from(MemberStageCount)) or 0) > 0
        assert summary.stored_members(session, campaign_id) == summary.recount_members(session, campaign_id)
        assert summary.stored_bank_results(session, campaign_id) == summary.recount_bank_results(session, campaign_id)
    engine.dispose()


def test_bench_pages_prints_loaders_and_duckdb(scale_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "campaign", "bench", "pages", "--database", scale_url, "--runs", "1", "--warm", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "== admin" in out and "== leader" in out
    for label in ("overview: unit_progress", "submissions: submission_board", "bank: bank_batches", "distribution: waiting_cards"):
        assert out.count(label) == 2, label
    assert "cold/DuckDB" in out and "full Excel report" in out and "peak resident memory" in out
    assert out.count("unit frame outside the database: Arrow to pandas") == 2
