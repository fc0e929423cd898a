"""Messages of validation findings and ingest errors (filled by the rules modules)."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {}
