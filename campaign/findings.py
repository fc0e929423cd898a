"""The registry of finding codes (severity, column kind, label) and the ``Finding`` record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from campaign.i18n import t

Severity = Literal["error", "warning"]
ColumnKind = Literal["id", "phone", "name", "unit", "row", "cell"]


@dataclass(frozen=True, slots=True)
class Code:
    """One kind of finding: its stable code, default severity and the column it concerns."""

    code: str
    severity: Severity
    column: ColumnKind

    @property
    def key(self) -> str:
        """The label key of its message."""
        return f"finding.{self.code}"

    @property
    def fix_key(self) -> str:
        """The label key of how to fix it."""
        return f"fix.{self.code}"


_ERRORS: Final = {
    "id_missing": "id",
    "id_length": "id",
    "id_chars": "id",
    "id_region": "id",
    "id_birth_date": "id",
    "id_too_young": "id",
    "id_check_digit": "id",
    "id_15_digit": "id",
    "id_excel_number": "id",
    "id_duplicate_sheet": "id",
    "id_duplicate_unit": "id",
    "id_duplicate_campaign": "id",
    "phone_missing": "phone",
    "phone_format": "phone",
    "phone_unallocated": "phone",
    "name_missing": "name",
    "name_digits": "name",
    "name_spaces": "name",
    "name_chars": "name",
    "age_retired": "id",
    "card_unit_mismatch": "unit",
    "cell_formula": "cell",
    "cell_error_value": "cell",
    "list_empty": "row",
}
_WARNINGS: Final = {
    "id_county_unknown": "id",
    "id_normalised": "id",
    "phone_duplicate": "phone",
    "phone_normalised": "phone",
    "name_normalised": "name",
    "age_check_cadre": "id",
    "row_hidden": "row",
    "cell_merged": "cell",
}

CODES: Final[dict[str, Code]] = {
    **{c: Code(c, "error", k) for c, k in _ERRORS.items()},  # type: ignore[arg-type]
    **{c: Code(c, "warning", k) for c, k in _WARNINGS.items()},  # type: ignore[arg-type]
}
SHARED_PHONE_SEVERITIES: Final = ("warning", "error")


@dataclass(slots=True)
class Finding:
    """One problem with one cell (or row) of a sheet, as the ``issue`` table stores it.

    ``row`` is the row number the spreadsheet shows (a CSV's line number); ``column`` the
    header text as written in the sheet; ``message`` and ``suggestion`` are Chinese; ``fields``
    keeps what is needed to render them in another language.
    """

    row: int | None
    column: str | None
    code: str
    severity: Severity
    message: str
    suggestion: str | None = None
    value_shown: str | None = None
    sheet: str = ""
    col_index: int | None = None
    fields: dict[str, object] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        """The message in a language."""
        return t(CODES[self.code].key, lang, **self.fields)

    def fix(self, lang: str = "zh") -> str:
        """How to fix it, in a language (a concrete suggestion included when there is one)."""
        return t(CODES[self.code].fix_key, lang, **self.fields)


def make(
    code: str,
    row: int | None,
    column: str | None,
    *,
    value: object = None,
    sheet: str = "",
    col_index: int | None = None,
    severity: Severity | None = None,
    suggestion: str | None = None,
    **fields: object,
) -> Finding:
    """Build a finding of a registered code, filling its Chinese message.

    >>> f = make("id_length", 3, "身份证号", value="1234", length=4)
    >>> f.severity, f.message
    ('error', '身份证号码应为18位，实为4位')
    """
    spec = CODES[code]
    shown = None if value is None else str(value)
    fields = {"value": shown or "", "suggestion": suggestion or "", **fields}
    return Finding(
        row=row,
        column=column,
        code=code,
        severity=severity or spec.severity,
        message=t(spec.key, "zh", **fields),
        suggestion=t(spec.fix_key, "zh", **fields),
        value_shown=shown,
        sheet=sheet,
        col_index=col_index,
        fields=fields,
    )
