"""The progress workbook (推进情况报表): a cover with the headline figures and one sheet per table,
written with xlsxwriter from DataFrames; no SQL, no Streamlit.

Every text cell goes through ``write_string`` after ``neutralise_cell`` (no formula can be
smuggled in by a unit or member name); personal data arrives already masked per role.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import pandas as pd
import xlsxwriter

from campaign.i18n import has, t
from campaign.masking import neutralise_cell
from campaign.reports.markup import _COLUMN_LETTERS, _inline, _splice
from campaign.stages import BANK_FAILURE_REASONS
from campaign.timeutil import utc_to_local

# Column kinds: text, int, pct (ratio 0..1), days (float, one decimal), datetime (naive UTC,
# shown in Asia/Shanghai), status (unit status code), open_status, reason (bank reason code).
Column = tuple[str, str, str]  # (frame column, label key, kind)

UNITS: Final[list[Column]] = [
    ("district_name", "dc.district", "text"), ("area_name", "dc.area", "text"), ("code", "dc.code", "text"),
    ("unit_name", "dc.unit", "text"), ("contact_name", "dc.contact", "text"), ("contact_phone", "dc.contact_phone", "text"),
    ("status", "dc.status", "status"), ("due_at", "dc.due_at", "datetime"), ("first_submitted_at", "dc.submitted_at", "datetime"),
    ("expected_members", "dc.expected", "int"), ("collected", "dc.collected", "int"), ("validated", "dc.validated", "int"),
    ("coverage", "dc.coverage", "pct"), ("open_errors", "dc.open_errors", "int"), ("produced", "dc.produced", "int"),
    ("delivered", "dc.delivered", "int"),
]
LATE: Final[list[Column]] = [
    ("district_name", "dc.district", "text"), ("area_name", "dc.area", "text"), ("unit_name", "dc.unit", "text"),
    ("liaison_name", "dc.liaison", "text"), ("liaison_phone", "dc.liaison_phone", "text"),
    ("contact_name", "dc.contact", "text"), ("contact_phone", "dc.contact_phone", "text"),
    ("status", "dc.status", "status"), ("due_at", "dc.due_at", "datetime"), ("days_overdue", "dc.days_overdue", "days"),
]
ERRORS: Final[list[Column]] = [
    ("code", "dc.error_code", "text"), ("error_name", "dc.error_name", "text"), ("severity", "dc.severity", "severity"),
    ("findings", "dc.findings", "int"), ("units", "dc.error_units", "int"),
]
BANK: Final[list[Column]] = [
    ("district_name", "dc.district", "text"), ("area_name", "dc.area", "text"), ("org_name", "dc.unit", "text"),
    ("results", "dc.results", "int"), ("people", "dc.people", "int"), ("produced", "dc.produced", "int"), ("failed", "dc.failed", "int"),
    ("success_rate", "dc.success_rate", "pct"), ("failure_rate", "dc.failure_rate", "pct"),
]
BATCHES: Final[list[Column]] = [
    ("reference", "dc.batch", "text"), ("district_name", "dc.district", "text"), ("branch", "dc.branch", "text"),
    ("sent_at", "dc.sent_at", "datetime"), ("member_count", "dc.batch_members", "int"), ("results", "dc.results", "int"), ("people", "dc.people", "int"),
    ("produced", "dc.produced", "int"), ("failed", "dc.failed", "int"), ("success_rate", "dc.success_rate", "pct"),
]
FAILURES: Final[list[Column]] = [
    ("district_name", "dc.district", "text"), ("area_name", "dc.area", "text"), ("unit_name", "dc.unit", "text"),
    ("name", "dc.name", "text"), ("id_number", "dc.id_number", "text"), ("phone", "dc.phone", "text"),
    ("reason_code", "dc.reason", "reason"), ("failures", "dc.failures", "int"), ("first_failed_at", "dc.first_failed", "datetime"),
    ("status", "dc.status", "open_status"), ("days_open", "dc.days_open", "days"),
    ("contact_name", "dc.contact", "text"), ("contact_phone", "dc.contact_phone", "text"),
]
DISTRIBUTION: Final[list[Column]] = [
    ("district_name", "dc.district", "text"), ("area_name", "dc.area", "text"), ("unit_name", "dc.unit", "text"),
    ("produced", "dc.produced", "int"), ("received", "dc.received", "int"), ("distributed", "dc.distributed", "int"),
    ("delivered", "dc.delivered", "int"), ("activated", "dc.activated", "int"), ("waiting_at_district", "dc.waiting", "int"),
    ("distribution_rate", "dc.distribution_rate", "pct"),
]
# The cover: the units first, split into their statuses (the parts add up to the whole), then
# the rates with their own denominators.
STATUS_FIGURES: Final = tuple(f"status_{s}" for s in ("not_started", "errors", "clean", "submitted", "returned", "approved"))
FIGURES: Final[tuple[tuple[str, str], ...]] = (
    ("units_expected", "int"), *((key, "int") for key in STATUS_FIGURES),
    ("units_submitted", "int"), ("submission_rate", "pct"),
    ("units_due", "int"), ("units_on_time", "int"), ("on_time_rate", "pct"), ("units_not_due", "int"),
    ("late_units", "int"), ("units_at_risk", "int"), ("members_expected", "int"), ("members_validated", "int"), ("coverage", "pct"),
    ("open_errors", "int"), ("results_received", "int"), ("produced", "int"), ("bank_success_rate", "pct"),
    ("failures_open", "int"), ("recovery_rate", "pct"), ("delivered", "int"), ("distribution_rate", "pct"),
    ("waiting_at_district", "int"),
)
RATE_GREEN, RATE_AMBER = 0.9, 0.7
MAX_WIDTH = 40


@dataclass(frozen=True)
class ProgressReport:
    """Everything the workbook shows, already scoped and masked."""

    campaign_name: str
    scope_label: str
    as_of: date
    taken_at: datetime  # naive UTC
    exported_by: str
    masked: bool
    figures: dict[str, float | int | None]
    units: pd.DataFrame
    late_units: pd.DataFrame
    validation_errors: pd.DataFrame
    bank_units: pd.DataFrame
    batches: pd.DataFrame
    open_failures: pd.DataFrame
    distribution: pd.DataFrame
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def row_count(self) -> int:
        """Data rows over all table sheets (for the audit log)."""
        return sum(len(f) for f in (self.units, self.late_units, self.validation_errors, self.bank_units,
                                    self.batches, self.open_failures, self.distribution))


class Formats:
    """The workbook's cell formats, made once."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "等线", "font_size": 10, "valign": "vcenter"}
        self.title = book.add_format({**base, "bold": True, "font_size": 14})
        self.subtitle = book.add_format({**base, "font_color": "#555555"})
        self.header = book.add_format({**base, "bold": True, "bg_color": "#c0392b", "font_color": "#ffffff",
                                       "border": 1, "text_wrap": True, "align": "center"})
        self.text = book.add_format({**base, "border": 1, "border_color": "#d0d0d0"})
        self.int = book.add_format({**base, "border": 1, "border_color": "#d0d0d0", "num_format": "#,##0"})
        self.pct = book.add_format({**base, "border": 1, "border_color": "#d0d0d0", "num_format": "0.0%"})
        self.days = book.add_format({**base, "border": 1, "border_color": "#d0d0d0", "num_format": "0.0"})
        self.datetime = book.add_format({**base, "border": 1, "border_color": "#d0d0d0", "num_format": "yyyy-mm-dd hh:mm"})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.label = book.add_format({**base, "bold": True, "border": 1, "border_color": "#d0d0d0", "bg_color": "#f6f6f6"})
        self.red = book.add_format({"bg_color": "#f8d7da", "font_color": "#9c0006"})
        self.amber = book.add_format({"bg_color": "#fff3cd", "font_color": "#7a5a00"})
        self.green = book.add_format({"bg_color": "#d4edda", "font_color": "#155724"})


def new_workbook() -> tuple[io.BytesIO, xlsxwriter.Workbook, Formats]:
    """An in-memory workbook that never turns strings into formulas, numbers or links."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False,
    })
    return buffer, book, Formats(book)


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet (CJK characters count double).

    >>> display_width("ab"), display_width("会员")
    (2, 4)
    """
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def cell_text(value: object, kind: str, lang: str) -> str:
    """A text-kind value as shown (status and reason codes translated)."""
    if _missing(value):
        return ""
    text = str(value)
    if kind == "status":
        # the same status names as the pages (one catalogue entry per status)
        return t(f"progress.status.{text}", lang) if has(f"progress.status.{text}") else text
    if kind == "open_status":
        return t(f"bk.status_{text}", lang) if has(f"bk.status_{text}") else text
    if kind == "severity":
        return {"error": ("错误", "Error"), "warning": ("警告", "Warning")}.get(text, (text, text))[lang == "en"]
    if kind == "reason":
        pair = BANK_FAILURE_REASONS.get(text)
        return pair[lang == "en"] if pair else t("bk.reason_unknown", lang)
    return text


def print_setup(sheet: object, title: str, subtitle: str, lang: str, repeat_row: int | None = None) -> None:
    """Make a sheet print well: A4 landscape, fit to the page width, the header row repeated on
    every page, the title with scope and as-of date in the page header, page numbers below."""
    def header_text(text: str) -> str:
        return str(neutralise_cell(text)).replace("&", "&&")[:100]

    sheet.set_landscape()  # type: ignore[attr-defined]
    sheet.set_paper(9)  # type: ignore[attr-defined]  # A4
    sheet.fit_to_pages(1, 0)  # type: ignore[attr-defined]  # one page wide, as many tall as needed
    sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)  # type: ignore[attr-defined]
    if repeat_row is not None:
        sheet.repeat_rows(repeat_row)  # type: ignore[attr-defined]
    sheet.set_header(f"&L{header_text(title)}&R{header_text(subtitle)}")  # type: ignore[attr-defined]
    sheet.set_footer("&C" + t("rpt.print_footer", lang).replace("{page}", "&P").replace("{pages}", "&N"))  # type: ignore[attr-defined]


def write_table(book: xlsxwriter.Workbook, fmt: Formats, sheet_name: str, title: str, subtitle: str,
                frame: pd.DataFrame, columns: list[Column], lang: str, bodies: dict[str, tuple[str, str]]) -> int:
    """One sheet: title, subtitle, a frozen header row with an autofilter, typed cells, widths and
    traffic-light colours on rate columns. Returns the number of data rows written.

    xlsxwriter sets the sheet up (widths, panes, filter, print setup, colours); the cells are
    written as sheet XML column by column into ``bodies`` (part name -> XML, dimension) and
    spliced in by ``finish`` (xlsxwriter's per-cell calls took 12 of 17 s for a city's 50,000
    rows)."""
    sheet = book.add_worksheet(sheet_name[:31])
    part = f"xl/worksheets/sheet{len(book.worksheets())}.xml"
    header_row = 2
    n = len(frame)
    style = {name: getattr(fmt, name)._get_xf_index() for name in ("title", "subtitle", "header", "text", "int", "pct", "days", "datetime")}
    labels = [t(key, lang) for _, key, _ in columns]
    widths = [display_width(label) + 2 for label in labels]
    cells: list[list[str]] = []  # per column, per data row
    for col, (name, _key, kind) in enumerate(columns):
        letter = _COLUMN_LETTERS[col]
        refs = [f"{letter}{r}" for r in range(header_row + 2, header_row + 2 + n)]
        values = frame[name].tolist() if name in frame.columns else [None] * n
        missing = [_missing(v) for v in values]
        if kind in ("int", "pct", "days"):
            s = style[kind]
            numbers = [None if m else float(v) for v, m in zip(values, missing, strict=True)]  # type: ignore[arg-type]
            cells.append([
                f'<c r="{ref}" s="{style["text"]}"/>' if x is None else f'<c r="{ref}" s="{s}"><v>{x:.16G}</v></c>'
                for ref, x in zip(refs, numbers, strict=True)
            ])
            present = [x for x in numbers if x is not None]
            if present:
                shown = "{:,.0f}" if kind == "int" else "{:.1%}" if kind == "pct" else "{:.1f}"
                widths[col] = max(widths[col], *(display_width(shown.format(x)) + 2 for x in (min(present), max(present))))
        elif kind == "datetime":
            s = style["datetime"]
            column_cells = []
            for ref, value, m in zip(refs, values, missing, strict=True):
                if m:
                    column_cells.append(f'<c r="{ref}" s="{style["text"]}"/>')
                    continue
                local = utc_to_local(pd.Timestamp(value).to_pydatetime())  # type: ignore[arg-type]
                column_cells.append(f'<c r="{ref}" s="{s}"><v>{excel_datetime(local):.16G}</v></c>')
            cells.append(column_cells)
            if not all(missing):
                widths[col] = max(widths[col], display_width("yyyy-mm-dd hh:mm") + 2)
        else:
            texts = [str(neutralise_cell(cell_text(v, kind, lang))) for v in values]
            cells.append([_inline(ref, text, f' s="{style["text"]}"') for ref, text in zip(refs, texts, strict=True)])
            if texts:
                widths[col] = max(widths[col], max(display_width(text) for text in set(texts)) + 2)
    title_cell = _inline("A1", str(neutralise_cell(title)), f' s="{style["title"]}"')
    subtitle_cell = _inline("A2", str(neutralise_cell(subtitle)), f' s="{style["subtitle"]}"')
    rows = [
        f'<row r="1">{title_cell}</row>',
        f'<row r="2">{subtitle_cell}</row>',
        '<row r="3">' + "".join(
            _inline(f"{_COLUMN_LETTERS[col]}3", label, f' s="{style["header"]}"') for col, label in enumerate(labels)
        ) + "</row>",
    ]
    rows.extend(f'<row r="{header_row + 2 + k}">{"".join(row)}</row>' for k, row in enumerate(zip(*cells, strict=True)))
    last_col = _COLUMN_LETTERS[max(len(columns), 1) - 1]
    bodies[part] = ("<sheetData>" + "".join(rows) + "</sheetData>", f"A1:{last_col}{header_row + 1 + n}")
    last_row = header_row + max(n, 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(width, MAX_WIDTH))
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, last_row, len(columns) - 1)
    print_setup(sheet, title, subtitle, lang, repeat_row=header_row)
    if n:
        for col, (_, key, kind) in enumerate(columns):
            if kind == "pct" and "failure" not in key:
                rng = (header_row + 1, col, header_row + n, col)
                sheet.conditional_format(*rng, {"type": "cell", "criteria": ">=", "value": RATE_GREEN, "format": fmt.green})
                sheet.conditional_format(*rng, {"type": "cell", "criteria": "between", "minimum": RATE_AMBER,
                                                "maximum": RATE_GREEN - 1e-9, "format": fmt.amber})
                sheet.conditional_format(*rng, {"type": "cell", "criteria": "<", "value": RATE_AMBER, "format": fmt.red})
            elif kind == "days":
                rng = (header_row + 1, col, header_row + n, col)
                sheet.conditional_format(*rng, {"type": "cell", "criteria": ">", "value": 7, "format": fmt.red})
    return n


def excel_datetime(value: datetime) -> float:
    """A (modern) datetime as Excel's serial number, computed exactly as xlsxwriter's
    ``write_datetime`` does (so the cells equal what it wrote, to the microsecond).

    >>> excel_datetime(datetime(2026, 11, 20, 10, 0))
    46346.416666666664
    """
    delta = value - datetime(1899, 12, 31)
    return delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / 86400 + 1  # Excel's 1900 leap day


def finish(buffer: io.BytesIO, book: xlsxwriter.Workbook, bodies: dict[str, tuple[str, str]]) -> bytes:
    """Close the workbook and splice the tables' cells (``write_table``) into it."""
    book.close()
    return _splice(buffer.getvalue(), bodies) if bodies else buffer.getvalue()


def _figure_text(value: float | int | None, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.1f}%" if kind == "pct" else f"{value:,.0f}"


def write_cover(book: xlsxwriter.Workbook, fmt: Formats, report: ProgressReport, lang: str, title_key: str = "rpt.cover_title") -> None:
    """The cover: what the workbook holds, for whom, as of when, and the headline figures."""
    sheet = book.add_worksheet(t("rpt.sheet_cover", lang))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 40)
    sheet.write_string(0, 0, t(title_key, lang), fmt.title)
    rows = [
        ("rpt.cover_campaign", report.campaign_name),
        ("rpt.cover_scope", report.scope_label),
        ("rpt.cover_as_of", report.as_of.isoformat()),
        ("rpt.cover_taken", utc_to_local(report.taken_at).strftime("%Y-%m-%d %H:%M")),
        ("rpt.cover_by", report.exported_by),
    ]
    r = 2
    for key, value in rows:
        sheet.write_string(r, 0, t(key, lang), fmt.label)
        sheet.write_string(r, 1, str(neutralise_cell(value)), fmt.text)
        r += 1
    sheet.write_string(r, 0, t("rpt.cover_masked" if report.masked else "rpt.cover_unmasked", lang), fmt.subtitle)
    r += 2
    sheet.write_string(r, 0, t("rpt.cover_figures", lang), fmt.title)
    r += 1
    sheet.write_string(r, 0, t("dc.figure", lang), fmt.header)
    sheet.write_string(r, 1, t("dc.value", lang), fmt.header)
    for key, kind in FIGURES:
        if key not in report.figures:
            continue
        r += 1
        value = report.figures[key]
        sheet.write_string(r, 0, t(f"fig.{key}", lang), fmt.label)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            sheet.write_string(r, 1, "—", fmt.text)
        else:
            sheet.write_number(r, 1, float(value), fmt.pct if kind == "pct" else fmt.int)
    sheet.freeze_panes(1, 0)
    print_setup(sheet, t(title_key, lang), f"{report.scope_label} · {report.as_of.isoformat()}", lang)
    sheet.set_portrait()
    sheet.activate()


def build_progress_workbook(report: ProgressReport, lang: str = "zh") -> bytes:
    """The whole workbook as bytes."""
    buffer, book, fmt = new_workbook()
    bodies: dict[str, tuple[str, str]] = {}
    write_cover(book, fmt, report, lang)
    subtitle = f"{report.campaign_name} · {report.scope_label} · {t('rpt.cover_as_of', lang)} {report.as_of.isoformat()}"
    for sheet_key, frame, columns in (
        ("rpt.sheet_units", report.units, UNITS),
        ("rpt.sheet_late", report.late_units, LATE),
        ("rpt.sheet_errors", report.validation_errors, ERRORS),
        ("rpt.sheet_bank", report.bank_units, BANK),
        ("rpt.sheet_batches", report.batches, BATCHES),
        ("rpt.sheet_failures", report.open_failures, FAILURES),
        ("rpt.sheet_distribution", report.distribution, DISTRIBUTION),
    ):
        name = t(sheet_key, lang)
        write_table(book, fmt, name, name, subtitle, frame, columns, lang, bodies)
    return finish(buffer, book, bodies)


def csv_bytes(frame: pd.DataFrame, columns: list[Column], lang: str = "zh") -> bytes:
    """A table as CSV in UTF-8 with a BOM (Excel opens it in Chinese), headers translated and
    text cells neutralised like the workbook's."""
    out: dict[str, list[object]] = {}
    for name, key, kind in columns:
        values = frame[name].tolist() if name in frame.columns else [None] * len(frame)
        if kind in ("int", "pct", "days"):
            out[t(key, lang)] = ["" if _missing(v) else (round(float(v), 4) if kind != "int" else int(v)) for v in values]  # type: ignore[arg-type]
        elif kind == "datetime":
            out[t(key, lang)] = ["" if _missing(v) else utc_to_local(pd.Timestamp(v).to_pydatetime()).strftime("%Y-%m-%d %H:%M") for v in values]  # type: ignore[arg-type]
        else:
            out[t(key, lang)] = [neutralise_cell(cell_text(v, kind, lang)) for v in values]
    return pd.DataFrame(out).to_csv(index=False).encode("utf-8-sig")
