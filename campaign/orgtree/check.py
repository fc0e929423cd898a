"""Checking an organisation-tree file against itself and the tree already stored: every row,
every reason at once; then what importing it would add, change, retire.

Levels are data: the 层级 column names an existing level (by name or code), a well-known alias
of a built-in kind, or a new name, which becomes a new ``group`` level (only above districts).
Down any path the kinds go group* → district → area? → unit → sub_unit?.

>>> resolve_level("区县局", BUILT_IN).code, resolve_level("片区", BUILT_IN).kind, resolve_level("车间", BUILT_IN).code
('district', 'area', 'sub_unit')
>>> resolve_level("街道总工会", BUILT_IN) is None
True
>>> card_name_fits("和平区总工会XX公司工会", [("和平区总工会", "district")])
True
>>> card_name_fits("滨海新区保税区工会-甲公司工会", [("天津市总工会", "group"), ("滨海新区总工会", "group"), ("保税区工会", "district")])
True
>>> card_name_fits("甲公司工会", [("保税区工会", "district")])
False
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from campaign.orglevels import BUILT_IN_LEVELS
from campaign.orgtree.model import (
    COMPARED,
    MAX_LENGTH,
    FieldChange,
    Level,
    Node,
    OrgRow,
    Reason,
    RefusedRow,
)
from campaign.rules import phone as phone_rules

BUILT_IN: Final = tuple(Level(code, name, kind, rank) for code, name, kind, rank in BUILT_IN_LEVELS)
# Words people write in the 层级 column for the built-in levels.
LEVEL_ALIASES: Final = {
    **dict.fromkeys(("区", "区县", "局", "集团", "区县局", "区县局集团", "区县局、集团", "区工会", "district"), "district"),
    **dict.fromkeys(("片区", "联络片区", "area"), "area"),
    **dict.fromkeys(("基层单位", "基层工会", "单位", "unit"), "unit"),
    **dict.fromkeys(("车间", "部门", "班组", "分会", "sub_unit"), "sub_unit"),
    **dict.fromkeys(("市", "市总", "市总工会", "city"), "city"),
    **dict.fromkeys(("新区", "新区总工会", "new_area"), "new_area"),
}
# The kinds a node of each kind may hold directly (a root is a group or a district).
CHILD_KINDS: Final = {
    "group": ("group", "district"),
    "district": ("area", "unit"),
    "area": ("unit",),
    "unit": ("sub_unit",),
    "sub_unit": (),
}
ROOT_KINDS: Final = ("group", "district")
_CODE_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.\-/]*")
_LANDLINE_RE = re.compile(r"(0\d{2,3})?[2-9]\d{6,7}((转|分机|ext|EXT|#)\d{1,6})?")
_SEPARATORS = re.compile(r"[\s\-—–_·・、/()（）]")
_STEM_SUFFIXES = ("总工会", "工会", "委员会")


def resolve_level(text: str, levels: Sequence[Level]) -> Level | None:
    """The level a 层级 cell names: an existing level by name or code, else an alias of a
    built-in level; None for a new name (a new group level) or an empty cell."""
    if not text:
        return None
    for level in levels:
        if text == level.name or text.lower() == level.code.lower():
            return level
    code = LEVEL_ALIASES.get(text) or LEVEL_ALIASES.get(text.lower())
    if code is None:
        return None
    return next((level for level in levels if level.code == code), None) or next(lv for lv in BUILT_IN if lv.code == code)


def phone_value(text: str) -> tuple[str, bool]:
    """(normalised number, valid) of a contact phone: a mobile by the sheet rules, or a landline
    with an optional area code and extension. Empty is valid (the columns are optional).

    >>> phone_value("138 1234 5678"), phone_value("022-2345 6789"), phone_value("12345")
    (('13812345678', True), ('02223456789', True), ('12345', False))
    """
    if not text:
        return "", True
    compacted = phone_rules.compact(text)
    if len(compacted) == 11 and compacted.startswith("1"):
        return compacted, phone_rules.error_code(compacted) is None
    return compacted, len(compacted) <= 20 and _LANDLINE_RE.fullmatch(compacted) is not None


def _stems(name: str) -> list[str]:
    compact = _SEPARATORS.sub("", name)
    out = [compact]
    for suffix in _STEM_SUFFIXES:
        if compact.endswith(suffix) and len(compact) > len(suffix):
            out.append(compact[: -len(suffix)])
    return out


def card_name_fits(card_name: str, ancestors: Sequence[tuple[str, str]]) -> bool:
    """Whether a card-unit name (办卡单位名称) starts with its union hierarchy: it begins with the
    name (or the name without 总工会/工会) of a group or district ancestor, names the district
    ancestor, and goes on past the prefix (the unit's own name or a clear short form).
    ``ancestors``: (name, kind) from the root down to the parent."""
    compact = _SEPARATORS.sub("", card_name)
    upper = [name for name, kind in ancestors if kind in ("group", "district")]
    district = [name for name, kind in ancestors if kind == "district"]
    if not upper or not district:
        return False
    if not any(stem in compact for stem in _stems(district[-1])):
        return False
    return any(compact.startswith(stem) and len(compact) > len(stem) for name in upper for stem in _stems(name))


@dataclass
class TreeCheck:
    """The outcome of checking a file: its nodes (normalised, levels resolved), the new group
    levels it brings, the refused rows, and what importing it would change."""

    nodes: dict[str, Node]
    new_levels: tuple[Level, ...]
    refused: tuple[RefusedRow, ...]
    added: tuple[Node, ...] = ()
    changed: tuple[FieldChange, ...] = ()
    retired: tuple[Node, ...] = ()
    unchanged: int = 0
    rows: int = 0
    kinds: dict[str, str] = field(default_factory=dict)

    @property
    def changed_codes(self) -> tuple[str, ...]:
        """The nodes with at least one changed field, in file order."""
        return tuple(dict.fromkeys(change.code for change in self.changed))

    @property
    def is_noop(self) -> bool:
        """Nothing to write."""
        return not (self.added or self.changed or self.retired or self.new_levels)


def _int_text(text: str) -> int | None:
    if text == "":
        return 0
    try:
        number = float(text) if "." in text or "e" in text.lower() else int(text)
    except ValueError:
        return None
    if isinstance(number, float):
        if not number.is_integer():
            return None
        number = int(number)
    return number if 0 <= number <= 1_000_000 else None


def _new_rank(depth: int) -> int:
    """Rank of a new group level by the depth of its first node (below built-in districts, 30)."""
    return 5 + 10 * depth if depth < 2 else 25 + min(depth - 2, 4)


def check_tree(rows: Sequence[OrgRow], existing: Mapping[str, Node], levels: Sequence[Level]) -> TreeCheck:
    """Check every row (all reasons at once) against the file itself and the stored tree
    (``existing``: every stored node by code, retired ones included), and work out the plan."""
    levels = list(levels) or list(BUILT_IN)
    by_code = {level.code: level for level in levels}
    reasons: dict[int, list[Reason]] = {row.sheet_row: [] for row in rows}

    def refuse(row: OrgRow, code: str, **fields: object) -> None:
        reasons[row.sheet_row].append(Reason(code, tuple(fields.items())))

    counts = Counter(row.code for row in rows if row.code)
    first_row = {}
    for row in rows:
        first_row.setdefault(row.code, row.sheet_row)
    phones = {row.contact_phone for row in rows} | {row.liaison_phone for row in rows}
    phone_verdicts = {text: phone_value(text) for text in phones}
    new_level_names: dict[str, None] = {}
    row_level: dict[int, Level | None] = {}

    for row in rows:
        for column in row.formulas:
            refuse(row, "formula", column=column)
        if not row.code:
            refuse(row, "code_missing")
        elif len(row.code) > MAX_LENGTH["code"] or not _CODE_RE.fullmatch(row.code):
            refuse(row, "code_bad")
        elif counts[row.code] > 1:
            refuse(row, "code_duplicate", first=first_row[row.code], count=counts[row.code])
        if not row.name:
            refuse(row, "name_missing")
        for column in ("name", "card_unit_name", "contact_name", "liaison_name", "level"):
            if len(getattr(row, column)) > MAX_LENGTH[column]:
                refuse(row, "too_long", column=column, limit=MAX_LENGTH[column])
        if row.parent_code and row.parent_code == row.code:
            refuse(row, "parent_self")
        for column in ("contact_phone", "liaison_phone"):
            if not phone_verdicts[getattr(row, column)][1]:
                refuse(row, "phone_bad", column=column)
        if _int_text(row.expected_members) is None:
            refuse(row, "expected_bad", value=row.expected_members[:20])
        level = resolve_level(row.level, levels)
        row_level[row.sheet_row] = level
        if not row.level and "level" not in row.formulas:
            refuse(row, "level_missing")
        elif level is None and row.level and len(row.level) <= MAX_LENGTH["level"]:
            new_level_names.setdefault(row.level, None)

    # The merged tree: the file's rows over the stored nodes (first row of a duplicated code).
    file_rows = {}
    for row in rows:
        if row.code and row.code not in file_rows:
            file_rows[row.code] = row
    parent_of: dict[str, str] = {code: node.parent_code for code, node in existing.items()}
    parent_of.update({code: row.parent_code for code, row in file_rows.items()})
    name_of = {code: node.name for code, node in existing.items()}
    name_of.update({code: row.name for code, row in file_rows.items()})

    # Depths and broken chains (unknown parent or a cycle).
    depth: dict[str, int] = {}
    broken: dict[str, str] = {}
    for start in parent_of:
        chain: list[str] = []
        on_chain: set[str] = set()
        code = start
        verdict: str | None = None
        while True:
            if code in depth or code in broken:
                break
            if code in on_chain:
                verdict = "cycle"
                break
            chain.append(code)
            on_chain.add(code)
            parent = parent_of.get(code, "")
            if not parent:
                depth[code] = 0
                chain.pop()
                break
            if parent not in parent_of:
                verdict = "parent_unknown"
                break
            code = parent
        if verdict is None and code in broken:
            verdict = broken[code]
        if verdict is None:
            base = depth[code]
            for offset, item in enumerate(reversed(chain), start=1):
                depth[item] = base + offset
        else:
            for item in chain:
                broken[item] = verdict

    new_levels: list[Level] = []
    taken = {level.code for level in levels}
    for name in new_level_names:
        first_depths = [depth[r.code] for r in rows if r.level == name and r.code in depth]
        n = len(taken) + 1
        while f"g_{n}" in taken:
            n += 1
        taken.add(f"g_{n}")
        new_levels.append(Level(f"g_{n}", name, "group", _new_rank(min(first_depths, default=0))))
    new_by_name = {level.name: level for level in new_levels}
    level_of: dict[str, Level | None] = {code: by_code.get(node.level) for code, node in existing.items()}
    for code, row in file_rows.items():
        level_of[code] = row_level[row.sheet_row] or new_by_name.get(row.level)

    stored_roots = [code for code, node in existing.items() if not node.parent_code and not node.retired]
    file_roots = [row for row in rows if row.code and not row.parent_code]
    for row in rows:
        if not row.code or row.parent_code == row.code:
            continue
        state = broken.get(row.code)
        if state == "parent_unknown" and row.parent_code and row.parent_code not in parent_of:
            refuse(row, "parent_unknown", parent=row.parent_code)
        elif row.parent_code and row.parent_code not in file_rows and existing[row.parent_code].retired:
            refuse(row, "parent_retired", parent=row.parent_code)
        elif state == "cycle":
            refuse(row, "cycle")
        if not row.parent_code:
            if len(file_roots) > 1:
                refuse(row, "root_many", count=len(file_roots))
            elif stored_roots and row.code not in stored_roots:
                refuse(row, "root_differs", stored=stored_roots[0])
        level = level_of.get(row.code)
        if level is not None and level.kind == "unit" and not row.card_unit_name:
            refuse(row, "card_name_missing")
        if level is None or state is not None:
            continue
        parent_level = level_of.get(row.parent_code) if row.parent_code else None
        if not row.parent_code:
            if level.kind not in ROOT_KINDS:
                refuse(row, "level_order", level=level.name, parent="—")
        elif parent_level is not None and (
            level.kind not in CHILD_KINDS[parent_level.kind]
            or (level.kind == parent_level.kind == "group" and level.rank <= parent_level.rank)
        ):
            refuse(row, "level_order", level=level.name, parent=parent_level.name)
        if level.kind == "unit":
            ancestors = []
            code = row.parent_code
            while code:
                parent_level = level_of.get(code)
                ancestors.append((name_of.get(code, ""), parent_level.kind if parent_level else ""))
                code = parent_of.get(code, "")
            ancestors.reverse()
            if row.card_unit_name and not card_name_fits(row.card_unit_name, ancestors):
                district = next((name for name, kind in reversed(ancestors) if kind == "district"), "")
                refuse(row, "card_name_hierarchy", district=district)

    refused = tuple(
        RefusedRow(row.sheet_row, row.code, tuple(reasons[row.sheet_row])) for row in rows if reasons[row.sheet_row]
    )
    nodes: dict[str, Node] = {}
    for code, row in file_rows.items():
        level = level_of.get(code)
        nodes[code] = Node(
            code=code, name=row.name, parent_code=row.parent_code, level=level.code if level else "",
            card_unit_name=row.card_unit_name, contact_name=row.contact_name,
            contact_phone=phone_verdicts[row.contact_phone][0], liaison_name=row.liaison_name,
            liaison_phone=phone_verdicts[row.liaison_phone][0], expected_members=_int_text(row.expected_members) or 0,
        )
    kinds = {code: level.kind for code, level in level_of.items() if level is not None}
    check = TreeCheck(nodes=nodes, new_levels=tuple(new_levels), refused=refused, rows=len(rows), kinds=kinds)
    if not refused:
        _plan(check, existing)
    return check


def _plan(check: TreeCheck, existing: Mapping[str, Node]) -> None:
    """Fill in added / changed / retired / unchanged of a clean check."""
    added: list[Node] = []
    changed: list[FieldChange] = []
    unchanged = 0
    for code, node in check.nodes.items():
        old = existing.get(code)
        if old is None:
            added.append(node)
            continue
        changes = [FieldChange(code, name, getattr(old, name), getattr(node, name))
                   for name in COMPARED if getattr(old, name) != getattr(node, name)]
        if old.retired:
            changes.append(FieldChange(code, "retired", True, False))
        if changes:
            changed.extend(changes)
        else:
            unchanged += 1
    # Stored nodes missing from the file retire, except ancestors of the file's nodes.
    kept: set[str] = set()
    parent_of = {code: node.parent_code for code, node in existing.items()}
    parent_of.update({code: node.parent_code for code, node in check.nodes.items()})
    for code in check.nodes:
        parent = parent_of.get(code, "")
        while parent and parent not in kept and parent not in check.nodes:
            kept.add(parent)
            parent = parent_of.get(parent, "")
    retired = [node for code, node in existing.items() if not node.retired and code not in check.nodes and code not in kept]
    check.added, check.changed, check.retired, check.unchanged = tuple(added), tuple(changed), tuple(retired), unchanged
