"""Reconciling the bank's issued-card list with the members produced here: read the list, match
by ID number (or by name and the card's last four digits), report what is on one side only.

Reading goes through the safe sheet readers (size, zip-bomb and XML checks, one boundary for
parser failures); every problem with the file is an ``IngestError`` with a Chinese message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import pandas as pd

from campaign.errors import IngestError, NoHeader, TooManyRows
from campaign.masking import mask_id, mask_phone
from campaign.rules import id_number as id_rules
from campaign.rules import name as name_rules
from campaign.sheets import read_raw_sheets
from campaign.sheets.header import clean_text, column_kind, header_row
from campaign.sheets.model import Cell, Limits, RawSheet

CARD_ALIASES: Final = (
    "卡号", "银行卡号", "卡号后四位", "卡号尾号", "卡尾号", "卡号末四位", "尾号", "账号", "银行账号", "卡号后4位",
)
BANK_LIST_COLUMNS: Final = ("id_number", "name", "card_tail", "sheet_row")
_DIGITS_RE = re.compile(r"\d+")


class BankListColumnsMissing(IngestError):
    """The list names neither an ID-number column nor a name plus card-number column."""

    key = "reconcile.missing_columns"


class BankListEmpty(IngestError):
    """A header was found but no data rows under it."""

    key = "reconcile.empty_list"


class BankListTooLong(IngestError):
    """More rows than one reconciliation of this scope may compare (see ``row_cap``)."""

    key = "reconcile.too_many_rows"


class TooManyReconciliations(IngestError):
    """The user has reconciled ``RECONCILE_PER_HOUR`` lists in the last hour already."""

    key = "reconcile.rate_limited"


# One list may hold the scope's produced cards plus some slack (a bank list may carry a few
# cards of neighbouring scopes) and, for a role that sees IDs masked, never more than
# FIXED_ROW_CAP: a masked role that uploads every ID fitting a masked number would otherwise
# learn the full number from what matches. Attempts per user per hour are bounded as well.
FIXED_ROW_CAP: Final = 20_000
RECONCILE_PER_HOUR: Final = 10


def row_cap(produced: int, full_pii: bool) -> int:
    """How many rows one list may have: produced cards plus 10% (at least 200) of slack; at
    most ``FIXED_ROW_CAP`` for a masked role, at least that for one that sees IDs in full.

    >>> row_cap(1_000, False), row_cap(100_000, False), row_cap(100_000, True), row_cap(0, True)
    (1200, 20000, 110000, 20000)
    """
    cap = produced + max(200, produced // 10)
    return max(cap, FIXED_ROW_CAP) if full_pii else min(cap, FIXED_ROW_CAP)


def _kind(value: Cell) -> str | None:
    kind = column_kind(value)
    if kind in ("id", "name"):
        return kind
    text = clean_text(value)
    text = re.sub(r"[(（\[【].*?[)）\]】]|[*＊:：]", "", text)
    return "card" if text in CARD_ALIASES else None


def _header(raw: RawSheet, scan_rows: int) -> tuple[int, dict[str, int]] | None:
    return header_row(raw, scan_rows, _kind, lambda kinds: "id" in kinds or ("name" in kinds and "card" in kinds))


def card_tail(value: Cell) -> str:
    """The last four digits of a card number, whatever else the cell holds.

    >>> card_tail("6222 0212 3456 7890"), card_tail("****1234"), card_tail(1234), card_tail("无")
    ('7890', '1234', '1234', '')
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = "".join(_DIGITS_RE.findall(unicodedata.normalize("NFKC", str(value))))
    return digits[-4:] if len(digits) >= 4 else ""


def _id_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return id_rules.compact(str(value))


def _cell(cells: list[Cell], col: int | None) -> Cell:
    return cells[col] if col is not None and col < len(cells) else None


def read_bank_list(data: bytes, file_name: str = "", limits: Limits | None = None, max_rows: int | None = None) -> pd.DataFrame:
    """The bank's issued-card list as rows of (id_number, name, card_tail, sheet_row).

    Raises an ``IngestError`` (Chinese message) for anything wrong with the file, and
    ``BankListTooLong`` past ``max_rows`` data rows.
    """
    limits = limits or Limits()
    _, raws = read_raw_sheets(data, limits)
    rows: list[tuple[str, str, str, int]] = []
    found = False
    for raw in raws:
        header = _header(raw, limits.header_scan_rows)
        if header is None:
            continue
        found = True
        k, kinds = header
        for j in range(k + 1, len(raw.rows)):
            cells = raw.rows[j]

            id_number = _id_text(_cell(cells, kinds.get("id")))
            name = name_rules.compact(str(_cell(cells, kinds.get("name")) or ""))
            tail = card_tail(_cell(cells, kinds.get("card")))
            if id_number or (name and tail):
                rows.append((id_number, name, tail, raw.first_row + j))
            if max_rows is not None and len(rows) > max_rows:
                raise BankListTooLong(limit=max_rows)
            if len(rows) > limits.max_rows:
                raise TooManyRows(sheet=raw.name, rows=len(rows), limit=limits.max_rows)
    if not found:
        if any(_kind(v) for raw in raws for cells in raw.rows[: limits.header_scan_rows] for v in cells):
            raise BankListColumnsMissing()
        raise NoHeader()
    if not rows:
        raise BankListEmpty()
    return pd.DataFrame(rows, columns=list(BANK_LIST_COLUMNS))


@dataclass(frozen=True)
class Reconciliation:
    """The two lists side by side: matched, only on the bank's list, only produced here.

    ``restricted()`` is what a role that sees ID numbers masked may be shown.
    """

    matched: pd.DataFrame
    bank_only: pd.DataFrame
    here_only: pd.DataFrame
    bank_only_hidden: int = 0

    @property
    def counts(self) -> dict[str, int]:
        return {
            "matched": len(self.matched),
            "bank_only": len(self.bank_only) + self.bank_only_hidden,
            "here_only": len(self.here_only),
        }

    def restricted(self) -> Reconciliation:
        """For a masked role: produced members (already in scope) with ID numbers and phones
        masked; nothing about uploaded rows that matched nothing beyond their count; and no
        uploaded row numbers or card digits beside a match, which would say which candidate ID
        matched."""
        matched = self.matched.drop(columns=["sheet_row", "bank_card_tail"], errors="ignore")
        return Reconciliation(
            matched=_masked(matched),
            bank_only=self.bank_only.iloc[0:0],
            here_only=_masked(self.here_only),
            bank_only_hidden=len(self.bank_only) + self.bank_only_hidden,
        )


def _masked(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    if "id_number" in out.columns:
        out["id_number"] = [mask_id(v) for v in out["id_number"]]
    if "phone" in out.columns:
        out["phone"] = [mask_phone(v) for v in out["phone"]]
    return out


def reconcile(bank: pd.DataFrame, produced: pd.DataFrame) -> Reconciliation:
    """Match the bank's rows to produced members: by ID number where the bank gives one, else
    by name and the card's last four digits. Each produced member matches at most once.

    ``bank`` has id_number, name, card_tail, sheet_row; ``produced`` has member_id, name,
    id_number, card_tail and any further columns (kept in the output). ``matched`` gets
    ``matched_by`` ("id" or "name_card") and ``name_differs`` (the bank's name is another).
    """
    here = produced.reset_index(drop=True)
    by_id: dict[str, int] = {}
    by_name_card: dict[tuple[str, str], int] = {}
    for index, (id_number, name, tail) in enumerate(zip(here["id_number"], here["name"], here["card_tail"], strict=True)):
        by_id.setdefault(id_rules.compact(str(id_number)), index)
        if tail:
            by_name_card.setdefault((name_rules.compact(str(name)), str(tail)), index)
    taken: set[int] = set()
    matched: list[dict[str, object]] = []
    bank_only: list[dict[str, object]] = []
    for row in bank.to_dict("records"):
        index: int | None = None
        how = ""
        if row["id_number"]:
            index, how = by_id.get(str(row["id_number"])), "id"
        elif row["name"] and row["card_tail"]:
            index, how = by_name_card.get((str(row["name"]), str(row["card_tail"]))), "name_card"
        if index is None or index in taken:
            bank_only.append({**row, "duplicate": index is not None})
            continue
        taken.add(index)
        member = here.iloc[index].to_dict()
        matched.append({
            **member,
            "bank_name": row["name"],
            "bank_card_tail": row["card_tail"],
            "sheet_row": row["sheet_row"],
            "matched_by": how,
            "name_differs": bool(row["name"]) and row["name"] != name_rules.compact(str(member["name"])),
        })
    matched_frame = pd.DataFrame(matched, columns=[*here.columns, "bank_name", "bank_card_tail", "sheet_row", "matched_by", "name_differs"])
    bank_frame = pd.DataFrame(bank_only, columns=[*BANK_LIST_COLUMNS, "duplicate"])
    here_frame = here.drop(index=sorted(taken)).reset_index(drop=True)
    return Reconciliation(matched_frame, bank_frame, here_frame)
