"""The tree as a workbook: the empty template (two example rows) and the export of the stored tree,
in the same layout, so that an export imported again changes nothing.

Every cell is written as text (codes keep their leading zeros; nothing can become a formula);
the header row is frozen; a second sheet explains the columns in Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Final

import xlsxwriter

from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.orgtree.model import COLUMNS, FIELDS, Level, Node

EXAMPLES: Final = (
    Node("0001", "和平区总工会", "", "district", "", "李明", "02223456789", "", "", 0),
    Node("000101", "和平区示例有限公司工会", "0001", "unit", "和平区总工会示例有限公司工会", "王芳", "13812345678", "", "", 120),
)
WIDTHS: Final = {"code": 14, "name": 30, "parent_code": 14, "level": 14, "card_unit_name": 40, "contact_name": 10,
                 "contact_phone": 16, "liaison_name": 12, "liaison_phone": 16, "expected_members": 12}


def node_cells(node: Node, level_names: dict[str, str]) -> list[str]:
    """A node's row in the template's column order (the level by its name)."""
    values = {field: getattr(node, field) for field in FIELDS}
    values["level"] = level_names.get(node.level, node.level)
    values["expected_members"] = str(node.expected_members)
    return [str(neutralise_cell(str(values[field] or ""))) for field in FIELDS]


def tree_workbook(nodes: Sequence[Node], levels: Sequence[Level], lang: str = "zh") -> bytes:
    """An .xlsx workbook of the nodes in the template's layout (parents before children)."""
    level_names = {level.code: level.name for level in levels}
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "constant_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(t("org.sheet_tree", lang))
    head = book.add_format({"bold": True, "bg_color": "#dde7f3", "border": 1})
    text = book.add_format({"num_format": "@"})
    for col, (field, zh) in enumerate(COLUMNS):
        sheet.set_column(col, col, WIDTHS[field], text)
        sheet.write_string(0, col, zh, head)
    sheet.freeze_panes(1, 0)
    for r, node in enumerate(nodes, start=1):
        for col, value in enumerate(node_cells(node, level_names)):
            if value:
                sheet.write_string(r, col, value, text)
    notes = book.add_worksheet(t("org.sheet_help", lang))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    notes.write_string(0, 0, t("org.help_title", lang), head)
    notes.write_string(0, 1, t("org.help_intro", lang), wrap)
    for r, (field, zh) in enumerate(COLUMNS, start=1):
        notes.write_string(r, 0, zh, head)
        notes.write_string(r, 1, t(f"org.help.{field}", lang), wrap)
    notes.write_string(len(COLUMNS) + 1, 0, t("org.help_levels_title", lang), head)
    notes.write_string(len(COLUMNS) + 1, 1, "、".join(level.name for level in sorted(levels, key=lambda lv: lv.rank)), wrap)
    book.close()
    return buffer.getvalue()


def template_workbook(levels: Sequence[Level], lang: str = "zh") -> bytes:
    """The empty template: header, two example rows, instructions."""
    return tree_workbook(EXAMPLES, levels, lang)
