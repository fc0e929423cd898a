"""The bank's result file for a batch: one line per person, produced (成功) or failed (失败) with
the reason, and the card number (kept only masked).

Read through the safe sheet readers (size, zip-bomb and XML checks, one boundary for parser
failures) with a row cap; a formula anywhere in the data is refused. Columns by header:
身份证号码, 姓名, 开卡结果 / 结果 (成功 / 失败), 失败原因, 卡号, English aliases accepted.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

import pandas as pd

from campaign.errors import IngestError, NoHeader, TooManyRows
from campaign.masking import mask_card
from campaign.rules import id_number as id_rules
from campaign.rules import name as name_rules
from campaign.sheets import read_raw_sheets
from campaign.sheets.header import clean_text, header_row
from campaign.sheets.model import Cell, Limits, RawSheet
from campaign.stages import BANK_FAILURE_REASONS

MAX_LINES: Final = 100_000
LIMITS: Final = Limits(max_rows=MAX_LINES)

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "id": ("身份证号码", "身份证号", "证件号码", "公民身份号码", "身份证", "证件号", "idnumber", "id", "idno", "idcard"),
    "name": ("姓名", "客户姓名", "户名", "name", "customername"),
    "outcome": ("开卡结果", "结果", "制卡结果", "处理结果", "开户结果", "状态", "result", "outcome", "status"),
    "reason": ("失败原因", "原因", "失败说明", "备注", "reason", "failurereason", "remark"),
    "card": ("卡号", "银行卡号", "账号", "卡号后四位", "cardnumber", "card", "cardno", "accountnumber"),
}
_LOOKUP: Final = {alias: kind for kind, aliases in ALIASES.items() for alias in aliases}
_DECORATION_RE = re.compile(r"[(（\[【].*?[)）\]】]|[*＊:：_\-\s]")

PRODUCED_WORDS: Final = frozenset({"成功", "开卡成功", "制卡成功", "已制卡", "已开卡", "success", "succeeded", "produced", "ok"})
FAILED_WORDS: Final = frozenset({"失败", "开卡失败", "制卡失败", "未开卡", "fail", "failed", "failure"})

# Words of a bank's own failure text -> our reason code (first match wins, most specific first).
REASON_KEYWORDS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("id_name_mismatch", ("姓名不一致", "姓名不符", "与姓名不", "核查不一致", "联网核查", "namemismatch")),
    ("id_expired", ("过期", "注销", "失效", "expired")),
    ("id_invalid", ("不存在", "无此", "号码错误", "号码无效", "证件号码有误", "notfound")),
    ("duplicate_account", ("已开立", "已有", "重复开户", "已存在账户", "alreadyholds", "duplicate")),
    ("phone_invalid", ("手机", "电话", "空号", "phone", "mobile")),
    ("unit_name_mismatch", ("单位名称", "办卡单位", "unitname")),
    ("info_incomplete", ("不完整", "缺少", "缺失", "incomplete")),
)
LINE_COLUMNS: Final = ("sheet_row", "id_number", "id_problem", "name", "outcome", "outcome_text", "reason_code", "reason_text", "card_masked")


class ResultColumnsMissing(IngestError):
    """The file has no ID-number column or no outcome column."""

    key = "bankwf.result_columns_missing"


class ResultFormula(IngestError):
    """A formula in a result file: the values could be anything; refused."""

    key = "bankwf.result_formula"


class ResultEmpty(IngestError):
    """A header but no lines under it."""

    key = "bankwf.result_empty"


def column_kind(value: Cell) -> str | None:
    """What a header cell of a result file names.

    >>> column_kind("开卡结果"), column_kind("Failure reason"), column_kind("身份证号码（18位）"), column_kind("x")
    ('outcome', 'reason', 'id', None)
    """
    if not isinstance(value, str):
        return None
    text = _DECORATION_RE.sub("", unicodedata.normalize("NFKC", value)).lower()
    return _LOOKUP.get(text)


def outcome_of(value: Cell) -> str:
    """'produced', 'failed' or '' (not understood).

    >>> outcome_of("成功"), outcome_of(" 开卡失败 "), outcome_of("Failed"), outcome_of("待定")
    ('produced', 'failed', 'failed', '')
    """
    text = clean_text(value).lower()
    if text in PRODUCED_WORDS:
        return "produced"
    if text in FAILED_WORDS:
        return "failed"
    return ""


def reason_code(text: str) -> str:
    """Our code for a bank's failure text ('' when none fits).

    >>> reason_code("身份证号与姓名联网核查不一致"), reason_code("id_expired"), reason_code("手机号为空号"), reason_code("其他")
    ('id_name_mismatch', 'id_expired', 'phone_invalid', '')
    """
    compact = clean_text(text)
    if not compact:
        return ""
    lowered = compact.lower()
    if lowered in BANK_FAILURE_REASONS:
        return lowered
    for code, (zh, en) in BANK_FAILURE_REASONS.items():
        if compact == clean_text(zh) or lowered == clean_text(en).lower():
            return code
    for code, words in REASON_KEYWORDS:
        if any(word in lowered for word in words):
            return code
    return ""


def card_masked(value: Cell) -> str:
    """The card number masked: kept as the bank masked it, else all but the last 4 hidden.

    >>> card_masked("6222 0212 3456 7890 123"), card_masked("622202******0123"), card_masked(None)
    ('***************0123', '622202******0123', '')
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = clean_text(value)
    if "*" in text:
        return text[:32]
    digits = "".join(ch for ch in text if ch.isascii() and ch.isdigit())
    return mask_card(digits)[-32:] if digits else ""


def _id_of(value: Cell) -> tuple[str, str]:
    """(compacted ID, problem code or '')."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", "id_missing"
    if id_rules.is_excel_number(value):
        return "", "id_excel_number"
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    number = id_rules.compact(str(value))
    if len(number) != 18 or not re.fullmatch(r"[0-9]{17}[0-9X]", number):
        return number, "id_malformed"
    return number, ""


def _header(raw: RawSheet, scan_rows: int) -> tuple[int, dict[str, int]] | None:
    """(row index, kind -> column) of the first row naming both an ID and an outcome column."""
    return header_row(raw, scan_rows, column_kind, lambda kinds: "id" in kinds and "outcome" in kinds)


def _partial_header(raws: list[RawSheet], scan_rows: int) -> bool:
    """Whether some row names an ID or an outcome column (but never both)."""
    return any(column_kind(v) in ("id", "outcome") for raw in raws for cells in raw.rows[:scan_rows] for v in cells)


def _read_raw(data: bytes, limits: Limits) -> list[RawSheet]:
    return read_raw_sheets(data, limits)[1]


def read_result_file(data: bytes, file_name: str = "", limits: Limits | None = None) -> pd.DataFrame:
    """The result lines of a bank file, one row per line with a value (columns ``LINE_COLUMNS``).

    Raises an ``IngestError`` (Chinese message) when the file cannot be read as a result file.
    """
    limits = limits or LIMITS
    raws = _read_raw(data, limits)
    lines: list[tuple[object, ...]] = []
    found = False
    for raw in raws:
        header = _header(raw, limits.header_scan_rows)
        if header is None:
            continue
        found = True
        k, kinds = header
        header_row = raw.first_row + k
        if any(row > header_row for row, _ in raw.formulas):
            row, col = min(pos for pos in raw.formulas if pos[0] > header_row)
            raise ResultFormula(sheet=raw.name, row=row)
        for j in range(k + 1, len(raw.rows)):
            cells = raw.rows[j]

            def cell(kind: str, cells: list[Cell] = cells, kinds: dict[str, int] = kinds) -> Cell:
                col = kinds.get(kind)
                return cells[col] if col is not None and col < len(cells) else None

            if all(clean_text(v) == "" for v in cells):
                continue
            number, problem = _id_of(cell("id"))
            outcome_text = clean_text(cell("outcome"))
            reason_text = unicodedata.normalize("NFKC", str(cell("reason") or "")).strip()[:200]
            outcome = outcome_of(outcome_text)
            lines.append((
                raw.first_row + j, number, problem, name_rules.compact(str(cell("name") or ""))[:50], outcome,
                outcome_text[:40], reason_code(reason_text) if outcome == "failed" else "", reason_text,
                card_masked(cell("card")) if outcome == "produced" else "",
            ))
            if len(lines) > limits.max_rows:
                raise TooManyRows(sheet=raw.name, rows=len(lines), limit=limits.max_rows)
    if not found:
        if _partial_header(raws, limits.header_scan_rows):
            raise ResultColumnsMissing()
        raise NoHeader()
    if not lines:
        raise ResultEmpty()
    return pd.DataFrame(lines, columns=list(LINE_COLUMNS)).astype({"sheet_row": int})


@dataclass(frozen=True)
class Summary:
    """Counts of a result file as read (before matching it to a batch)."""

    lines: int
    produced: int
    failed: int
    not_understood: int


def summarise(lines: pd.DataFrame) -> Summary:
    """How many lines say produced, failed, or neither."""
    produced = int((lines["outcome"] == "produced").sum())
    failed = int((lines["outcome"] == "failed").sum())
    return Summary(len(lines), produced, failed, len(lines) - produced - failed)
