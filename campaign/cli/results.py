"""`python -m campaign results --as LOGIN REFERENCE FILE [--dry-run]`: import the bank's results.

Prints the preview (counts, then every refused line with its row and masked ID). Exit 0 when
imported (or, with --dry-run, when it would import), 1 when lines are refused or the action is
refused (nothing written), 2 when the file cannot be read. Full ID numbers are never printed.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from campaign.cli._acting import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNREADABLE,
    acting_user,
    add_common,
    engine_for,
    no_user,
    refused,
)
from campaign.i18n import t


def register(subparsers: Any) -> None:
    """Add ``results``."""
    parser = subparsers.add_parser("results", help="导入银行开卡结果 / import the bank's result file of a batch")
    add_common(parser)
    parser.add_argument("reference", help="批次编号 / batch reference")
    parser.add_argument("file", type=Path, help="银行结果文件 xlsx/xls/csv / the bank's result file")
    parser.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only, write nothing")
    parser.set_defaults(func=run)


def _both(key: str, **fields: object) -> str:
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def run(args: argparse.Namespace) -> int:
    """Preview, then import unless --dry-run or refused lines."""
    from campaign.errors import ActionRefused, IngestError
    from data_access.actions.batch import batch_by_reference
    from data_access.actions.results import import_results, preview_results
    from data_access.db import read_session, write_session

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"无法读取文件 / cannot read the file: {type(error).__name__}")
        return EXIT_UNREADABLE
    engine = engine_for(args)
    user = acting_user(engine, args.as_login)
    if user is None:
        return no_user(args.as_login)
    try:
        with read_session(engine) as session:
            batch_id = batch_by_reference(session, user, args.reference).id
            preview = preview_results(session, user, batch_id, data, args.file.name)
    except (ActionRefused, IngestError) as error:
        return refused(error)
    if preview.already_imported:
        print(_both("bankwf.already_imported"))
        return EXIT_OK
    print(_both("bankwf.preview_counts", lines=preview.lines, produced=preview.produced, failed=preview.failed,
                unchanged=preview.unchanged, refused=len(preview.refused), missing=preview.missing))
    if preview.refused:
        for line in preview.refused:
            print(f"{line.sheet_row}\t{line.id_masked}\t{line.message('zh')} / {line.message('en')}")
        print(_both("bankwf.lines_refused", count=len(preview.refused), lines=preview.lines))
        return EXIT_REFUSED
    if args.dry_run:
        print(_both("bankwf.cli_would_import"))
        return EXIT_OK
    try:
        with write_session(engine) as session:
            done = import_results(session, user, batch_id, data, args.file.name)
    except (ActionRefused, IngestError) as error:
        return refused(error)
    if done.already_imported:
        print(_both("bankwf.already_imported"))
    else:
        print(_both("bankwf.imported", reference=done.reference, produced=done.produced, failed=done.failed))
    return EXIT_OK
