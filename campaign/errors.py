"""Why an uploaded file was rejected: an ``IngestError(ValueError)`` hierarchy, Chinese first."""

from __future__ import annotations

from campaign.i18n import t


class IngestError(ValueError):
    """A file that cannot be read as a member sheet; ``str()`` is the Chinese message."""

    key = "ingest.unreadable"

    def __init__(self, detail: str = "", **fields: object) -> None:
        self.fields: dict[str, object] = {"detail": detail, **fields}
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        """The reason in one line, in the given language."""
        return t(self.key, lang, **self.fields)

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle as class and fields (an error travels back from a reading worker)."""
        return (_rebuild, (type(self), self.fields))

    def bilingual(self) -> str:
        """The reason in Chinese and English on one line (for stderr)."""
        return f"{self.message('zh')} / {self.message('en')}"


def _rebuild(cls: type[IngestError], fields: dict[str, object]) -> IngestError:
    return cls(**fields)  # type: ignore[arg-type]


class EmptyFile(IngestError):
    """The file has no bytes."""

    key = "ingest.empty_file"


class FileTooLarge(IngestError):
    """The file is bigger than an upload may be."""

    key = "ingest.file_too_large"


class NotASpreadsheet(IngestError):
    """Neither .xlsx, .xls nor text CSV."""

    key = "ingest.not_a_spreadsheet"


class EncryptedWorkbook(IngestError):
    """A password-protected workbook."""

    key = "ingest.encrypted"


class UnsafeArchive(IngestError):
    """A zip that would expand far beyond what a member sheet needs (a zip bomb)."""

    key = "ingest.unsafe_archive"


class UnsafeXml(IngestError):
    """XML with a DOCTYPE or entity declarations (entity-expansion attack)."""

    key = "ingest.unsafe_xml"


class UnknownEncoding(IngestError):
    """A CSV in none of UTF-8, UTF-8 with BOM, GBK, GB18030."""

    key = "ingest.unknown_encoding"


class TooManyRows(IngestError):
    """More data rows than the cap."""

    key = "ingest.too_many_rows"


class TooManyColumns(IngestError):
    """More columns than any member sheet has."""

    key = "ingest.too_many_columns"


class SheetTooLarge(IngestError):
    """A sheet whose extent (rows × columns, empty cells included) is beyond the cap."""

    key = "ingest.sheet_too_large"


class ReaderCrashed(IngestError):
    """The reading worker died (out of memory, a parser abort) on this file."""

    key = "ingest.reader_crashed"


class ReaderTimeout(IngestError):
    """The reading worker ran out of time on this file."""

    key = "ingest.reader_timeout"


class NoHeader(IngestError):
    """No row looks like the header of a member sheet."""

    key = "ingest.no_header"


class MissingColumns(IngestError):
    """A header row was found but required columns are absent."""

    key = "ingest.missing_columns"


class CorruptWorkbook(IngestError):
    """The reader failed on the file's content."""

    key = "ingest.corrupt"


class ActionRefused(ValueError):
    """A write the app refused before changing anything; ``str()`` is the Chinese message."""

    key = "action.refused"

    def __init__(self, **fields: object) -> None:
        self.fields: dict[str, object] = dict(fields)
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        """The reason in one line, in the given language."""
        return t(self.key, lang, **self.fields)


class RemovalNeedsConfirmation(ActionRefused):
    """Storing this list would drop more than a few of the unit's current members."""

    key = "action.removal_needs_confirmation"
