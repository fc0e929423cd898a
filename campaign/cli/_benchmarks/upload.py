"""``python -m campaign bench upload [--rows 5000] [--database URL]``: one unit's list checked and
stored through the intake page's real path (``read_workbook_isolated`` in a limited worker,
``validate_workbook`` with ``lookup_for_sheet``, ``store_upload`` in a write transaction), cold
(the first in this process, after the modules the intake page imports when it is first drawn, whose
import time is printed apart) and warm (the median of the next runs, each into another unit
without a list), on a city-size campaign; beside it, in the same run, openpyxl's bare read of the
same file and the same path on a nearly empty campaign. Prints medians and ratios.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any


def register(inner: Any) -> None:
    """Add ``bench upload`` to the bench sub-commands."""
    upload = inner.add_parser("upload", help="one unit's list checked and stored, vs openpyxl / an empty campaign")
    upload.add_argument("--rows", type=int, default=5_000)
    upload.add_argument("--database", default=None, help="a database holding a campaign (default: a fresh temp SQLite city)")
    upload.add_argument("--members", type=int, default=300_000, help="size of the generated city (without --database)")
    upload.add_argument("--units", type=int, default=5_000)
    upload.add_argument("--seed", type=int, default=7, help="seed of the generated city (without --database)")
    upload.add_argument("--runs", type=int, default=3, help="warm runs")
    upload.set_defaults(func=run)


def _people(engine: Any, campaign_id: int, rows: int, run_no: int) -> list[tuple[str, str, str]]:
    """N synthetic people nobody in the campaign (or an earlier sheet of this run) already is:
    drawn from the city generator's people, each ID number's hash checked against the
    campaign's members in the database (the generator's own numbering is not relied on)."""
    import random

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from campaign.demo.city import CityGenerator
    from campaign.rules.id_number import id_hash
    from data_access.models import Member

    capacity = CityGenerator.capacity_for()
    rng = random.Random(run_no)
    people: list[tuple[str, str, str]] = []
    position = capacity - 1 - run_no * rows * 3
    with Session(engine) as session:
        while len(people) < rows:
            batch = []
            for _ in range(rows - len(people)):
                batch.append(CityGenerator.person_at(position, rng))
                position -= 1
            taken: set[str] = set()
            hashes = [id_hash(number) for _, number, _ in batch]
            for start in range(0, len(hashes), 500):
                taken.update(session.scalars(select(Member.id_hash).where(
                    Member.campaign_id == campaign_id, Member.id_hash.in_(hashes[start : start + 500])
                )))
            people.extend(person for person, h in zip(batch, hashes, strict=True) if h not in taken)
    return people


def _sheet(path: Path, people: list[tuple[str, str, str]], unit_name: str) -> bytes:
    """A clean member sheet of these people, as a unit fills the template."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("一车间")
    sheet.write_string(0, 0, "申报会员服务卡个人信息采集表")
    sheet.write_string(1, 0, f"办卡单位：{unit_name}")
    for c, title in enumerate(("序号", "姓名", "身份证号码", "手机号码", "车间")):
        sheet.write_string(2, c, title)
    for k, (name, number, phone) in enumerate(people):
        r = k + 3
        sheet.write_number(r, 0, k + 1)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, number, text)
        sheet.write_string(r, 3, phone, text)
        sheet.write_string(r, 4, f"{k % 12 + 1}车间")
    book.close()
    return path.read_bytes()


def _idle_units(engine: Any, count: int) -> tuple[int, datetime, list[tuple[int, str]]]:
    from sqlalchemy import exists, select
    from sqlalchemy.orm import Session

    from data_access.models import Campaign, Member, OrgUnit, Upload

    with Session(engine) as session:
        campaign = session.scalars(select(Campaign).order_by(Campaign.id)).first()
        assert campaign is not None, "no campaign in this database"
        units = session.execute(
            select(OrgUnit.id, OrgUnit.card_unit_name).where(
                OrgUnit.level == "unit",
                ~exists().where(Member.unit_id == OrgUnit.id),
                ~exists().where(Upload.unit_id == OrgUnit.id),
            ).order_by(OrgUnit.id).limit(count)
        ).all()
        return campaign.id, campaign.reference_date, [(u, n or "") for u, n in units]


def _page_imports() -> float:
    """Import what the intake page imports (a server has them once the clerk sees the page), so
    the cold upload is the clerk's first upload, not the process's first imports; seconds taken."""
    import importlib

    started = time.perf_counter()
    for name in ("pandas", "campaign.validate", "campaign.sheets.isolated", "campaign.reports.markup", "data_access.uploads"):
        importlib.import_module(name)
    return time.perf_counter() - started


def _check_and_store(engine: Any, campaign_id: int, as_of: Any, unit: tuple[int, str], data: bytes, name: str) -> tuple[float, float, int, int]:
    """The intake page's path; returns (check seconds, store seconds, errors, members stored)."""
    from sqlalchemy.orm import Session

    from campaign.sheets import Limits
    from campaign.sheets.isolated import read_workbook_isolated
    from campaign.timeutil import now_utc
    from campaign.validate import Config, validate_workbook
    from data_access.scope import scope_for
    from data_access.uploads import lookup_for_sheet, store_upload

    unit_id, card_name = unit
    started = time.perf_counter()
    workbook = read_workbook_isolated(data, name, Limits())
    with Session(engine) as session:
        scope = scope_for(session, unit_id)
        config = Config(as_of=as_of, expected_unit_name=card_name or None,
                        lookup_ids=lookup_for_sheet(session, campaign_id, unit_id, scope, ""))
        result = validate_workbook(workbook, config)
    checked = time.perf_counter()
    with Session(engine) as session, session.begin():
        stored = store_upload(
            session, campaign_id=campaign_id, unit_id=unit_id, file_name=name, content_bytes=data, result=result,
            uploaded_by="bench", now=now_utc(), scope=scope, confirm_removal=True,
        )
    done = time.perf_counter()
    if result.error_count:
        print("findings:", sorted({(f.code, f.row) for f in result.findings if f.severity == "error"})[:5])
    return checked - started, done - checked, result.error_count, stored.members_stored


def _measure(engine: Any, rows: int, runs: int, folder: Path, label: str) -> list[tuple[float, float, int]]:
    campaign_id, as_of, units = _idle_units(engine, runs + 1)
    if len(units) < runs + 1:
        raise SystemExit(f"{label}: only {len(units)} units without a list; need {runs + 1}")
    times = []
    for run_no, unit in enumerate(units):
        path = folder / f"{label}-{run_no}.xlsx"
        data = _sheet(path, _people(engine, campaign_id, rows, run_no), unit[1])
        check, store, errors, stored = _check_and_store(engine, campaign_id, as_of, unit, data, path.name)
        if errors or stored != rows:
            raise SystemExit(f"{label}: the list should be clean and stored whole; {errors} errors, {stored} of {rows} stored")
        times.append((check, store, errors))
    return times


def run(args: argparse.Namespace) -> int:
    """Build or open the campaign, measure, print."""
    import openpyxl

    from campaign.demo import DemoConfig
    from campaign.timeutil import now_utc
    from data_access.db import get_engine, make_engine, migrate
    from data_access.loader import load_city

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.database:
            engine = get_engine(args.database)
            label = args.database.split("@")[-1]
        else:
            engine = make_engine(f"sqlite:///{folder / 'city.db'}")
            migrate(engine)
            started = time.perf_counter()
            load_city(engine, DemoConfig(seed=args.seed, members=args.members, units=args.units), now_utc())
            label = f"temp SQLite city {args.members:,} members / {args.units:,} units (built in {time.perf_counter() - started:.0f} s)"
        empty = make_engine(f"sqlite:///{folder / 'empty.db'}")
        migrate(empty)
        load_city(empty, DemoConfig(seed=7, members=200, units=40), now_utc())

        imports_s = _page_imports()
        city = _measure(engine, args.rows, args.runs, folder, "city")
        base = _measure(empty, args.rows, args.runs, folder, "empty")
        sheet = folder / "city-1.xlsx"

        def bare() -> float:
            start = time.perf_counter()
            book = openpyxl.load_workbook(sheet, read_only=True)
            sum(1 for _ in book.active.iter_rows(values_only=True))
            book.close()
            return time.perf_counter() - start

        openpyxl_s = statistics.median(bare() for _ in range(3))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cold, warm = city[0], city[1:]
    warm_total = statistics.median(c + s for c, s, _ in warm)
    base_total = statistics.median(c + s for c, s, _ in base[1:])
    print(f"database: {label}; rows per list: {args.rows:,}; errors found: {[e for *_, e in city]}")
    print(f"openpyxl read-only bare read (baseline)        {openpyxl_s:6.2f} s   1.00x")
    print(f"the intake page's imports (once per server, when the page is first drawn)  {imports_s:.2f} s")
    print(f"city, cold: check {cold[0]:.2f} s + store {cold[1]:.2f} s = {cold[0] + cold[1]:6.2f} s   {(cold[0] + cold[1]) / openpyxl_s:.2f}x   (target < 2 s)")
    print(f"city, warm (median of {len(warm)}): check {statistics.median(c for c, _, _ in warm):.2f} s + store "
          f"{statistics.median(s for _, s, _ in warm):.2f} s = {warm_total:6.2f} s   {warm_total / openpyxl_s:.2f}x   (target < 2 s)")
    print(f"same path on a nearly empty campaign (warm)    {base_total:6.2f} s   {base_total / openpyxl_s:.2f}x;  "
          f"city / empty = {warm_total / base_total:.2f}x")
    print(f"peak memory of this process {rss:.0f} MB")
    return 0
