"""``python -m campaign bench pages [--database URL]``: each page's data loaders as the pages
call them, cold (a new process, empty caches) and warm (the same call again, from
``st.cache_data``), the page-side pandas work and the full Excel report, as the administrator
and as a district leader; beside them, in the same run, DuckDB computing the same aggregations
over the same rows (copied into DuckDB first; the copy is not timed) as the reference for how
fast this can be. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

# DuckDB reference for a loader: which aggregation over the same rows it stands for.
REFERENCE = {
    "overview: unit_progress": "member_counts",
    "overview: headline x3": "member_counts+bank",
    "submissions: submission_board": "member_counts",
    "validation: findings_by_code": "findings_by_code",
    "distribution: unit_progress": "member_counts",
    "reports: unit_progress": "member_counts",
}


def _calls(scope: Any, campaign_id: int, cutoff: datetime) -> list[tuple[str, Callable[[], Any]]]:
    """The loader calls of each page, in the order the pages make them."""
    from ui import figure_views, loaders, loaders_chase, loaders_delivery, loaders_org, loaders_progress

    day, week = cutoff - timedelta(days=1), cutoff - timedelta(days=7)
    as_of = (cutoff + timedelta(hours=8)).date()
    return [
        ("every page: org_options (filters)", lambda: loaders.org_options(scope)),
        ("overview: unit_progress", lambda: loaders.unit_progress(scope, campaign_id, cutoff)),
        # the current headline from the overview's unit frame (loaded above), the earlier two read narrow
        ("overview: headline x3", lambda: [
            loaders.headline_of_units(loaders.unit_progress(scope, campaign_id, cutoff), scope, campaign_id, cutoff),
            *(loaders.headline(scope, campaign_id, c) for c in (day, week)),
        ]),
        ("overview: deadlines", lambda: loaders.deadlines(scope, campaign_id)),
        ("overview: milestone_inputs", lambda: figure_views.milestone_inputs(scope, campaign_id, cutoff)),
        ("submissions: submission_board", lambda: loaders_progress.submission_board(scope, campaign_id, cutoff)),
        ("submissions, chase: chase_sheet", lambda: loaders_chase.chase_sheet(scope, campaign_id, cutoff)),
        ("validation: findings_by_code", lambda: loaders_progress.findings_by_code(scope, campaign_id, cutoff)),
        ("validation: findings_by_unit", lambda: loaders_progress.findings_by_unit(scope, campaign_id, cutoff)),
        ("validation: yield_summary", lambda: loaders_progress.yield_summary(scope, campaign_id, cutoff)),
        ("validation: findings_trend", lambda: loaders_progress.findings_trend(scope, campaign_id, cutoff, None)),
        ("bank: bank_results_received", lambda: loaders.bank_results_received(scope, campaign_id, cutoff)),
        ("bank: bank_batches", lambda: loaders_delivery.bank_batches(scope, campaign_id, cutoff)),
        ("bank: bank_people", lambda: loaders_delivery.bank_people(scope, campaign_id, cutoff)),
        ("bank: bank_rates", lambda: loaders_delivery.bank_rates(scope, campaign_id, cutoff, "district")),
        ("bank: failure_reasons", lambda: loaders_delivery.failure_reasons(scope, campaign_id, cutoff)),
        ("bank: correction_loop", lambda: loaders_delivery.correction_loop(scope, campaign_id, cutoff)),
        ("bank: open_failures", lambda: loaders_delivery.open_failures(scope, campaign_id, cutoff, False)),
        ("distribution: unit_progress", lambda: loaders.unit_progress(scope, campaign_id, cutoff)),
        ("distribution: waiting_cards", lambda: loaders_delivery.waiting_cards(scope, campaign_id, cutoff)),
        ("reports: unit_progress", lambda: loaders.unit_progress(scope, campaign_id, cutoff)),
        ("reports: bulletin_preview", lambda: loaders_delivery.bulletin_preview(scope, campaign_id, "bench", "bench", as_of, cutoff)),
        ("org (admin): tree_frame", lambda: loaders_org.tree_frame()),
    ]


def _timed(func: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def _target(session: Any, role: str) -> tuple[Any, int, datetime]:
    from sqlalchemy import select

    from campaign.timeutil import now_utc
    from data_access.models import Campaign, OrgUnit
    from data_access.scope import Scope

    campaign_id = session.scalars(select(Campaign.id).order_by(Campaign.id)).first()
    scope = Scope.everything()
    if role == "leader":
        row = session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.level == "district").order_by(OrgUnit.code)).first()
        scope = Scope(root_id=row[0], root_path=row[1])
    minute = now_utc().replace(second=0, microsecond=0)
    return scope, int(campaign_id), minute + timedelta(minutes=1)


def child(url: str, role: str, warm_runs: int) -> dict[str, Any]:
    """In a fresh process: every page's loaders once cold, then ``warm_runs`` times warm; the
    page-side pandas work; the full Excel report; peak resident memory."""
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    os.environ["DATABASE_URL"] = url
    from campaign.i18n import DEFAULT_LANG
    from data_access import metrics
    from data_access.db import read_session
    from ui import loaders, loaders_delivery

    with read_session(loaders.engine()) as session:
        scope, campaign_id, cutoff = _target(session, role)
    out: dict[str, Any] = {"cold": {}, "warm": {}}
    units = None
    for label, call in _calls(scope, campaign_id, cutoff):
        seconds, value = _timed(call)
        out["cold"][label] = seconds
        if label == "overview: unit_progress":
            units = value
    for label, call in _calls(scope, campaign_id, cutoff):
        out["warm"][label] = statistics.median(_timed(call)[0] for _ in range(warm_runs))
    assert units is not None

    def page_pandas() -> None:  # what the overview and distribution pages do with the frame
        for level in ("district", "area", "unit"):
            metrics.rollup(units, level)
        metrics.funnel(units)
        metrics.pace(units, cutoff)
        metrics.cumulative_submissions(units)
        metrics.at_risk(units, cutoff)

    out["pandas"] = statistics.median(_timed(page_pandas)[0] for _ in range(max(1, warm_runs)))
    out["floor"] = _frame_floor(units, max(1, warm_runs))
    as_of = (cutoff + timedelta(hours=8)).date()
    seconds, (body, rows) = _timed(
        lambda: loaders_delivery.progress_workbook_bytes(
            scope, campaign_id, "bench", "bench", as_of, cutoff, user_login="bench", full_pii=False, lang=DEFAULT_LANG
        )
    )
    out["report"] = {"seconds": seconds, "bytes": len(body), "rows": rows}
    out["units"] = len(units)
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over fork and exec, so a child
    # of this command (whose DuckDB copy of the rows takes gigabytes) would report the parent's peak.
    from campaign.cli._benchmarks.server import memory_mb

    out["max_rss_mb"] = memory_mb(os.getpid())[1]
    return out


def _frame_floor(units: Any, runs: int) -> dict[str, float]:
    """What the overview's unit frame costs outside any database, whatever reads it: its
    columns from Arrow into pandas (as the Arrow read makes it) and Streamlit's cache pickling
    it (``st.cache_data`` stores a pickle). Medians of ``runs``."""
    import pickle

    import pyarrow as pa

    table = pa.Table.from_pandas(units, preserve_index=False)
    return {
        "to_pandas": statistics.median(_timed(table.to_pandas)[0] for _ in range(runs)),
        "pickle": statistics.median(_timed(lambda: pickle.dumps(units))[0] for _ in range(runs)),
    }


# --- the DuckDB reference -----------------------------------------------------------------


def duckdb_reference(url: str, role: str, runs: int) -> dict[str, float]:
    """The same aggregations in DuckDB over the same rows (copied in untimed)."""
    import duckdb
    import pandas as pd
    from sqlalchemy import select

    from data_access.db import get_engine, read_session
    from data_access.models import BankResult, Finding, Member, OrgUnit, Upload

    engine = get_engine(url)
    con = duckdb.connect()
    with read_session(engine) as session:
        scope, campaign_id, cutoff = _target(session, role)
        frames = {
            "org_unit": select(OrgUnit.id, OrgUnit.path, OrgUnit.level),
            "member": select(
                Member.id, Member.campaign_id, Member.unit_id, Member.collected_at, Member.superseded_at,
                Member.withdrawn_at, Member.validated_at, Member.submitted_at, Member.approved_at, Member.sent_at,
                Member.produced_at, Member.received_at, Member.distributed_at, Member.delivered_at,
                Member.activated_at, Member.failed_at,
            ),
            "bank_result": select(BankResult.member_id, BankResult.outcome, BankResult.at),
            "issue": select(Finding.upload_id, Finding.code, Finding.severity, Finding.resolved_at),
            "upload": select(Upload.id, Upload.unit_id, Upload.campaign_id, Upload.uploaded_at),
        }
        for name, query in frames.items():
            frame = pd.read_sql(query, session.connection())
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
    prefix = scope.root_path or ""
    stage = (
        "validated_at", "submitted_at", "approved_at", "sent_at", "produced_at", "received_at",
        "distributed_at", "delivered_at", "activated_at",
    )
    counts = ", ".join(f"count(*) FILTER (WHERE m.{c} <= $cutoff) AS {c}" for c in stage)
    member_counts = f"""
        SELECT m.unit_id, {counts},
               count(*) FILTER (WHERE m.failed_at <= $cutoff AND (m.produced_at IS NULL OR m.produced_at > $cutoff)) AS failed_open
        FROM member m JOIN org_unit o ON o.id = m.unit_id
        WHERE m.campaign_id = $campaign AND starts_with(o.path, $prefix)
          AND (m.collected_at IS NULL OR m.collected_at <= $cutoff)
          AND (m.superseded_at IS NULL OR m.superseded_at > $cutoff)
          AND (m.withdrawn_at IS NULL OR m.withdrawn_at > $cutoff)
        GROUP BY m.unit_id"""
    bank = """
        SELECT count(*), count(*) FILTER (WHERE b.outcome = 'produced')
        FROM bank_result b JOIN member m ON m.id = b.member_id JOIN org_unit o ON o.id = m.unit_id
        WHERE m.campaign_id = $campaign AND b.at <= $cutoff AND starts_with(o.path, $prefix)"""
    findings = """
        SELECT i.code, count(*) FROM issue i JOIN upload u ON u.id = i.upload_id JOIN org_unit o ON o.id = u.unit_id
        WHERE u.campaign_id = $campaign AND u.uploaded_at <= $cutoff AND starts_with(o.path, $prefix)
        GROUP BY i.code"""
    params = {"cutoff": cutoff, "campaign": campaign_id, "prefix": prefix}

    def timed(sql: str) -> float:
        return statistics.median(_timed(lambda: con.execute(sql, params).fetchall())[0] for _ in range(runs))

    result = {"member_counts": timed(member_counts), "findings_by_code": timed(findings)}
    result["member_counts+bank"] = result["member_counts"] + timed(bank)
    result["members"] = float(con.execute("SELECT count(*) FROM member").fetchone()[0])  # type: ignore[index]
    con.close()
    engine.dispose()
    return result


# --- the command ----------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """Cold runs in new processes, warm runs in the same ones, DuckDB beside; print medians."""
    from data_access.db import database_url

    url = args.database or database_url()
    roles = ("admin", "leader")
    print(f"database: {url.split('@')[-1]}  cold runs per role: {args.runs}  warm repeats: {args.warm}")
    for role in roles:
        samples = []
        for _ in range(args.runs):
            command = [sys.executable, "-m", "campaign.cli._benchmarks.pages", "--child", "--database", url, "--role", role, "--warm", str(args.warm)]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                print(done.stderr[-3000:], file=sys.stderr)
                return 1
            samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
        reference = duckdb_reference(url, role, max(3, args.runs))
        first = samples[0]
        print(f"\n== {role}: {first['units']:,} units in scope; {int(reference['members']):,} member rows")
        print(f"{'loader':<36} {'cold s':>8} {'warm ms':>8} {'DuckDB s':>9} {'cold/DuckDB':>12}")
        for label in first["cold"]:
            cold = statistics.median(s["cold"][label] for s in samples)
            warm = statistics.median(s["warm"][label] for s in samples) * 1000
            ref_key = REFERENCE.get(label)
            ref = reference.get(ref_key) if ref_key else None
            ratio = f"{cold / ref:10.1f}x" if ref else f"{'-':>11}"
            ref_text = f"{ref:9.3f}" if ref else f"{'-':>9}"
            print(f"{label:<36} {cold:8.3f} {warm:8.1f} {ref_text} {ratio}")
        total_cold = statistics.median(sum(s["cold"].values()) for s in samples)
        print(f"{'all loaders':<36} {total_cold:8.3f}")
        print(f"page-side pandas (rollups, funnel, pace, burn-up)  {statistics.median(s['pandas'] for s in samples):.3f} s")
        to_pandas = statistics.median(s["floor"]["to_pandas"] for s in samples)
        pickled = statistics.median(s["floor"]["pickle"] for s in samples)
        ref = reference["member_counts"]
        print(
            f"unit frame outside the database: Arrow to pandas {to_pandas:.3f} s + cache pickling {pickled:.3f} s "
            f"= {to_pandas + pickled:.3f} s ({(to_pandas + pickled) / ref:.1f}x DuckDB's member counts)"
        )
        report = statistics.median(s["report"]["seconds"] for s in samples)
        print(f"full Excel report: {report:.2f} s ({first['report']['rows']:,} rows, {first['report']['bytes'] / 2**20:.1f} MB)")
        print(f"peak resident memory after every page: {max(s['max_rss_mb'] for s in samples):.0f} MB")
    return 0


def register(inner: Any) -> None:
    """Add ``bench pages`` to the bench sub-commands."""
    pages = inner.add_parser("pages", help="page loaders cold/warm vs DuckDB on the same rows")
    pages.add_argument("--database", default=None, help="database URL (default: DATABASE_URL or the embedded file)")
    pages.add_argument("--runs", type=int, default=3, help="cold runs (new processes) per role")
    pages.add_argument("--warm", type=int, default=5, help="warm repeats per loader")
    pages.set_defaults(func=run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--database", required=True)
    parser.add_argument("--role", default="admin")
    parser.add_argument("--warm", type=int, default=5)
    args = parser.parse_args(argv)
    print(json.dumps(child(args.database, args.role, args.warm)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
