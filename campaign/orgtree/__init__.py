"""The organisation tree from Excel: reading the federation's unit list, checking every row
against the file and the stored tree, planning what an import adds, changes and retires, and
writing the template and the export. Pure: no SQL, no Streamlit (``data_access.actions.org``
stores it)."""

from __future__ import annotations

from campaign.orgtree.check import BUILT_IN, TreeCheck, card_name_fits, check_tree, phone_value, resolve_level
from campaign.orgtree.model import (
    COLUMNS,
    FIELDS,
    MAX_NODES,
    FieldChange,
    Level,
    Node,
    OrgColumnsMissing,
    OrgEmpty,
    OrgNoHeader,
    OrgRow,
    OrgTooManyRows,
    Reason,
    RefusedRow,
)
from campaign.orgtree.read import read_org_rows, rows_from_records
from campaign.orgtree.workbook import template_workbook, tree_workbook

__all__ = [
    "BUILT_IN", "COLUMNS", "FIELDS", "MAX_NODES", "FieldChange", "Level", "Node", "OrgColumnsMissing", "OrgEmpty",
    "OrgNoHeader", "OrgRow", "OrgTooManyRows", "Reason", "RefusedRow", "TreeCheck", "card_name_fits", "check_tree",
    "phone_value", "read_org_rows", "resolve_level", "rows_from_records", "template_workbook", "tree_workbook",
]
