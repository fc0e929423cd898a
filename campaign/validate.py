"""Sheet → every finding: all rules over whole columns at once, collected, never stopping early.

``validate_workbook(workbook, config)`` runs the ID, phone, name, eligibility and duplicate rules
and the cell checks (formulas, error values, hidden rows, merged cells) over every member sheet
of a file; ``validate_bytes`` reads the file first. The result holds the findings, the members
as a DataFrame and a summary.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from campaign import findings as registry
from campaign.findings import Finding, Severity, make
from campaign.i18n import t
from campaign.rules import duplicates, eligibility, id_number, name, phone
from campaign.sheets import Limits, Workbook, read_workbook
from campaign.sheets.header import MemberSheet, clean_text


@dataclass(frozen=True, slots=True)
class Config:
    """What a validation run needs to know beyond the sheet itself."""

    as_of: date
    retirement_rules: str = "2014"
    shared_phone_severity: Severity = "warning"
    expected_unit_name: str | None = None
    known_ids: Mapping[str, str] | None = None
    unit_ids: Mapping[str, str] | None = None
    # Given the sheet's own ID hashes, where each is already registered: (within the unit,
    # elsewhere in the campaign). Asked once per file, for those hashes only.
    lookup_ids: Callable[[Sequence[str]], tuple[Mapping[str, str], Mapping[str, str]]] | None = None


@dataclass(slots=True)
class Result:
    """Findings, members (one row per data row, in sheet order) and a summary of one file."""

    workbook: Workbook
    config: Config
    findings: list[Finding]
    members: pd.DataFrame
    row_codes: dict[int, tuple[list[str], list[str]]] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        """Number of findings of severity error."""
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warning_count(self) -> int:
        """Number of findings of severity warning."""
        return len(self.findings) - self.error_count

    @property
    def is_clean(self) -> bool:
        """No errors (warnings allowed)."""
        return self.error_count == 0

    def clean_members(self) -> pd.DataFrame:
        """Members of rows without errors."""
        return self.members[self.members["errors"] == 0]

    def summary(self) -> dict[str, Any]:
        """Counts for people and for the --json summary."""
        codes = Counter(f.code for f in self.findings)
        rows = len(self.members)
        bad = int((self.members["errors"] > 0).sum()) if rows else 0
        return {
            "file": self.workbook.file_name,
            "format": self.workbook.format,
            "sheets": [s.name for s in self.workbook.sheets],
            "unit_name": next((s.unit_name for s in self.workbook.sheets if s.unit_name), None),
            "as_of": self.config.as_of.isoformat(),
            "retirement_rules": self.config.retirement_rules,
            "rows": rows,
            "rows_with_errors": bad,
            "clean_rows": rows - bad,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "by_code": dict(sorted(codes.items())),
        }

    def rows_json(self) -> list[dict[str, Any]]:
        """One entry per data row: its row number, error codes and warning codes."""
        multi = len(self.workbook.sheets) > 1
        out = []
        sheets, rows = self.members["sheet"].tolist(), self.members["row"].tolist()
        none: tuple[list[str], list[str]] = ([], [])
        for i, (sheet, row) in enumerate(zip(sheets, rows, strict=True)):
            errors, warnings = self.row_codes.get(i, none)
            entry: dict[str, Any] = {"row": row, "errors": errors, "warnings": warnings}
            if multi:
                entry["sheet"] = sheet
            out.append(entry)
        return out


class _Collector:
    """Builds findings for one file; knows each data row's sheet, row number and columns."""

    def __init__(self, sheets: list[MemberSheet]) -> None:
        self.findings: list[Finding] = []
        self.sheet_of: list[int] = []
        self.row_of: list[int] = []
        for k, sheet in enumerate(sheets):
            self.sheet_of.extend([k] * len(sheet.data_rows))
            self.row_of.extend(sheet.data_rows)
        self.sheets = sheets

    def at(self, i: int, kind: str, code: str, value: object = None, **fields: Any) -> None:
        sheet = self.sheets[self.sheet_of[i]]
        col = sheet.columns.get(kind)
        self.findings.append(
            make(
                code,
                self.row_of[i],
                sheet.headers.get(col) if col is not None else None,
                value=value,
                sheet=sheet.name,
                col_index=col,
                **fields,
            )
        )


def _shown(value: object) -> str:
    if isinstance(value, float):
        return format(value, ".15G")
    return "" if value is None else str(value)


def validate_workbook(workbook: Workbook, config: Config) -> Result:
    """Run every rule over every member sheet of a file."""
    sheets = workbook.sheets
    out = _Collector(sheets)
    n = len(out.row_of)
    ids_raw: list[object] = []
    phones_raw: list[object] = []
    names_raw: list[object] = []
    depts: list[object] = []
    quirk_cells: set[tuple[int, int, int]] = set()
    for k, sheet in enumerate(sheets):
        ids_raw += sheet.values("id")
        phones_raw += sheet.values("phone")
        names_raw += sheet.values("name")
        depts += sheet.values("dept")
        quirk_cells |= {(k, r, c) for r, c in sheet.raw.formulas}
        quirk_cells |= {(k, r, c) for r, c in sheet.raw.errors}

    def quirky(i: int, kind: str) -> bool:
        col = sheets[out.sheet_of[i]].columns.get(kind)
        return (out.sheet_of[i], out.row_of[i], col) in quirk_cells if quirk_cells else False

    # --- ID numbers -------------------------------------------------------------------
    ids = id_number.check_many(ids_raw, config.as_of)
    id_ok = np.ones(n, dtype=bool)
    for i, codes in enumerate(ids.codes):
        if not codes:
            continue
        id_ok[i] = False
        shown = _shown(ids_raw[i])
        for code in codes:
            if code == "id_missing" and quirky(i, "id"):
                continue
            fields: dict[str, Any] = {}
            if code == "id_length":
                fields["length"] = len(ids.compacted[i])
            elif code == "id_region":
                fields["province"] = ids.compacted[i][:2]
            elif code == "id_birth_date":
                fields.update(birth=ids.compacted[i][6:14], as_of=config.as_of.isoformat())
            elif code == "id_check_digit":
                fields.update(expected=ids.expected_check[i], actual=ids.compacted[i][17])
            elif code == "id_too_young":
                fields.update(age=int(ids.age[i]), as_of=config.as_of.isoformat())
            elif code == "id_15_digit":
                with contextlib.suppress(id_number.InvalidIdNumber):
                    fields["suggestion"] = id_number.to_18(ids.compacted[i])
            out.at(i, "id", code, shown, **fields)
    for i in np.flatnonzero(ids.normalised):
        out.at(
            int(i),
            "id",
            "id_normalised",
            _shown(ids_raw[i]),
            suggestion=ids.compacted[i],
        )
    for i in np.flatnonzero(ids.county_unknown & id_ok):
        out.at(
            int(i),
            "id",
            "id_county_unknown",
            ids.compacted[i],
            county=ids.compacted[i][:6],
        )

    # --- eligibility --------------------------------------------------------------------
    birth = np.where(id_ok, ids.birth, np.datetime64("NaT"))
    verdicts = eligibility.check_many(birth, ids.sex, config.as_of, config.retirement_rules)
    for i, code in enumerate(verdicts):
        if code:
            born = birth[i].astype("datetime64[D]").item()
            category = "cadre" if code == "age_retired" and ids.sex[i] == "F" else "worker"
            rule = eligibility.rule_label(config.retirement_rules, str(ids.sex[i]), category, born)
            out.at(
                i,
                "id",
                code,
                ids.compacted[i],
                as_of=config.as_of.isoformat(),
                rule=rule,
            )

    # --- duplicates of ID numbers --------------------------------------------------------
    valid_keys = [ids.compacted[i] if id_ok[i] else "" for i in range(n)]
    for key, positions in duplicates.repeated(valid_keys).items():
        for i in positions:
            same_sheet = [out.row_of[j] for j in positions if out.sheet_of[j] == out.sheet_of[i]]
            if len(same_sheet) > 1:
                out.at(
                    i,
                    "id",
                    "id_duplicate_sheet",
                    key,
                    other_rows=duplicates.others(same_sheet, out.row_of[i]),
                )
            elsewhere = [
                t(
                    "where.other_sheet",
                    sheet=sheets[out.sheet_of[j]].name,
                    row=out.row_of[j],
                )
                for j in positions
                if out.sheet_of[j] != out.sheet_of[i]
            ]
            if elsewhere:
                out.at(i, "id", "id_duplicate_unit", key, where="；".join(elsewhere[:5]))
    unit_ids, known_ids = config.unit_ids, config.known_ids
    if config.lookup_ids is not None and id_ok.any():
        digests = sorted({id_number.id_hash(ids.compacted[i]) for i in np.flatnonzero(id_ok)})
        found_unit, found_known = config.lookup_ids(digests)
        unit_ids = {**(unit_ids or {}), **found_unit}
        known_ids = {**(known_ids or {}), **found_known}
    if known_ids or unit_ids:
        for i in np.flatnonzero(id_ok):
            number = ids.compacted[i]
            digest = id_number.id_hash(number)
            where = duplicates.lookup(unit_ids, digest, number)
            if where is not None:
                out.at(int(i), "id", "id_duplicate_unit", number, where=where)
            where = duplicates.lookup(known_ids, digest, number)
            if where is not None:
                out.at(int(i), "id", "id_duplicate_campaign", number, where=where)

    # --- phones --------------------------------------------------------------------------
    phones = phone.check_many(phones_raw)
    for i, code in enumerate(phones.codes):
        if code and not (code == "phone_missing" and quirky(i, "phone")):
            prefix = phones.compacted[i][:3] if code == "phone_unallocated" else ""
            out.at(i, "phone", code, _shown(phones_raw[i]), prefix=prefix)
        if phones.normalised[i] and code != "phone_format":
            out.at(
                i,
                "phone",
                "phone_normalised",
                _shown(phones_raw[i]),
                suggestion=phones.compacted[i],
            )
    good_phones = [p if not c else "" for p, c in zip(phones.compacted, phones.codes, strict=True)]
    severity = config.shared_phone_severity
    for key, positions in duplicates.repeated(good_phones).items():
        for i in positions:
            rows = [out.row_of[j] for j in positions]
            sheet = out.sheets[out.sheet_of[i]]
            col = sheet.columns.get("phone")
            out.findings.append(
                make(
                    "phone_duplicate",
                    out.row_of[i],
                    sheet.headers.get(col) if col is not None else None,
                    value=key,
                    sheet=sheet.name,
                    col_index=col,
                    severity=severity,
                    other_rows=duplicates.others(rows, out.row_of[i]),
                )
            )

    # --- names ---------------------------------------------------------------------------
    names = name.check_many(names_raw)
    for i, code in enumerate(names.codes):
        if code and not (code == "name_missing" and quirky(i, "name")):
            fields = {"chars": names.bad_chars[i]}
            if code == "name_spaces":
                fields["suggestion"] = "".join(names.compacted[i].split())
            out.at(i, "name", code, _shown(names_raw[i]), **fields)
        if names.normalised[i] and not code:
            out.at(
                i,
                "name",
                "name_normalised",
                _shown(names_raw[i]),
                suggestion=names.compacted[i],
            )

    # --- card unit, cells, rows ------------------------------------------------------------
    expected = clean_text(config.expected_unit_name) if config.expected_unit_name else ""
    for sheet in sheets:
        if expected and sheet.unit_name and clean_text(sheet.unit_name) != expected:
            row, col = sheet.unit_cell or (None, None)
            out.findings.append(
                make(
                    "card_unit_mismatch",
                    row,
                    "办卡单位",
                    value=sheet.unit_name,
                    sheet=sheet.name,
                    col_index=col,
                    expected=config.expected_unit_name,
                )
            )
        unit_col = sheet.columns.get("unit")
        if expected and unit_col is not None:
            for row in sheet.data_rows:
                value = sheet.cell(row, unit_col)
                if clean_text(value) and clean_text(value) != expected:
                    out.findings.append(
                        make(
                            "card_unit_mismatch",
                            row,
                            sheet.headers.get(unit_col),
                            value=value,
                            sheet=sheet.name,
                            col_index=unit_col,
                            expected=config.expected_unit_name,
                        )
                    )
        _cell_findings(sheet, out.findings)
    if n == 0 and sheets:
        # A blank template is not a clean list: storing it would empty the unit.
        out.findings.append(make("list_empty", None, None, sheet=sheets[0].name))

    order = {sheet.name: k for k, sheet in enumerate(sheets)}
    out.findings.sort(
        key=lambda f: (
            order.get(f.sheet, -1),
            f.row or 0,
            -1 if f.col_index is None else f.col_index,
        )
    )
    return _result(workbook, config, out, ids, phones, names, depts)


def _cell_findings(sheet: MemberSheet, found: list[Finding]) -> None:
    first = sheet.header_row + 1
    last = sheet.data_rows[-1] if sheet.data_rows else sheet.header_row
    data = set(sheet.data_rows)

    def header(col: int) -> str:
        return sheet.headers.get(col) or _column_letter(col)

    for (row, col), text in sorted(sheet.raw.formulas.items()):
        if row in data:
            found.append(
                make(
                    "cell_formula",
                    row,
                    header(col),
                    value=text,
                    sheet=sheet.name,
                    col_index=col,
                )
            )
    for (row, col), text in sorted(sheet.raw.errors.items()):
        if row in data:
            found.append(
                make(
                    "cell_error_value",
                    row,
                    header(col),
                    value=text,
                    sheet=sheet.name,
                    col_index=col,
                )
            )
    for row in sorted(sheet.raw.hidden_rows & data):
        found.append(make("row_hidden", row, None, sheet=sheet.name))
    for r0, c0, r1, c1 in sheet.raw.merged:
        if r1 >= first and r0 <= last:
            ref = f"{_column_letter(c0)}{r0}:{_column_letter(c1)}{r1}"
            found.append(
                make(
                    "cell_merged",
                    r0,
                    header(c0),
                    value=ref,
                    sheet=sheet.name,
                    col_index=c0,
                )
            )


def _column_letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _result(
    workbook: Workbook,
    config: Config,
    out: _Collector,
    ids: id_number.IdVerdicts,
    phones: phone.PhoneVerdicts,
    names: name.NameVerdicts,
    depts: list[object],
) -> Result:
    n = len(out.row_of)
    index = {}
    for i in range(n):
        index[(out.sheet_of[i], out.row_of[i])] = i
    sheet_index = {sheet.name: k for k, sheet in enumerate(workbook.sheets)}
    row_codes: dict[int, tuple[list[str], list[str]]] = {}
    errors = np.zeros(n, dtype=np.int64)
    for finding in out.findings:
        i = index.get((sheet_index.get(finding.sheet, -1), finding.row or -1))
        if i is None:
            continue
        codes = row_codes.get(i)
        if codes is None:
            codes = row_codes[i] = ([], [])
        if finding.severity == "error":
            codes[0].append(finding.code)
            errors[i] += 1
        else:
            codes[1].append(finding.code)
    members = pd.DataFrame(
        {
            "sheet": [workbook.sheets[k].name for k in out.sheet_of],
            "row": out.row_of,
            "name": names.compacted,
            "id_number": ids.compacted,
            "phone": phones.compacted,
            "dept": [d.strip() if type(d) is str else clean_text(d) for d in depts],
            "sex": ids.sex.tolist(),
            "birth_date": ids.birth,
            "errors": errors,
        }
    )
    unit_names = {sheet.name: sheet.unit_name for sheet in workbook.sheets}
    members["card_unit"] = members["sheet"].map(unit_names)
    return Result(workbook, config, out.findings, members, row_codes)


def validate_bytes(data: bytes, file_name: str, config: Config, limits: Limits | None = None) -> Result:
    """Read a file and validate it; raises ``IngestError`` when the file cannot be read.

    The cyclic garbage collector is paused meanwhile: reading allocates hundreds of thousands
    of small containers and no cycles, and its repeated passes cost a third of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return validate_workbook(read_workbook(data, file_name, limits), config)
    finally:
        if enabled:
            gc.enable()


def severity_of(code: str) -> str:
    """The default severity of a finding code."""
    return registry.CODES[code].severity
