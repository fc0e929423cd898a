"""附件2 申办会员服务卡单位信息审核表: the printable unit form a unit stamps and hands in.

xlsxwriter, one A4 sheet: the card-unit name with its hierarchy prefix, the unit, the filler
and their phone, the member count, submission time and deadline, and boxes for the unit's and
the district's stamps and signatures. Every text cell goes through ``neutralise_cell`` and
``write_string`` (a unit or person name cannot become a formula). No SQL, no Streamlit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

import xlsxwriter

from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.timeutil import format_local


@dataclass(frozen=True)
class UnitForm:
    """What the form shows; times are naive UTC (shown in Asia/Shanghai)."""

    campaign_name: str
    unit_code: str
    unit_name: str
    card_unit_name: str
    hierarchy: tuple[str, ...]
    filler_name: str
    filler_phone: str
    member_count: int
    submitted_at: datetime | None
    due_at: datetime | None
    printed_at: datetime


def card_unit_label(card_unit_name: str | None, hierarchy: tuple[str, ...], unit_name: str) -> str:
    """The 办卡单位 as the bank loads it: the registered name (already hierarchy-prefixed), else
    the unit's name prefixed with its union hierarchy below the city.

    >>> card_unit_label(None, ("市总工会", "滨海新区总工会", "保税区工会"), "甲公司工会")
    '滨海新区总工会保税区工会甲公司工会'
    >>> card_unit_label("滨海新区保税区工会-甲公司工会", (), "甲公司工会")
    '滨海新区保税区工会-甲公司工会'
    """
    if card_unit_name:
        return card_unit_name
    return "".join(hierarchy[1:]) + unit_name


def _text(value: object) -> str:
    return str(neutralise_cell("" if value is None else str(value)))


def unit_form_bytes(form: UnitForm, lang: str = "zh") -> bytes:
    """The form as an .xlsx workbook."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(t("wfr.form.sheet", lang))
    base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "text_wrap": True}
    title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
    label = book.add_format({**base, "bold": True, "border": 1, "align": "center", "bg_color": "#f2f2f2"})
    value = book.add_format({**base, "border": 1})
    number = book.add_format({**base, "border": 1, "align": "left", "num_format": "0"})
    sign = book.add_format({**base, "border": 1, "valign": "top"})
    small = book.add_format({**base, "font_size": 9, "font_color": "#555555"})
    sheet.set_paper(9)  # A4
    sheet.set_portrait()
    sheet.fit_to_pages(1, 1)
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 3, 22)
    sheet.merge_range(0, 0, 0, 3, t("wfr.form.title", lang), title)
    sheet.set_row(0, 36)
    card = card_unit_label(form.card_unit_name, form.hierarchy, form.unit_name)
    submitted = format_local(form.submitted_at) if form.submitted_at else t("wfr.form.not_submitted", lang)
    rows: list[tuple[str, object]] = [
        ("wfr.form.campaign", form.campaign_name),
        ("wfr.form.card_unit", card),
        ("wfr.form.hierarchy", " / ".join(form.hierarchy)),
        ("wfr.form.unit", form.unit_name),
        ("wfr.form.code", form.unit_code),
        ("wfr.form.filler", form.filler_name),
        ("wfr.form.filler_phone", form.filler_phone),
        ("wfr.form.members", form.member_count),
        ("wfr.form.submitted_at", submitted),
        ("wfr.form.due_at", format_local(form.due_at) if form.due_at else ""),
    ]
    row = 2
    for key, content in rows:
        sheet.set_row(row, 28)
        sheet.write_string(row, 0, t(key, lang), label)
        if isinstance(content, int):
            sheet.merge_range(row, 1, row, 3, None, number)
            sheet.write_number(row, 1, content, number)
        else:
            sheet.merge_range(row, 1, row, 3, None, value)
            sheet.write_string(row, 1, _text(content), value)
        row += 1
    sheet.set_row(row, 40)
    sheet.merge_range(row, 0, row, 3, None, value)
    sheet.write_string(row, 0, t("wfr.form.materials", lang), value)
    row += 1
    sheet.set_row(row, 120)
    sheet.merge_range(row, 0, row, 1, None, sign)
    sheet.write_string(row, 0, t("wfr.form.unit_sign", lang), sign)
    sheet.merge_range(row, 2, row, 3, None, sign)
    sheet.write_string(row, 2, t("wfr.form.district_sign", lang), sign)
    row += 2
    sheet.write_string(row, 0, t("wfr.form.printed", lang, at=format_local(form.printed_at)), small)
    book.close()
    return buffer.getvalue()


__all__ = ["UnitForm", "card_unit_label", "unit_form_bytes"]
