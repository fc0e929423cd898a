"""Headers and titles of exported workbooks, bulletins and bank files."""

from __future__ import annotations

ENTRIES: dict[str, tuple[str, str]] = {}
