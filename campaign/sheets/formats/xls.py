"""Legacy Excel workbooks (.xls, BIFF8 in an OLE2 container): BIFF pre-scan, then python-calamine.

Calamine allocates rows × columns cells for a sheet's extent (a 6 KB .xls with one cell at
IV65536 costs a gigabyte) and hides formulas, error values and hidden rows; a short walk over
the BIFF records finds the real extent and those quirks first. An OLE2 file holding
``EncryptionInfo`` is a password-protected .xlsx.
"""

from __future__ import annotations

import struct

from campaign.errors import CorruptWorkbook, EncryptedWorkbook
from campaign.sheets.formats.xlsx import check_extent, fill_from_calamine
from campaign.sheets.model import Limits, RawSheet

NAME = "xls"
MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_MARKERS = ("EncryptionInfo", "EncryptedPackage")
_FREE = 0xFFFFFFFF
_END = 0xFFFFFFFE
_ERROR_NAMES = {
    0: "#NULL!",
    7: "#DIV/0!",
    15: "#VALUE!",
    23: "#REF!",
    29: "#NAME?",
    36: "#NUM!",
    42: "#N/A",
}
_CELL_RECORDS = {0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x00D6, 0x0006, 0x0205}
_MULTI_RECORDS = {0x00BD, 0x00BE}


def sniff(data: bytes) -> bool:
    """An OLE2 compound file (legacy .xls, or an encrypted .xlsx)."""
    return data[:8] == MAGIC


class _Compound:
    """Just enough of the compound-file format to pull one stream out of it."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise CorruptWorkbook("OLE2 header")
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 30)[0]
        self.mini_sector = 1 << struct.unpack_from("<H", data, 32)[0]
        if self.sector not in (512, 4096) or self.mini_sector != 64:
            raise CorruptWorkbook("OLE2 sector size")
        n_fat, first_dir = struct.unpack_from("<II", data, 44)
        self.cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 56)
        self.n_sectors = (len(data) - 512) // self.sector + 1
        difat = [s for s in struct.unpack_from("<109I", data, 76) if s < self.n_sectors]
        sector = first_difat
        for _ in range(min(n_difat, self.n_sectors)):
            if sector >= self.n_sectors:
                break
            values = struct.unpack_from(f"<{self.sector // 4}I", self._sector(sector))
            difat.extend(v for v in values[:-1] if v < self.n_sectors)
            sector = values[-1]
        fat: list[int] = []
        for s in difat[: max(n_fat, 0)]:
            fat.extend(struct.unpack_from(f"<{self.sector // 4}I", self._sector(s)))
        self.fat = fat
        self.entries = self._directory(first_dir)
        root = self.entries[0] if self.entries else ("", 0, 0)
        self.ministream = self._chain(root[1], root[2]) if root[2] else b""
        self.minifat = (
            list(
                struct.unpack(
                    f"<{n_minifat * self.sector // 4}I",
                    self._chain(first_minifat, n_minifat * self.sector),
                )
            )
            if n_minifat and first_minifat < self.n_sectors
            else []
        )

    def _sector(self, index: int) -> bytes:
        start = 512 + index * self.sector
        return self.data[start : start + self.sector]

    def _chain(self, start: int, size: int) -> bytes:
        parts: list[bytes] = []
        sector, seen = start, 0
        while sector < len(self.fat) and seen * self.sector < size:
            parts.append(self._sector(sector))
            sector = self.fat[sector]
            seen += 1
            if seen > self.n_sectors:
                raise CorruptWorkbook("OLE2 FAT loop")
        return b"".join(parts)[:size]

    def _directory(self, first: int) -> list[tuple[str, int, int]]:
        raw = self._chain(first, self.n_sectors * self.sector)
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            name_len = struct.unpack_from("<H", raw, offset + 64)[0]
            name = raw[offset : offset + max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<II", raw, offset + 116)
            entries.append((name, start, size))
        return entries

    def names(self) -> list[str]:
        return [name for name, _, _ in self.entries]

    def stream(self, wanted: str) -> bytes:
        for name, start, size in self.entries[1:]:
            if name == wanted:
                if size < self.cutoff:
                    parts, sector, seen = [], start, 0
                    while sector < len(self.minifat) and seen * 64 < size:
                        parts.append(self.ministream[sector * 64 : sector * 64 + 64])
                        sector = self.minifat[sector]
                        seen += 1
                        if seen > len(self.minifat):
                            raise CorruptWorkbook("OLE2 mini FAT loop")
                    return b"".join(parts)[:size]
                return self._chain(start, size)
        raise CorruptWorkbook(f"no {wanted} stream")


def _scan(stream: bytes, limits: Limits) -> dict[str, RawSheet]:
    """Walk the BIFF records: sheet names, extent, formulas, error cells, hidden rows."""
    names: dict[int, tuple[str, bool]] = {}
    sheets: dict[str, RawSheet] = {}
    extents: dict[str, tuple[int, int]] = {}
    current: RawSheet | None = None
    max_row = max_col = 0
    pos, end = 0, len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + length]
        if kind == 0x002F:
            raise EncryptedWorkbook()
        if kind == 0x0085 and len(body) >= 8:
            offset, hidden, count, flags = struct.unpack_from("<IBxBB", body)
            raw = body[8 : 8 + count * (2 if flags & 1 else 1)]
            name = raw.decode("utf-16-le" if flags & 1 else "latin-1", "replace")
            names[offset] = (name, hidden == 0)
        elif kind == 0x0809:
            if pos in names:
                name, visible = names[pos]
                current = sheets[name] = RawSheet(name=name, rows=[], visible=visible)
                max_row = max_col = 0
            else:
                current = None
        elif kind == 0x000A and current is not None:
            extents[current.name] = (max_row, max_col)
            current = None
        elif current is not None and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            if kind in _CELL_RECORDS:
                max_row, max_col = max(max_row, row + 1), max(max_col, col + 1)
                if kind == 0x0006:
                    current.formulas[(row + 1, col)] = "="
                    if len(body) >= 14 and body[6] == 2 and body[12:14] == b"\xff\xff":
                        current.errors[(row + 1, col)] = _ERROR_NAMES.get(body[8], "#ERROR")
                elif kind == 0x0205 and len(body) >= 8 and body[7] == 1:
                    current.errors[(row + 1, col)] = _ERROR_NAMES.get(body[6], "#ERROR")
            elif kind in _MULTI_RECORDS and len(body) >= 6:
                last_col = struct.unpack_from("<H", body, len(body) - 2)[0]
                max_row, max_col = max(max_row, row + 1), max(max_col, last_col + 1)
            elif kind == 0x0208 and len(body) >= 16 and struct.unpack_from("<I", body, 12)[0] & 0x20:
                current.hidden_rows.add(row + 1)
            if max_row > limits.max_rows or max_col > limits.max_columns or max_row * max_col > limits.max_cells:
                check_extent(current.name, max_row, max_col, limits)
        pos += 4 + length
    return sheets


def read(data: bytes, limits: Limits) -> list[RawSheet]:
    """Check, scan and read every worksheet."""
    compound = _Compound(data)
    if any(marker in compound.names() for marker in ENCRYPTED_MARKERS):
        raise EncryptedWorkbook()
    names = compound.names()
    stream_name = "Workbook" if "Workbook" in names else "Book"
    scanned = _scan(compound.stream(stream_name), limits)
    return fill_from_calamine(data, scanned, limits.max_sheets)
