"""Errors of the data layer that a user should read (Chinese first), not a stack trace."""

from __future__ import annotations

from campaign.i18n import t


class DatabaseBusy(RuntimeError):
    """A write waited longer than the busy timeout for another writer; nothing was written."""

    key = "db.busy"

    def __init__(self) -> None:
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        """The advice in one line, in the given language."""
        return t(self.key, lang)

    def bilingual(self) -> str:
        """Chinese and English on one line (for stderr)."""
        return f"{self.message('zh')} / {self.message('en')}"
