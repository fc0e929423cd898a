"""The ranked progress bulletin (进度通报): districts (or areas) and units ranked by progress, a
short generated paragraph, as a workbook and as printable HTML. Pure code over DataFrames."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd

from campaign.i18n import t
from campaign.numbers import pct
from campaign.reports.progress_workbook import Column, cell_text, finish, new_workbook, write_table

# Unit statuses in workflow order (data_access.metrics.UNIT_STATUSES), and from most to least
# advanced for the ranking.
UNIT_STATUSES: Final = ("not_started", "errors", "clean", "submitted", "returned", "approved")
STATUS_ORDER: Final = ("approved", "submitted", "returned", "clean", "errors", "not_started")

GROUP_COLUMNS: Final[list[Column]] = [
    ("rank", "dc.rank", "int"), ("org_name", "dc.org", "text"), ("units", "dc.units", "int"),
    ("units_submitted", "dc.units_submitted", "int"), ("submission_rate", "dc.submission_rate", "pct"),
    ("on_time_rate", "dc.on_time_rate", "pct"), ("late_units", "dc.late_units", "int"),
    ("validated", "dc.validated", "int"), ("coverage", "dc.coverage", "pct"),
]
UNIT_COLUMNS: Final[list[Column]] = [
    ("rank", "dc.rank", "int"), ("unit_name", "dc.unit", "text"), ("district_name", "dc.district", "text"),
    ("area_name", "dc.area", "text"), ("status", "dc.status", "status"), ("expected_members", "dc.expected", "int"),
    ("validated", "dc.validated", "int"), ("coverage", "dc.coverage", "pct"),
]


@dataclass(frozen=True)
class BulletinInput:
    """What the bulletin ranks and says: ``groups`` is a ``metrics.rollup`` frame at
    ``group_level`` (district or area), ``units`` a ``unit_progress`` frame."""

    campaign_name: str
    scope_label: str
    as_of: date
    group_level: str
    groups: pd.DataFrame
    units: pd.DataFrame
    figures: dict[str, float | int | None]


def _tied_ranks(keys: pd.DataFrame) -> list[int]:
    """Competition ranks ("1, 1, 3") of rows already sorted best first: equal keys share a rank."""
    rows = [tuple(row) for row in keys.itertuples(index=False)]
    ranks: list[int] = []
    for position, row in enumerate(rows):
        ranks.append(ranks[-1] if position and row == rows[position - 1] else position + 1)
    return ranks


def rank_groups(groups: pd.DataFrame) -> pd.DataFrame:
    """Groups ranked by submission rate; equal rates share a rank (并列), never broken
    silently. Within a rank they are listed by coverage, then name."""
    if groups.empty:
        return groups.assign(rank=pd.Series(dtype=int))
    ordered = groups.assign(_rate=groups["submission_rate"].fillna(-1).round(9), _cov=groups["coverage"].fillna(-1)).sort_values(
        ["_rate", "_cov", "org_name"], ascending=[False, False, True]
    ).reset_index(drop=True)
    ranks = _tied_ranks(ordered[["_rate"]])
    return ordered.drop(columns=["_rate", "_cov"]).assign(rank=ranks)


def rank_units(units: pd.DataFrame) -> pd.DataFrame:
    """Units by how far they have come (status), then coverage, then name."""
    if units.empty:
        return units.assign(rank=pd.Series(dtype=int), coverage=pd.Series(dtype=float))
    expected = units["expected_members"].where(units["expected_members"] > 0)
    frame = units.assign(
        coverage=units["validated"] / expected,
        _order=units["status"].map({s: k for k, s in enumerate(STATUS_ORDER)}).fillna(len(STATUS_ORDER)),
    )
    frame = frame.assign(_cov=frame["coverage"].fillna(-1).round(9)).sort_values(
        ["_order", "_cov", "unit_name"], ascending=[True, False, True]
    ).reset_index(drop=True)
    ranks = _tied_ranks(frame[["_order", "_cov"]])  # same status and coverage: same rank
    return frame.drop(columns=["_order", "_cov"]).assign(rank=ranks)


def status_parts(figures: dict[str, float | int | None], lang: str = "zh") -> str:
    """Units per status in workflow order ("未上传3家、…"), from the figures' ``status_*``
    entries (the same status names as the pages and the workbook); empty without them."""
    if not any(f"status_{s}" in figures for s in UNIT_STATUSES):
        return ""
    sep = "、" if lang == "zh" else ", "
    return sep.join(
        t("bul.status_part", lang, status=t(f"progress.status.{s}", lang), n=int(figures.get(f"status_{s}") or 0))
        for s in UNIT_STATUSES
    )


def paragraph(data: BulletinInput, lang: str = "zh") -> str:
    """The bulletin's text: where the scope stands, who leads, who trails, who is late."""
    f = data.figures
    when = t("rpt.date_fmt", lang, month=data.as_of.month, day=data.as_of.day)
    scope = data.scope_label if data.scope_label not in ("", t("filter.all", "zh"), t("filter.all", "en")) else t("rpt.scope_all", lang)
    parts = [t(
        "bul.lead", lang, date=when, scope=scope, units=f.get("units_expected", 0),
        submitted=f.get("units_submitted", 0), rate=pct(f.get("submission_rate")),
        validated=f"{f.get('members_validated', 0) or 0:,}", coverage=pct(f.get("coverage")),
    )]
    statuses = status_parts(f, lang)
    if statuses:
        parts.append(t("bul.statuses", lang, parts=statuses, units=f.get("units_expected", 0)))
    if f.get("units_due"):
        parts.append(t("bul.on_time", lang, due=f["units_due"], on_time=f.get("units_on_time", 0),
                       rate=pct(f.get("on_time_rate")), not_due=f.get("units_not_due", 0)))
    elif "units_due" in f and f.get("units_expected"):
        parts.append(t("bul.none_due", lang))
    ranked = rank_groups(data.groups)
    if len(ranked) >= 2 and ranked["rank"].nunique() >= 2:
        # Everyone sharing the first (last) rank is named: two districts at the same rate are
        # both the fastest (并列).
        best = ranked[ranked["rank"] == ranked["rank"].min()]
        worst = ranked[ranked["rank"] == ranked["rank"].max()]
        sep = "、" if lang == "zh" else ", "

        def names(rows: pd.DataFrame) -> str:
            joined = sep.join(str(name) for name in rows["org_name"])
            return t("rpt.tied", lang, names=joined) if len(rows) > 1 else joined

        parts.append(t("rpt.bulletin_best", lang, best=names(best), best_rate=pct(best["submission_rate"].iloc[0]),
                       worst=names(worst), worst_rate=pct(worst["submission_rate"].iloc[0])))
    elif len(ranked) >= 2:
        parts.append(t("rpt.bulletin_all_level", lang, rate=pct(ranked["submission_rate"].iloc[0])))
    late = int(f.get("late_units") or 0)
    level = t(f"level.{data.group_level}", lang)
    parts.append(t("bul.late", lang, late=late, level=level) if late else t("bul.no_late", lang))
    if f.get("status_returned"):
        parts.append(t("bul.returned", lang, n=f["status_returned"]))
    if f.get("results_received"):
        parts.append(t("rpt.bulletin_bank", lang, results=f"{f['results_received']:,}", produced=f"{f.get('produced') or 0:,}",
                       success=pct(f.get("bank_success_rate")), delivered=f"{f.get('delivered') or 0:,}"))
    return ("" if lang == "zh" else " ").join(parts)


def _subtitle(data: BulletinInput, lang: str) -> str:
    return f"{data.campaign_name} · {data.scope_label} · {t('rpt.cover_as_of', lang)} {data.as_of.isoformat()}"


def bulletin_workbook(data: BulletinInput, lang: str = "zh") -> bytes:
    """The bulletin as a workbook: the paragraph, then the two rankings."""
    buffer, book, fmt = new_workbook()
    bodies: dict[str, tuple[str, str]] = {}
    sheet = book.add_worksheet(t("rpt.sheet_bulletin", lang))
    sheet.set_column(0, 0, 100)
    sheet.write_string(0, 0, t("rpt.bulletin_title", lang), fmt.title)
    sheet.write_string(1, 0, _subtitle(data, lang), fmt.subtitle)
    sheet.write_string(3, 0, paragraph(data, lang), fmt.wrap)
    sheet.set_row(3, 90)
    level = t(f"level.{data.group_level}", lang)
    groups = rank_groups(data.groups)
    write_table(book, fmt, t("rpt.sheet_rank_groups", lang, level=level), t("rpt.bulletin_rank_groups", lang, level=level),
                _subtitle(data, lang), groups, GROUP_COLUMNS, lang, bodies)
    write_table(book, fmt, t("rpt.sheet_rank_units", lang), t("rpt.bulletin_rank_units", lang),
                _subtitle(data, lang), rank_units(data.units), UNIT_COLUMNS, lang, bodies)
    return finish(buffer, book, bodies)


def _html_table(frame: pd.DataFrame, columns: list[Column], lang: str) -> str:
    head = "".join(f"<th>{html.escape(t(key, lang))}</th>" for _, key, _ in columns)
    rows = []
    for record in frame.to_dict("records"):
        cells = []
        for name, _, kind in columns:
            value = record.get(name)
            if kind == "pct":
                cells.append(f'<td class="n">{pct(value)}</td>')  # type: ignore[arg-type]
            elif kind == "int":
                cells.append(f'<td class="n">{"" if value is None or pd.isna(value) else f"{int(value):,}"}</td>')  # type: ignore[call-overload,arg-type]
            else:
                cells.append(f"<td>{html.escape(cell_text(value, kind, lang))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


CSS: Final = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:60em;color:#222;padding:0 1em}
h1{font-size:1.5em;text-align:center;color:#c0392b}h2{font-size:1.15em;margin-top:1.5em}
.sub{text-align:center;color:#555}p.lead{font-size:1.05em;line-height:1.9;text-indent:2em}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:.3em .5em}
th{background:#f3e3e1}td.n{text-align:right}tr:nth-child(even) td{background:#fafafa}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}tr{page-break-inside:avoid}}
"""


def bulletin_html(data: BulletinInput, lang: str = "zh") -> str:
    """The bulletin as a self-contained printable HTML page (every value escaped)."""
    level = t(f"level.{data.group_level}", lang)
    title = html.escape(t("rpt.bulletin_title", lang))
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{CSS}</style></head><body>"
        f"<h1>{title}</h1><p class=\"sub\">{html.escape(_subtitle(data, lang))}</p>"
        f'<p class="lead">{html.escape(paragraph(data, lang))}</p>'
        f"<h2>{html.escape(t('rpt.bulletin_rank_groups', lang, level=level))}</h2>"
        f"{_html_table(rank_groups(data.groups), GROUP_COLUMNS, lang)}"
        f"<h2>{html.escape(t('rpt.bulletin_rank_units', lang))}</h2>"
        f"{_html_table(rank_units(data.units), UNIT_COLUMNS, lang)}"
        "</body></html>"
    )
