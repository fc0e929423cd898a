"""`python -m campaign org template OUT.xlsx | import FILE [--dry-run] | export OUT.xlsx`: the tree.

``import`` prints the preview's counts, then every refused row as "第N行 单位编码 X：原因".
Exit 0 when imported (or, with --dry-run, when it would be), 1 when rows are refused or the
action is refused (nothing written), 2 when the file cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from campaign.cli._acting import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_UNREADABLE,
    acting_admin,
    add_admin_common,
    engine_for,
    no_admin,
    refused,
)
from campaign.i18n import t


def register(subparsers: Any) -> None:
    """Add ``org`` with ``template``, ``import`` and ``export``."""
    parser = subparsers.add_parser("org", help="组织架构：模板、导入、导出 / the organisation tree: template, import, export")
    commands = parser.add_subparsers(dest="org_command", required=True, metavar="ACTION")
    template = commands.add_parser("template", help="写出空白导入模板 / write the empty template")
    template.add_argument("out", type=Path, help="输出文件 .xlsx / output file")
    template.set_defaults(func=run_template)
    imported = commands.add_parser("import", help="导入组织架构表 / import the tree")
    imported.add_argument("file", type=Path, help="组织架构表 xlsx/xls/csv / the tree file")
    imported.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only, write nothing")
    add_admin_common(imported)
    imported.set_defaults(func=run_import)
    export = commands.add_parser("export", help="导出当前组织架构 / export the current tree")
    export.add_argument("out", type=Path, help="输出文件 .xlsx / output file")
    add_admin_common(export)
    export.set_defaults(func=run_export)


def _both(key: str, **fields: object) -> str:
    return f"{t(key, 'zh', **fields)} / {t(key, 'en', **fields)}"


def _counts(counts: dict[str, int]) -> str:
    return _both("org.counts", **counts)


def run_template(args: argparse.Namespace) -> int:
    """Write the template (the built-in levels' names; no database needed)."""
    from campaign.orgtree import BUILT_IN, template_workbook

    args.out.write_bytes(template_workbook(list(BUILT_IN)))
    print(_both("org.template_written", path=args.out))
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    """Read, preview, and import unless --dry-run or refused rows."""
    from campaign.errors import ActionRefused, IngestError
    from campaign.orgtree import read_org_rows
    from data_access.actions.org import apply_org_import, preview_org_import
    from data_access.db import read_session, write_session

    try:
        data = args.file.read_bytes()
    except OSError as error:
        print(f"{_both('org.unreadable')}: {type(error).__name__}")
        return EXIT_UNREADABLE
    try:
        rows = read_org_rows(data, args.file.name)  # this one-shot process is its own worker
    except IngestError as error:
        print(error.bilingual())
        return EXIT_UNREADABLE
    engine = engine_for(args)
    user = acting_admin(engine, args.as_login)
    if user is None:
        return no_admin()
    try:
        with read_session(engine) as session:
            plan = preview_org_import(session, user, rows)
    except ActionRefused as error:
        return refused(error)
    if plan.refused:
        for row in plan.refused:
            print(row.line("zh"))
        print(_both("org.refused", count=len(plan.refused)))
        return EXIT_REFUSED
    if plan.is_noop:
        print(_both("org.noop"))
        return EXIT_OK
    print(_counts(plan.counts()))
    if args.dry_run:
        print(_both("org.would_import"))
        return EXIT_OK
    try:
        with write_session(engine) as session:
            result = apply_org_import(session, user, plan, file_name=args.file.name)
    except ActionRefused as error:
        return refused(error)
    print(_both("org.noop") if result.noop else _both("org.imported", counts=t("org.counts", "zh", **result.counts())))
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    """Write the current tree in the template's layout (audited)."""
    from campaign.errors import ActionRefused
    from data_access.actions.base import log_action
    from data_access.actions.org import export_workbook
    from data_access.db import write_session

    engine = engine_for(args)
    user = acting_admin(engine, args.as_login)
    if user is None:
        return no_admin()
    try:
        with write_session(engine) as session:
            data, rows = export_workbook(session, user)
            log_action(session, user, "export", args.out.name, rows, "org_tree")
    except ActionRefused as error:
        return refused(error)
    args.out.write_bytes(data)
    print(_both("org.export_written", rows=rows, path=args.out))
    return EXIT_OK
