"""What the organisation-tree import works with: columns, rows as read, nodes, levels, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from campaign.errors import IngestError
from campaign.i18n import t

# (field, Chinese header of the template); English aliases are the field names.
COLUMNS: Final = (
    ("code", "单位编码"),
    ("name", "单位名称"),
    ("parent_code", "上级单位编码"),
    ("level", "层级"),
    ("card_unit_name", "办卡单位名称"),
    ("contact_name", "联系人"),
    ("contact_phone", "联系电话"),
    ("liaison_name", "片区联络人"),
    ("liaison_phone", "联络人电话"),
    ("expected_members", "应办卡人数"),
)
FIELDS: Final = tuple(field for field, _ in COLUMNS)
HEADER_ZH: Final = dict(COLUMNS)
REQUIRED_COLUMNS: Final = ("code", "name", "parent_code", "level")
# At most this many data rows per file (a realistic city tree has about 60,000 nodes).
MAX_NODES: Final = 100_000
# Column widths in the database (a longer value is a refused row, never truncated).
MAX_LENGTH: Final = {"code": 32, "name": 200, "card_unit_name": 300, "contact_name": 50, "liaison_name": 50, "level": 64}


class OrgColumnsMissing(IngestError):
    """A header row names some columns of the template but not all required ones."""

    key = "org.missing_columns"


class OrgNoHeader(IngestError):
    """No sheet has a row that looks like the template's header."""

    key = "org.no_header"


class OrgEmpty(IngestError):
    """A header was found but no data rows under it."""

    key = "org.empty"


class OrgTooManyRows(IngestError):
    """More data rows than ``MAX_NODES``."""

    key = "org.too_many_rows"


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One data row as read: texts cleaned (codes as text, leading zeros kept), nothing judged
    yet except which columns held a formula. ``sheet_row`` is the row number Excel shows."""

    sheet_row: int
    code: str = ""
    name: str = ""
    parent_code: str = ""
    level: str = ""
    card_unit_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    liaison_name: str = ""
    liaison_phone: str = ""
    expected_members: str = ""
    formulas: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Level:
    """A level of the tree (an ``org_level`` row)."""

    code: str
    name: str
    kind: str
    rank: int


@dataclass(frozen=True, slots=True)
class Node:
    """A node as the database holds it (or will): level is the level's code, phones are
    normalised, ``retired`` says the node has left the list."""

    code: str
    name: str
    parent_code: str
    level: str
    card_unit_name: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    liaison_name: str = ""
    liaison_phone: str = ""
    expected_members: int = 0
    retired: bool = False


# The fields an import compares and writes (besides the parent and the level).
COMPARED: Final = ("name", "parent_code", "level", "card_unit_name", "contact_name", "contact_phone",
                   "liaison_name", "liaison_phone", "expected_members")


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a row is refused: a catalogue key (``org.reason.<code>``) and its fields."""

    code: str
    fields: tuple[tuple[str, object], ...] = ()

    def message(self, lang: str = "zh") -> str:
        """The reason in the given language (a column named by its header)."""
        fields = dict(self.fields)
        if "column" in fields:
            fields["column"] = t(f"org.col.{fields['column']}", lang)
        return t(f"org.reason.{self.code}", lang, **fields)


@dataclass(frozen=True, slots=True)
class RefusedRow:
    """A row that cannot be imported, with every reason at once."""

    sheet_row: int
    code: str
    reasons: tuple[Reason, ...]

    def message(self, lang: str = "zh") -> str:
        """All reasons in one line."""
        return ("；" if lang == "zh" else "; ").join(reason.message(lang) for reason in self.reasons)

    def line(self, lang: str = "zh") -> str:
        """"第N行 单位编码 X：原因" (the command line prints this)."""
        return t("org.refused_line", lang, row=self.sheet_row, code=self.code or "—", reasons=self.message(lang))


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one node, old → new."""

    code: str
    field: str
    old: object
    new: object
