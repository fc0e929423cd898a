"""Reading member sheets: pick the format by content, check safety, find headers and data rows.

``read_workbook(data, file_name)`` is the one entry point. Whatever goes wrong with the file
comes out as an ``IngestError`` with a message a clerk understands; any other exception from a
parser is caught here, at one boundary, and becomes ``CorruptWorkbook``.
"""

from __future__ import annotations

from dataclasses import dataclass

from campaign.errors import (
    CorruptWorkbook,
    IngestError,
    NoHeader,
    NotASpreadsheet,
    TooManyRows,
)
from campaign.sheets import formats, safety
from campaign.sheets.header import MemberSheet, find_header
from campaign.sheets.model import Limits, RawSheet

__all__ = ["Limits", "MemberSheet", "RawSheet", "Workbook", "read_raw_sheets", "read_workbook"]


@dataclass(slots=True)
class Workbook:
    """The member sheets of one uploaded file."""

    file_name: str
    format: str
    sheets: list[MemberSheet]

    @property
    def row_count(self) -> int:
        """Data rows over all sheets."""
        return sum(len(sheet.data_rows) for sheet in self.sheets)


def read_raw_sheets(data: bytes, limits: Limits) -> tuple[str, list[RawSheet]]:
    """The format and raw sheets of an uploaded file, any sheet kind (members, bank lists,
    signed sheets): the one boundary where every parser failure becomes an ``IngestError``."""
    safety.check_size(data, limits)
    try:
        for module in formats.FORMATS:
            if module.sniff(data):
                return module.NAME, module.read(data, limits)
        raise NotASpreadsheet()
    except IngestError:
        raise
    except MemoryError:
        raise CorruptWorkbook("MemoryError") from None
    except BaseException as error:  # one boundary for every parser failure (incl. Rust panics)
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        raise CorruptWorkbook(type(error).__name__) from None


def read_workbook(data: bytes, file_name: str = "", limits: Limits | None = None) -> Workbook:
    """Read an uploaded file into its member sheets, or raise an ``IngestError``."""
    limits = limits or Limits()
    kind, raws = read_raw_sheets(data, limits)
    sheets = [sheet for raw in raws if (sheet := find_header(raw, limits.header_scan_rows))]
    if not sheets:
        raise NoHeader()
    total = sum(len(sheet.data_rows) for sheet in sheets)
    if total > limits.max_rows:
        raise TooManyRows(sheet=sheets[0].name, rows=total, limit=limits.max_rows)
    return Workbook(file_name=file_name, format=kind, sheets=sheets)
