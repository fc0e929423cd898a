"""The access scope of a user: the org-unit subtree beneath every read and write."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import Session

from data_access.models import OrgUnit


@dataclass(frozen=True)
class Scope:
    """A subtree of the organisation, by its root's materialised path; None means everything."""

    root_id: int | None = None
    root_path: str | None = None

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @property
    def is_everything(self) -> bool:
        return self.root_path is None

    def cache_key(self) -> str:
        """A string that differs for every different scope (for per-scope caches)."""
        return self.root_path or "*"

    def org_filter(self, org: type[OrgUnit] | object = OrgUnit) -> ColumnElement[bool]:
        """SQL condition: the org unit (a mapped class or alias) lies in the subtree."""
        if self.root_path is None:
            return true()
        return org.path.startswith(self.root_path, autoescape=True)  # type: ignore[attr-defined]

    def contains_path(self, path: str) -> bool:
        """Whether an org unit with this path lies in the subtree."""
        return self.root_path is None or path.startswith(self.root_path)


def scope_for(session: Session, org_unit_id: int | None) -> Scope:
    """The scope rooted at an org unit (None: everything)."""
    if org_unit_id is None:
        return Scope.everything()
    org = session.get(OrgUnit, org_unit_id)
    if org is None:
        raise LookupError(f"org unit {org_unit_id} does not exist")
    return Scope(root_id=org.id, root_path=org.path)
