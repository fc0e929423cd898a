"""`python -m campaign demo` and `python -m campaign scale`: fill a database with a campaign."""

from __future__ import annotations

import argparse
import sys
import time

from campaign.demo import DemoConfig
from campaign.timeutil import now_utc


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the demo and scale sub-commands."""
    demo = subparsers.add_parser("demo", help="载入演示活动 / load the demo campaign")
    demo.add_argument("--seed", type=int, default=2014)
    demo.add_argument("--if-empty", action="store_true", help="只在数据库为空时载入 / only into an empty database")
    demo.add_argument("--replace", action="store_true", help="清空后重新载入 / wipe and reload")
    demo.set_defaults(func=run_demo, members=40_000, units=400)
    scale = subparsers.add_parser("scale", help="生成大规模测试活动 / build a large campaign for benchmarks")
    scale.add_argument("--members", type=int, default=1_000_000)
    scale.add_argument("--units", type=int, default=10_000)
    scale.add_argument("--seed", type=int, default=7)
    scale.add_argument("--database", default=None, help="database URL (default: DATABASE_URL or the embedded file)")
    scale.set_defaults(func=run_demo, if_empty=False, replace=True)  # always wipes first


def _os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def run_demo(args: argparse.Namespace) -> int:
    """Migrate, then load a generated campaign (optionally only when the database is empty)."""
    from data_access.db import get_engine, is_empty, migrate, wipe, write_session

    engine = get_engine(getattr(args, "database", None))
    migrate(engine)
    if not is_empty(engine):
        if args.if_empty:
            print("数据库已有活动，跳过演示数据。/ Database already holds a campaign; demo skipped.")
            return 0
        if not args.replace:
            print(
                "数据库已有活动；要重新载入请加 --replace。/ Database not empty; use --replace.",
                file=sys.stderr,
            )
            return 2
        wipe(engine, by=f"cli:{_os_user()}", reason=f"python -m campaign {args.command} (wipe and reload)")
    started = time.perf_counter()
    config = DemoConfig(seed=args.seed, members=args.members, units=args.units)
    if args.command == "scale":  # the streaming bulk path (campaign.demo.city), proven by tests
        from data_access.loader import load_city

        bar = _progress_bar("城市规模 / scale (units)")
        phases: dict[str, float] = {}
        phase_text = {"indexes": "正在建立索引 / building indexes", "summaries": "正在汇总统计表 / building the summary tables"}

        def on_phase(phase: str) -> None:
            print(f"\n{phase_text[phase]} …", file=sys.stderr, flush=True)

        counts = load_city(engine, config, now_utc(), bar, timings=phases, on_phase=on_phase)
        print(file=sys.stderr)
        summary = ", ".join(f"{table} {count}" for table, count in counts.items() if count)
        summary += " | " + ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in phases.items())
    else:  # the demo: every step after the setup goes through the app's own actions
        from campaign.demo.story import generate_story
        from data_access.demo_driver import drive_story

        story = generate_story(now_utc(), config)
        bar = _progress_bar()
        with write_session(engine) as session:
            report = drive_story(session, story, bar)
        print(file=sys.stderr)
        summary = ", ".join(f"{kind} {count}" for kind, count in sorted(report.done.items()))
        if report.refused:
            summary += " | refused: " + ", ".join(f"{k} {n}" for k, n in sorted(report.refused.items()))
    seconds = time.perf_counter() - started
    print(f"已载入演示活动（{seconds:.1f} 秒）/ loaded in {seconds:.1f} s: {summary}")
    return 0


def _progress_bar(label: str = "演示活动 / demo"):  # type: ignore[no-untyped-def]
    """A one-line progress bar on stderr: 演示活动 [#####.....] 1200/2100."""

    def show(done: int, total: int) -> None:
        width = 30
        filled = round(width * done / max(total, 1))
        sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
        sys.stderr.flush()

    return show
