"""``python -m campaign bench validate --rows N``: time the validator against openpyxl's bare read.

Writes an N-row member sheet, then prints each figure beside the time openpyxl alone needs to
read the same file in the same run: read + validate; read + validate + marked-up workbook; the
whole ``validate --json`` command as a process; and the vectorised ID rules against a loop
over ``stdnum.cn.ric.is_valid`` (with the count of identical verdicts).
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PHONE_PREFIXES = ("138", "139", "150", "151", "186", "187", "135", "136", "177", "199")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰"


def register(subparsers: Any) -> None:
    """Add ``bench`` with its ``validate`` benchmark."""
    bench = subparsers.add_parser("bench", help="benchmarks (scripts that print figures)")
    inner = bench.add_subparsers(dest="bench", required=True, metavar="BENCH")
    validate = inner.add_parser("validate", help="validator vs openpyxl's bare read")
    validate.add_argument("--rows", type=int, default=100_000)
    validate.add_argument("--seed", type=int, default=2014)
    validate.add_argument("--bad-share", type=float, default=0.03)
    validate.set_defaults(func=run)
    from campaign.cli._benchmarks.pages import register as register_pages

    register_pages(inner)
    from campaign.cli._benchmarks.upload import register as register_upload

    register_upload(inner)
    from campaign.cli._benchmarks.server import register as register_server

    register_server(inner)


def _stable_counties() -> list[str]:
    """Region codes that existed in every era (so stdnum's county check agrees with ours)."""
    from campaign.rules.id_number import register_entries

    return [code for code, line in register_entries() if "[" not in line and not code.endswith("00")]


def make_rows(n: int, seed: int, bad_share: float) -> list[list[object]]:
    """N member rows, a share of them with a typical mistake."""
    from campaign.rules.id_number import calc_check_digit

    rng = random.Random(seed)
    counties = _stable_counties()
    rows: list[list[object]] = []
    for k in range(n):
        born = date(1968, 1, 1).toordinal() + rng.randrange(365 * 32)
        first17 = f"{rng.choice(counties)}{date.fromordinal(born):%Y%m%d}{rng.randrange(1000):03d}"
        number = first17 + calc_check_digit(first17)
        phone = rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        if rng.random() < bad_share:
            mistake = rng.randrange(4)
            if mistake == 0:
                number = number[:17] + ("0" if number[17] != "0" else "1")
            elif mistake == 1:
                phone = "140" + phone[3:]
            elif mistake == 2:
                name = name[0] + " " + name[1:]
            else:
                number = number[:10] + " " + number[10:]
        rows.append([k + 1, name, number, phone, f"{k % 12 + 1}车间"])
    return rows


def write_sheet(path: Path, rows: list[list[object]]) -> None:
    """An .xlsx like a unit would send: title, 办卡单位 line, header, text ID/phone columns."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    text = book.add_format({"num_format": "@"})
    sheet = book.add_worksheet("一车间")
    sheet.write_string(0, 0, "申报会员服务卡个人信息采集表")
    sheet.write_string(1, 0, "办卡单位：保税区工会-基准测试单位工会")
    for c, title in enumerate(("序号", "姓名", "身份证号码", "手机号码", "车间")):
        sheet.write_string(2, c, title)
    for r, (seq, name, number, phone, dept) in enumerate(rows, start=3):
        sheet.write_number(r, 0, seq)
        sheet.write_string(r, 1, name)
        sheet.write_string(r, 2, number, text)
        sheet.write_string(r, 3, phone, text)
        sheet.write_string(r, 4, dept)
    book.close()


def _timed(func: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def run(args: argparse.Namespace) -> int:
    """Build the sheet, measure, print."""
    import openpyxl
    from stdnum.cn import ric

    from campaign.reports.markup import markup_bytes
    from campaign.rules import id_number
    from campaign.validate import Config, validate_bytes

    rows = make_rows(args.rows, args.seed, args.bad_share)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.xlsx"
        write_sheet(path, rows)
        data = path.read_bytes()
        config = Config(as_of=date(2025, 1, 1))

        def openpyxl_read() -> int:
            book = openpyxl.load_workbook(path, read_only=True)
            count = sum(1 for _ in book.active.iter_rows(values_only=True))
            book.close()
            return count

        base, _ = _timed(openpyxl_read)
        validate_bytes(data, "warm.xlsx", config)  # warm caches (phone prefixes, counties)
        t_validate, result = _timed(lambda: validate_bytes(data, path.name, config))
        t_markup, _ = _timed(lambda: markup_bytes(validate_bytes(data, path.name, config)))
        command = [sys.executable, "-m", "campaign", "validate", str(path), "--json", "--as-of", "2025-01-01"]
        t_process, _ = _timed(lambda: subprocess.run(command, cwd=ROOT, capture_output=True))

        ids = [r[2] for r in rows]
        t_ours, verdicts = _timed(lambda: id_number.check_many(ids, date(2099, 1, 1)))
        t_stdnum, reference = _timed(lambda: [ric.is_valid(x) for x in ids])
        ours = [not codes for codes in verdicts.codes]
        same = sum(a == b for a, b in zip(ours, reference, strict=True))
        # Inner spaces: we normalise them (warning id_normalised), stdnum rejects them.
        spaced = sum(" " in x for x in ids)

    print(
        f"rows: {args.rows:,}  file: {len(data) / 2**20:.1f} MB  findings: "
        f"{len(result.findings):,} ({result.error_count:,} errors)"
    )
    print(f"openpyxl read-only bare read (baseline)       {base:7.2f} s   1.00x")
    for label, seconds, target in (
        ("read + validate", t_validate, 0.25),
        ("read + validate + marked-up workbook", t_markup, 1.0),
        ("whole `validate --json` command (process)", t_process, 0.5),
    ):
        print(f"{label:<45} {seconds:7.2f} s   {seconds / base:.2f}x  (target <= {target}x)")
    print(
        f"ID rules: vectorised {t_ours:.3f} s vs stdnum loop {t_stdnum:.2f} s = "
        f"{t_stdnum / t_ours:.0f}x faster (target >= 20x); identical verdicts "
        f"{same:,}/{len(ids):,}; the {len(ids) - same:,} others are the {spaced:,} numbers "
        "with inner spaces, which we normalise (warning) and stdnum rejects"
    )
    return 0
