"""What the readers hand over: raw sheets (cells and their quirks) and limits on what they read."""

from __future__ import annotations

from dataclasses import dataclass, field

Cell = object  # str | int | float | bool | date | datetime | time | timedelta | None


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a hostile file from taking unbounded time or memory."""

    max_bytes: int = 30 * 1024 * 1024
    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 6_000_000  # a sheet's extent, rows × columns: what calamine allocates
    max_sheets: int = 100
    max_zip_entries: int = 1_000
    max_uncompressed: int = 400 * 1024 * 1024
    max_ratio: float = 100.0
    header_scan_rows: int = 30


@dataclass(slots=True)
class RawSheet:
    """One worksheet as read: ``rows[k]`` is the spreadsheet's row ``first_row + k``.

    Positions in the quirk collections are (row as shown, 0-based column).
    """

    name: str
    rows: list[list[Cell]]
    first_row: int = 1
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    visible: bool = True
