"""CSV text in UTF-8 (with or without BOM), GBK or GB18030: decoded strictly, never guessed.

Strict UTF-8 first (UTF-8 bytes decoded as GB18030 do not fail, they turn into mojibake), then
GB18030 (a superset of GBK). Line numbers are the ones an editor shows.
"""

from __future__ import annotations

import codecs
import csv
import io

from campaign.errors import (
    NotASpreadsheet,
    TooManyColumns,
    TooManyRows,
    UnknownEncoding,
)
from campaign.sheets.model import Limits, RawSheet

NAME = "csv"
HEADER_SLACK = 1_000
DELIMITERS = (",", "\t", ";", "，")


def sniff(data: bytes) -> bool:
    """Text without NUL bytes (anything binary is not a CSV)."""
    return b"\x00" not in data[:65536]


def decode(data: bytes) -> str:
    """The text of a CSV, by the first encoding that decodes it strictly.

    >>> decode("姓名".encode("gbk")), decode(codecs.BOM_UTF8 + "姓名".encode())
    ('姓名', '姓名')
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnknownEncoding()


def _delimiter(text: str) -> str:
    head = text[:8192]
    counts = {d: head.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read(data: bytes, limits: Limits) -> list[RawSheet]:
    """One sheet of text cells, stopping as soon as the row cap is passed."""
    try:
        text = decode(data)
    except UnknownEncoding:
        if any(b < 0x09 for b in data[:4096]):
            raise NotASpreadsheet() from None
        raise
    text = text.removeprefix("\ufeff")
    if any(ord(c) < 0x09 for c in text[:4096]):
        raise NotASpreadsheet()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[object]] = []
    line_of: list[int] = []
    last_line = 0
    cap = limits.max_rows + HEADER_SLACK
    try:
        for record in reader:
            line_of.append(last_line + 1)
            last_line = reader.line_num
            if len(record) > limits.max_columns:
                raise TooManyColumns(sheet="CSV", cols=len(record))
            rows.append(record)
            if len(rows) > cap:
                raise TooManyRows(sheet="CSV", rows=cap, limit=limits.max_rows)
    except csv.Error as error:
        raise NotASpreadsheet(str(error)) from None
    sheet = RawSheet(name="CSV", rows=[])
    # Rows keep their line numbers: pad so rows[k] is line k + 1 (multi-line cells leave gaps).
    if line_of and line_of[-1] != len(line_of):
        padded: list[list[object]] = []
        for line, record in zip(line_of, rows, strict=True):
            while len(padded) < line - 1:
                padded.append([])
            padded.append(record)
        rows = padded
    sheet.rows = rows
    return [sheet]
