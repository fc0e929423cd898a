"""The registry of member-sheet file formats: each module offers ``NAME``, ``sniff``, ``read``.

A format module is small: ``sniff(data)`` says whether the bytes are its kind, ``read(data,
limits)`` returns ``RawSheet``s or raises an ``IngestError``. Order matters: the first that
sniffs positive reads the file.
"""

from __future__ import annotations

from types import ModuleType

from campaign.sheets.formats import csv_text, xls, xlsx

FORMATS: list[ModuleType] = [xlsx, xls, csv_text]


def register(module: ModuleType, *, first: bool = False) -> None:
    """Add a format module (``NAME``, ``sniff``, ``read``) to the registry."""
    if first:
        FORMATS.insert(0, module)
    else:
        FORMATS.append(module)
