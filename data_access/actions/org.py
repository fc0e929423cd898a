"""Importing the organisation tree (administrator only): preview, then apply all or nothing.

``preview_org_import`` checks the rows against the stored tree and says what would be added,
changed (field by field), retired and left as it is, and which rows are refused and why.
``apply_org_import`` checks again inside the caller's write transaction and writes only when
no row is refused: new group levels, new nodes (bulk), changed fields, and the materialised
path, district and area of every node whose place in the tree moved. Nodes missing from the
file are retired (``retired_at``), never deleted; a retired node listed again comes back.
The same file twice writes nothing the second time and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.orgtree import FieldChange, Level, Node, OrgRow, RefusedRow, check_tree, tree_workbook
from campaign.timeutil import now_utc
from data_access.actions.base import NotAllowed, log_action, require_role
from data_access.auth import CurrentUser
from data_access.levels import levels as stored_levels
from data_access.models import OrgLevel, OrgUnit

CHUNK = 1_000


class OrgImportRefused(ActionRefused):
    """Some rows are refused: nothing was written."""

    key = "org.refused"


@dataclass(frozen=True)
class OrgImportPlan:
    """What importing the rows would do (nothing written yet)."""

    rows: tuple[OrgRow, ...]
    added: tuple[Node, ...]
    changed: tuple[FieldChange, ...]
    retired: tuple[Node, ...]
    unchanged: int
    refused: tuple[RefusedRow, ...]
    new_levels: tuple[Level, ...]

    @property
    def ok(self) -> bool:
        """No refused row: it can be applied."""
        return not self.refused

    @property
    def is_noop(self) -> bool:
        """Nothing would change (the same tree again)."""
        return self.ok and not (self.added or self.changed or self.retired or self.new_levels)

    @property
    def changed_codes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(change.code for change in self.changed))

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed_codes), "retired": len(self.retired),
                "unchanged": self.unchanged, "levels": len(self.new_levels)}


@dataclass(frozen=True)
class OrgImportResult:
    """What an import wrote (all zero and ``noop`` when the tree was already so)."""

    added: int
    changed: int
    retired: int
    unretired: int
    unchanged: int
    levels_added: int
    moved: int
    noop: bool

    def counts(self) -> dict[str, int]:
        return {"added": self.added, "changed": self.changed, "retired": self.retired,
                "unchanged": self.unchanged, "levels": self.levels_added}


def _require_admin(user: CurrentUser) -> None:
    require_role(user, ("admin",))
    if not user.scope.is_everything:
        raise NotAllowed(role=user.role, allowed="admin (whole tree)")


def stored_nodes(session: Session) -> dict[str, Node]:
    """Every stored node by code (retired ones included), as the import compares them."""
    parent = aliased(OrgUnit)
    rows = session.execute(
        select(OrgUnit.code, OrgUnit.name, parent.code, OrgUnit.level, OrgUnit.card_unit_name, OrgUnit.contact_name,
               OrgUnit.contact_phone, OrgUnit.liaison_name, OrgUnit.liaison_phone, OrgUnit.expected_members,
               OrgUnit.retired_at)
        .join(parent, parent.id == OrgUnit.parent_id, isouter=True)
    ).all()
    return {
        code: Node(code, name, parent_code or "", level, card or "", contact or "", contact_phone or "",
                   liaison or "", liaison_phone or "", int(expected or 0), retired_at is not None)
        for code, name, parent_code, level, card, contact, contact_phone, liaison, liaison_phone, expected, retired_at in rows
    }


def _plan(session: Session, rows: Sequence[OrgRow]) -> tuple[OrgImportPlan, dict[str, Node]]:
    check = check_tree(rows, stored_nodes(session), stored_levels(session))
    plan = OrgImportPlan(
        rows=tuple(rows), added=check.added, changed=check.changed, retired=check.retired, unchanged=check.unchanged,
        refused=check.refused, new_levels=check.new_levels,
    )
    return plan, check.nodes


def preview_org_import(session: Session, user: CurrentUser, rows: Sequence[OrgRow]) -> OrgImportPlan:
    """What importing these rows would add, change and retire, and every refused row."""
    _require_admin(user)
    return _plan(session, rows)[0]


def _places(session: Session, kind_of: dict[str, str]) -> tuple[dict[int, tuple[int | None, str, int | None, int | None]], int]:
    """For every node: (parent_id, path, district_id, area_id) as its place in the tree says,
    and how many differ from what is stored."""
    rows = session.execute(
        select(OrgUnit.id, OrgUnit.parent_id, OrgUnit.level, OrgUnit.path, OrgUnit.district_id, OrgUnit.area_id)
    ).all()
    parent_of = {row[0]: row[1] for row in rows}
    level_of = {row[0]: row[2] for row in rows}
    place: dict[int, tuple[str, int | None, int | None]] = {}

    def resolve(node_id: int) -> tuple[str, int | None, int | None]:
        chain = []
        current: int | None = node_id
        while current is not None and current not in place:
            chain.append(current)
            current = parent_of[current]
        path, district, area = place[current] if current is not None else ("/", None, None)
        for item in reversed(chain):
            kind = kind_of.get(level_of[item])
            path = f"{path}{item}/"
            district = item if kind == "district" else (None if kind == "group" else district)
            area = item if kind == "area" else (None if kind in ("group", "district") else area)
            place[item] = (path, district, area)
        return place[node_id]

    out = {}
    for node_id, parent_id, _level, path, district_id, area_id in rows:
        new_path, new_district, new_area = resolve(node_id)
        if (new_path, new_district, new_area) != (path, district_id, area_id):
            out[node_id] = (parent_id, new_path, new_district, new_area)
    return out, len(out)


def apply_org_import(
    session: Session, user: CurrentUser, plan_or_rows: OrgImportPlan | Sequence[OrgRow], at: datetime | None = None,
    file_name: str = "",
) -> OrgImportResult:
    """Import the rows (re-checked here) or refuse with nothing written."""
    _require_admin(user)
    at = at or now_utc()
    rows = plan_or_rows.rows if isinstance(plan_or_rows, OrgImportPlan) else tuple(plan_or_rows)
    # One import at a time (PostgreSQL; SQLite's write transaction is already exclusive).
    session.execute(select(OrgLevel.code).with_for_update()).all()
    plan, check_nodes = _plan(session, rows)
    if plan.refused:
        raise OrgImportRefused(count=len(plan.refused))
    if plan.is_noop:
        return OrgImportResult(0, 0, 0, 0, plan.unchanged, 0, 0, True)

    if plan.new_levels:
        session.execute(insert(OrgLevel), [{"code": lv.code, "name": lv.name, "kind": lv.kind, "rank": lv.rank} for lv in plan.new_levels])
    values = [
        {"code": n.code, "name": n.name, "card_unit_name": n.card_unit_name or None, "level": n.level, "path": "/",
         "contact_name": n.contact_name or None, "contact_phone": n.contact_phone or None,
         "liaison_name": n.liaison_name or None, "liaison_phone": n.liaison_phone or None,
         "expected_members": n.expected_members, "created_at": at, "updated_at": at}
        for n in plan.added
    ]
    for start in range(0, len(values), CHUNK):
        session.execute(insert(OrgUnit), values[start : start + CHUNK])
    id_of = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())

    # Fields and parents of added and changed nodes; retired and un-retired nodes.
    nodes = {node.code: node for node in plan.added}
    changed_codes = plan.changed_codes
    updates = []
    for code in (*nodes, *changed_codes):
        node = check_nodes[code]
        values_ = {
            "id": id_of[code], "name": node.name, "card_unit_name": node.card_unit_name or None, "level": node.level,
            "parent_id": id_of[node.parent_code] if node.parent_code else None,
            "contact_name": node.contact_name or None, "contact_phone": node.contact_phone or None,
            "liaison_name": node.liaison_name or None, "liaison_phone": node.liaison_phone or None,
            "expected_members": node.expected_members, "retired_at": None,
            "updated_at": at,
        }
        updates.append(values_)
    unretired = sum(1 for change in plan.changed if change.field == "retired")
    for start in range(0, len(updates), CHUNK):
        session.execute(update(OrgUnit), updates[start : start + CHUNK])
    retired_ids = [id_of[node.code] for node in plan.retired]
    for start in range(0, len(retired_ids), CHUNK):
        session.execute(
            update(OrgUnit).where(OrgUnit.id.in_(retired_ids[start : start + CHUNK])).values(retired_at=at, updated_at=at),
            execution_options={"synchronize_session": False},
        )
    session.expire_all()
    kinds = {level.code: level.kind for level in stored_levels(session)}
    places, moved = _places(session, kinds)
    place_rows = [{"id": node_id, "path": path, "district_id": district, "area_id": area}
                  for node_id, (_, path, district, area) in places.items()]
    for start in range(0, len(place_rows), CHUNK):
        session.execute(update(OrgUnit), place_rows[start : start + CHUNK])
    result = OrgImportResult(
        added=len(plan.added), changed=len(changed_codes), retired=len(plan.retired), unretired=unretired,
        unchanged=plan.unchanged, levels_added=len(plan.new_levels), moved=moved, noop=False,
    )
    detail = " ".join(f"{key}={value}" for key, value in {**result.counts(), "unretired": unretired, "moved": moved}.items())
    log_action(session, user, "org_import", file_name or "org_tree", len(plan.added) + len(changed_codes) + len(plan.retired), detail)
    return result


def export_nodes(session: Session) -> list[Node]:
    """The current tree (retired nodes left out), parents before children."""
    depth = {code: node for code, node in stored_nodes(session).items() if not node.retired}
    paths = dict(session.execute(select(OrgUnit.code, OrgUnit.path).where(OrgUnit.retired_at.is_(None))).all())
    return sorted(depth.values(), key=lambda node: (paths[node.code].count("/"), node.code))


def export_workbook(session: Session, user: CurrentUser, lang: str = "zh") -> tuple[bytes, int]:
    """(xlsx bytes, node count) of the current tree in the template's layout; admin only."""
    _require_admin(user)
    nodes = export_nodes(session)
    return tree_workbook(nodes, stored_levels(session), lang), len(nodes)


__all__ = ["OrgImportPlan", "OrgImportRefused", "OrgImportResult", "apply_org_import", "export_nodes",
           "export_workbook", "preview_org_import", "stored_nodes"]
