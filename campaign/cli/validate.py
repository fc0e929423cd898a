"""``python -m campaign validate FILE [--as-of YYYY-MM-DD] [--json] [--report OUT.xlsx]``.

Exit 0: no errors; 1: errors found; 2: the file cannot be read (one line on stderr, Chinese
and English). Needs no database.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from campaign.errors import IngestError
from campaign.timeutil import today_local

EXIT_CLEAN, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add the ``validate`` subcommand."""
    parser = subparsers.add_parser("validate", help="validate a member sheet (校验个人信息采集表)")
    parser.add_argument("file", type=Path, metavar="FILE")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="reference date for ages (default: today, Asia/Shanghai)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--report", type=Path, metavar="OUT.xlsx", help="write the marked-up workbook")
    parser.add_argument("--rules", default="2014", choices=("2014", "2025"), help="retirement rule set")
    parser.add_argument(
        "--shared-phone",
        default="warning",
        choices=("warning", "error"),
        help="severity of a phone shared by several rows",
    )
    parser.set_defaults(func=run)


def _unreadable(reason: str) -> int:
    print(reason, file=sys.stderr)
    return EXIT_UNREADABLE


def run(args: argparse.Namespace) -> int:
    """Validate one file; print the result; write the report when asked."""
    from campaign.validate import Config, validate_bytes

    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as error:
        return _unreadable(f"无法打开文件：{error.strerror} / Cannot open the file: {error.strerror}")
    config = Config(
        as_of=args.as_of or today_local(),
        retirement_rules=args.rules,
        shared_phone_severity=args.shared_phone,
    )
    try:
        result = validate_bytes(data, path.name, config)
    except IngestError as error:
        return _unreadable(error.bilingual())
    if args.report:
        _write_report(result, args.report)
    if args.json:
        payload = {"rows": result.rows_json(), "summary": result.summary()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n")
    else:
        _print_text(result)
    return EXIT_CLEAN if result.is_clean else EXIT_ERRORS


def _write_report(result: Any, target: Path) -> None:
    """Write next to the target, then rename: a failed run leaves no half-written file."""
    from campaign.reports.markup import write_markup

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(suffix=".xlsx", dir=target.parent)
    os.close(handle)
    try:
        write_markup(result, temp)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)


def _print_text(result: Any) -> None:
    summary = result.summary()
    for finding in result.findings:
        where = f"{finding.sheet}!" if len(summary["sheets"]) > 1 else ""
        print(
            f"{where}{finding.row}\t{finding.column or ''}\t{finding.severity}\t{finding.code}\t"
            f"{finding.message}\t{finding.suggestion or ''}"
        )
    print(
        f"rows={summary['rows']} errors={summary['errors']} warnings={summary['warnings']} "
        f"clean_rows={summary['clean_rows']}"
    )
