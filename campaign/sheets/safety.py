"""Checks made before any parser sees a file: size, zip entries, expansion ratio, XML DOCTYPE."""

from __future__ import annotations

import io
import zipfile

from campaign.errors import EmptyFile, FileTooLarge, UnsafeArchive, UnsafeXml
from campaign.sheets.model import Limits

_CHUNK = 1 << 20


def check_size(data: bytes, limits: Limits) -> None:
    """Reject empty and oversized uploads."""
    if not data:
        raise EmptyFile()
    if len(data) > limits.max_bytes:
        raise FileTooLarge(
            size_mb=round(len(data) / 2**20, 1),
            limit_mb=round(limits.max_bytes / 2**20),
        )


def open_zip(data: bytes, limits: Limits) -> zipfile.ZipFile:
    """Open a zip after checking entry count, declared total size and compression ratios."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise UnsafeArchive(f"zip: {type(error).__name__}") from None
    if len(entries) > limits.max_zip_entries:
        raise UnsafeArchive(f"{len(entries)} entries > {limits.max_zip_entries}")
    total = sum(entry.file_size for entry in entries)
    if total > limits.max_uncompressed:
        raise UnsafeArchive(f"{total // 2**20} MB > {limits.max_uncompressed // 2**20} MB")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise UnsafeArchive("encrypted zip entry")
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _CHUNK and ratio > limits.max_ratio:
            raise UnsafeArchive(f"{entry.filename}: ratio {ratio:.0f} > {limits.max_ratio:.0f}")
    return archive


def read_entry(archive: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """An entry's bytes, read in chunks and stopped the moment it outgrows its declared size."""
    info = archive.getinfo(name)
    budget = min(info.file_size, limits.max_uncompressed)
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise UnsafeArchive(f"{name}: larger than declared")
                parts.append(chunk)
    except (
        zipfile.BadZipFile,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,
    ) as error:
        raise UnsafeArchive(f"{name}: {type(error).__name__}") from None
    return b"".join(parts)


def check_xml(xml: bytes) -> None:
    """Reject XML that declares a DOCTYPE or entities (billion laughs, external entities)."""
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise UnsafeXml()


def defusedxml_active() -> bool:
    """Whether openpyxl (used by tests and the benchmark baseline) parses through defusedxml."""
    try:
        from openpyxl import DEFUSEDXML
    except ImportError:  # pragma: no cover - openpyxl is a runtime dependency
        return False
    return bool(DEFUSEDXML)
