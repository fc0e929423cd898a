"""The chase sheet's texts written column by column (``sheet_text.display_frame``,
``chase.reminders_of`` through ``reminders.reminder_texts``) equal what the row-wise code wrote
(kept here as the oracle): on the demo, for the city and for districts, at several cut-offs, in
both languages, on SQLite and PostgreSQL; and on a hand-made sheet that walks through the rare
branches (nulls, no deadline, the deadline at the cut-off, hours and day boundaries, unknown
statuses and channels, copies short, promised dates)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, select

from campaign.i18n import t
from campaign.masking import neutralise_cell
from campaign.reminders import (
    PAPER_MATERIALS,
    ReminderFacts,
    _day,
    _left,
    _materials,
    _overdue,
    _when,
    reminder_text,
    reminder_texts,
)
from campaign.reports import chase_sheet as sheet_text
from campaign.reports.progress_workbook import display_width, new_workbook, print_setup
from campaign.stages import SUBMITTED_STATUSES
from campaign.timeutil import utc_to_local
from data_access import chase
from data_access.db import read_session
from data_access.models import Campaign
from tests.data_access.chase_display_oracle import old_display_frame, records
from tests.data_access.test_chase_oracle import CUTOFFS, _scopes
from ui import loaders_chase

# --- the row-wise code as it was, kept as the oracle -------------------------------------


def old_reminder_text(facts: ReminderFacts, lang: str = "zh") -> str:
    parts: list[str] = []
    who = facts.contact_name or ""
    parts.append(t("reminder.greeting", lang, name=who) if who else t("reminder.greeting_plain", lang))
    if facts.liaison_name:
        parts.append(t("reminder.intro", lang, area=facts.area_name or "", liaison=facts.liaison_name))
    due = _when(facts.due_at, lang) if facts.due_at else None
    late = facts.due_at is not None and facts.now > facts.due_at
    if facts.status == "returned":
        reason = facts.return_reason or t("reminder.reason_unknown", lang)
        parts.append(t("reminder.returned", lang, unit=facts.unit_name, reason=reason))
        if late:
            parts.append(t("reminder.returned_late", lang, due=due, overdue=_overdue(facts, lang)))
    elif facts.status in SUBMITTED_STATUSES:
        parts.append(t("chase.reminder.submitted", lang, unit=facts.unit_name))
    elif due is None:
        parts.append(t("reminder.no_deadline", lang, unit=facts.unit_name))
    elif late:
        parts.append(t("reminder.late", lang, unit=facts.unit_name, due=due, overdue=_overdue(facts, lang)))
    else:
        parts.append(t("reminder.due_soon", lang, unit=facts.unit_name, due=due, left=_left(facts, lang)))
    if facts.status == "not_started":
        parts.append(t("reminder.step.not_started", lang))
    elif facts.status == "errors":
        parts.append(t("reminder.step.errors", lang, n=facts.open_errors))
    elif facts.status == "clean":
        parts.append(t("reminder.step.clean", lang))
    if facts.status in ("not_started", "errors", "clean"):
        parts.append(t("reminder.paper_all", lang, items=_materials(PAPER_MATERIALS, lang)))
    elif facts.missing_materials:
        parts.append(t("reminder.paper_missing", lang, items=_materials(facts.missing_materials, lang, facts.missing_counts)))
    if facts.open_failures > 0:
        parts.append(t("chase.reminder.bank_failures", lang, n=facts.open_failures))
    if facts.promised_date is not None:
        parts.append(t("reminder.promised", lang, day=_day(facts.promised_date, lang)))
    if facts.liaison_phone:
        parts.append(t("reminder.closing_phone", lang, phone=facts.liaison_phone))
    else:
        parts.append(t("reminder.closing", lang))
    separator = " " if lang == "en" else ""
    return separator.join(parts)


def old_reminder_for(row: Mapping[str, object], cutoff: datetime, lang: str = "zh") -> str:
    def present(name: str) -> object:
        value = row.get(name)
        return None if value is None or pd.isna(value) else value

    due = present("due_at")
    promised = present("last_promised_date")
    facts = ReminderFacts(
        unit_name=str(row["unit_name"]),
        status=str(row["status"]),
        now=utc_to_local(cutoff),
        due_at=None if due is None else utc_to_local(pd.Timestamp(due).to_pydatetime()),
        contact_name=present("contact_name"),  # type: ignore[arg-type]
        area_name=present("area_name"),  # type: ignore[arg-type]
        liaison_name=present("liaison_name"),  # type: ignore[arg-type]
        liaison_phone=present("liaison_phone"),  # type: ignore[arg-type]
        open_errors=int(row.get("open_errors") or 0),
        missing_materials=tuple(row["missing_materials"]),
        missing_counts=chase._shortfalls(row),
        return_reason=present("return_reason"),  # type: ignore[arg-type]
        promised_date=None if promised is None else pd.Timestamp(promised).date(),
        open_failures=int(row.get("bank_failures_open") or 0),
    )
    return old_reminder_text(facts, lang)


def old_reminders_of(sheet: pd.DataFrame, cutoff: datetime, lang: str = "zh") -> list[str]:
    facts = sheet[[c for c in chase.REMINDER_COLUMNS if c in sheet.columns]]
    return [old_reminder_for(row, cutoff, lang) for row in records(facts)]


def old_chase_workbook(
    sheet: pd.DataFrame, *, campaign_name: str, scope_label: str, as_of: date, cutoff: datetime, exported_by: str,
    lang: str = "zh",
) -> bytes:
    """``chase_workbook`` as it was: xlsxwriter's per-cell calls (the texts from ``display_frame``)."""
    frame = sheet_text.display_frame(sheet, cutoff, lang)
    buffer, book, fmt = new_workbook()
    wrap = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "text_wrap": True,
                            "border": 1, "border_color": "#d0d0d0"})
    top = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "border": 1, "border_color": "#d0d0d0"})
    number = book.add_format({"font_name": "等线", "font_size": 10, "valign": "top", "border": 1,
                              "border_color": "#d0d0d0", "num_format": "0"})
    ws = book.add_worksheet(t("chase.xlsx.sheet", lang)[:31])
    title = t("chase.xlsx.title", lang)
    subtitle = t("chase.xlsx.subtitle", lang, campaign=campaign_name, scope=scope_label,
                 when=f"{utc_to_local(cutoff):%Y-%m-%d %H:%M}" if as_of >= utc_to_local(cutoff).date() else as_of.isoformat(),
                 n=len(frame), by=exported_by)
    ws.write_string(0, 0, str(neutralise_cell(title)), fmt.title)
    ws.write_string(1, 0, str(neutralise_cell(subtitle)), fmt.subtitle)
    header = 2
    columns = [c for c in sheet_text.COLUMNS if c[0] != "district" or frame["district"].nunique() > 1]
    for col, (_, label_key, cap) in enumerate(columns):
        label = t(label_key, lang)
        ws.write_string(header, col, label, fmt.header)
        widths = [display_width(label) + 2, *(display_width(str(v)) + 2 for v in frame[columns[col][0]])]
        ws.set_column(col, col, min(max(widths), cap))
    for r, record in enumerate(frame.to_dict("records"), start=header + 1):
        for col, (key, _, _) in enumerate(columns):
            value = record[key]
            if key in ("no", "errors", "bank"):
                ws.write_number(r, col, float(value), number)
            else:
                ws.write_string(r, col, str(neutralise_cell(str(value))), wrap if key in ("reminder", "last", "missing", "unit") else top)
    ws.freeze_panes(header + 1, 0)
    ws.autofilter(header, 0, header + max(len(frame), 1), len(columns) - 1)
    print_setup(ws, title, subtitle, lang, repeat_row=header)
    book.close()
    return buffer.getvalue()


def workbook_facts(body: bytes) -> dict[str, Any]:
    """What a reader of the file sees: every cell's value, type and look, widths, panes, filter,
    print setup."""
    book = openpyxl.load_workbook(io.BytesIO(body))
    [ws] = book.worksheets
    cells = [
        (c.coordinate, c.value, c.data_type, c.number_format, c.font.name, c.font.sz, c.font.b, c.alignment.wrap_text,
         c.alignment.vertical, c.border.left.style, c.border.left.color.rgb if c.border.left.color else None, c.fill.fgColor.rgb)
        for row in ws.iter_rows() for c in row
    ]
    widths = {letter: d.width for letter, d in ws.column_dimensions.items()}
    return {
        "title": ws.title, "cells": cells, "widths": widths, "panes": ws.freeze_panes, "filter": ws.auto_filter.ref,
        "print_titles": ws.print_title_rows, "orientation": ws.page_setup.orientation, "fit": ws.page_setup.fitToWidth,
        "header": ws.oddHeader.center.text, "footer": ws.oddFooter.center.text, "dimensions": ws.dimensions,
    }


def assert_same_workbook(sheet: pd.DataFrame, cutoff: datetime, where: str) -> None:
    for lang in ("zh", "en"):
        args: dict[str, Any] = {"campaign_name": "2026年会员服务卡", "scope_label": "=全市", "as_of": (cutoff + timedelta(hours=8)).date(),
                                "cutoff": cutoff, "exported_by": "李强", "lang": lang}
        new, old = sheet_text.chase_workbook(sheet, **args), old_chase_workbook(sheet, **args)
        assert workbook_facts(new) == workbook_facts(old), f"{where} {lang}"


# --- checks ------------------------------------------------------------------------------


def assert_same_texts(sheet: pd.DataFrame, cutoff: datetime, where: str) -> None:
    """Every text of the sheet, of some of its rows and of the rows left when the contacted are
    hidden, in both languages, equal the row-wise code's."""
    parts = [sheet, sheet.iloc[len(sheet) // 3 :: 2], sheet[~sheet["contacted_today"].astype(bool)]]
    for part, lang in itertools.product(parts, ("zh", "en")):
        if part.empty:
            continue
        old = old_reminders_of(part, cutoff, lang)
        assert chase.reminders_of(part, cutoff, lang) == old, f"{where} {lang}"
        filled = part.assign(reminder=old)
        pd.testing.assert_frame_equal(
            sheet_text.display_frame(filled, cutoff, lang), old_display_frame(filled, cutoff, lang), obj=f"{where} {lang}"
        )
        # the page's table view: Chinese reminders, texts in the user's language
        pd.testing.assert_frame_equal(
            loaders_chase.display_rows(part, cutoff, lang),
            old_display_frame(part.assign(reminder=old_reminders_of(part, cutoff)), cutoff, lang), obj=f"{where} {lang}",
        )


def test_the_demo_sheets_texts_equal_the_row_wise_code(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        for cutoff in CUTOFFS:
            for scope in _scopes(session):
                cached = chase.chase_sheet(session, scope, campaign_id, cutoff, reminders=False)[loaders_chase.CACHED_COLUMNS]
                if not cached.empty:
                    assert_same_texts(cached, cutoff, f"{scope} at {cutoff}")
                assert_same_workbook(chase.with_reminders(cached, cutoff), cutoff, f"{scope} at {cutoff}")
                # the sheet with its reminders, as the command line and the old callers get it
                old = chase.chase_sheet(session, scope, campaign_id, cutoff, reminders=False)
                if not old.empty:
                    assert chase.chase_sheet(session, scope, campaign_id, cutoff)["reminder"].tolist() == old_reminders_of(old, cutoff)


CUTOFF = datetime(2026, 11, 20, 2, 0)  # 10:00 in Shanghai


def hand_made_sheet() -> pd.DataFrame:
    """Rows that walk through every branch of the texts, typed as the cached sheet is."""
    dues: list[datetime | None] = [
        None, CUTOFF, CUTOFF - timedelta(minutes=1), CUTOFF + timedelta(minutes=59), CUTOFF - timedelta(hours=1),
        CUTOFF + timedelta(hours=23, minutes=59), CUTOFF - timedelta(hours=24), CUTOFF + timedelta(hours=47, minutes=30),
        CUTOFF - timedelta(hours=48), CUTOFF + timedelta(days=9, seconds=1), CUTOFF - timedelta(days=30, hours=5),
        datetime(2026, 11, 19, 16, 0),  # 00:00 local, the day before
    ]
    statuses = ["not_started", "errors", "clean", "submitted", "approved", "returned", "withdrawn_unknown"]
    materials = [(), ("id_copies",), ("sheet", "unit_form", "id_copies", "consents"), ("consents", "id_copies")]
    shortfalls = [(None, None), (0.0, 0.0), (4.0, None), (None, 2.0), (3.0, 1.0)]
    chases: list[tuple[Any, ...]] = [  # last_chase_at, by, channel, note, promised
        (None, None, None, None, None),
        (datetime(2026, 11, 19, 7, 0), "李强", "phone", "答应明天上传", date(2026, 11, 21)),
        (datetime(2026, 11, 19, 16, 5), None, "wechat", None, None),
        (datetime(2026, 11, 1, 1, 2), "王芳", None, "", date(2026, 12, 1)),
        (datetime(2026, 11, 20, 1, 59), "", "carrier_pigeon", "  留言 ", None),
    ]
    people: list[tuple[Any, ...]] = [  # contact, phone, area, liaison, liaison phone, district
        ("王芳", "13700000011", "第一片区", "李强", "13900000001", "保税区工会"),
        (None, None, None, None, None, None),
        ("", "", "第二片区", None, "13900000002", "滨海新区工会"),
        ("赵六", "022-12345678", None, "钱七", None, None),
    ]
    rows = []
    for number, (due, status) in enumerate(itertools.product(dues, statuses)):
        material = materials[number % len(materials)]
        id_short, consent_short = shortfalls[(number // 3) % len(shortfalls)]
        at, by, channel, note, promised = chases[(number // 2) % len(chases)]
        contact, phone, area, liaison, liaison_phone, district = people[(number // 5) % len(people)]
        contacted = number % 4 == 0
        rows.append({
            "unit_id": number, "unit_name": f"第{number}号公司工会" if number % 11 else "=HYPERLINK(\"x\")",
            "district_name": district, "area_name": area, "liaison_name": liaison, "liaison_phone": liaison_phone,
            "contact_name": contact, "contact_phone": phone, "status": status, "due_at": due,
            "late": bool(due is not None and due < CUTOFF), "reasons": (("late",), ("at_risk", "paper"), (), ("bank_failures",))[number % 4],
            "missing_materials": material, "id_copies_missing": id_short, "consents_missing": consent_short,
            "last_submitted_at": None if number % 3 == 0 else CUTOFF - timedelta(days=number % 5),
            "open_errors": number % 7, "bank_failures_open": (0, 1, 12)[number % 3],
            "return_reason": (None, "缺少单位信息审核表", "")[number % 3] if status == "returned" else None,
            "contacted_today": contacted,
            "contacted_today_at": (CUTOFF - timedelta(minutes=number) if number % 8 else None) if contacted
            else (CUTOFF - timedelta(hours=number) if number % 5 == 1 else np.nan),  # a time without the flag too
            "last_chase_at": at, "last_chase_by": by, "last_chase_channel": channel, "last_chase_note": note,
            "last_promised_date": promised,
        })
    frame = pd.DataFrame(rows)
    for name in ("due_at", "last_submitted_at", "last_chase_at"):
        frame[name] = frame[name].astype("datetime64[us]")
    for name in ("contacted_today_at", "last_promised_date", "reasons", "missing_materials"):
        frame[name] = frame[name].astype(object)
    return frame[loaders_chase.CACHED_COLUMNS]


def test_the_hand_made_sheets_texts_equal_the_row_wise_code() -> None:
    sheet = hand_made_sheet()
    assert len(sheet) > 80 and sheet["district_name"].isna().any() and sheet["last_chase_channel"].isna().any()
    for cutoff in (CUTOFF, CUTOFF + timedelta(hours=13), CUTOFF - timedelta(days=40)):
        assert_same_texts(sheet, cutoff, f"hand-made at {cutoff}")
    # the Excel file: a note past Excel's 32,767 characters is cut as xlsxwriter cut it; text
    # that looks like a formula or holds XML's special characters stays text
    long = sheet.assign(last_chase_note=sheet["last_chase_note"].where(sheet.index % 9 != 1, "长" * 33_000 + "<&>_x0041_\x01"))
    assert_same_workbook(chase.with_reminders(long, CUTOFF), CUTOFF, "hand-made")
    assert_same_workbook(chase.with_reminders(long.iloc[:0], CUTOFF), CUTOFF, "no rows")
    # a null of a text column reads as the row-wise code read it (a str column's NaN as "nan")
    texts = sheet_text.display_frame(sheet.assign(reminder="x"), CUTOFF)
    assert "nan" in set(texts["district"]) and "" not in set(texts["district"])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reminder_texts_equal_reminder_text_for_every_combination(lang: str) -> None:
    now = datetime(2026, 11, 20, 10, 0)
    combos = list(itertools.product(
        ["not_started", "errors", "clean", "submitted", "approved", "returned", "x"],
        [None, now, now - timedelta(minutes=30), now + timedelta(hours=30), now - timedelta(days=3, hours=2)],
        [None, "", "王芳"], [None, "缺材料"], [None, date(2026, 11, 22)], [0, 3],
    ))
    facts = [
        ReminderFacts(
            unit_name=f"单位{i}", status=status, now=now, due_at=due, contact_name=contact, area_name=None if i % 3 else "片区",
            liaison_name=None if i % 4 == 0 else "李强", liaison_phone=None if i % 5 == 0 else "139", open_errors=i % 4,
            missing_materials=(("id_copies", "consents"), (), ("sheet",))[i % 3],
            missing_counts=({}, {"id_copies": 2}, {"consents": 1, "id_copies": 5})[i % 3], return_reason=reason,
            promised_date=promised, open_failures=failures,
        )
        for i, (status, due, contact, reason, promised, failures) in enumerate(combos)
    ]
    columns = {
        name: [getattr(f, name) if name != "missing_counts" else tuple(f.missing_counts.items()) for f in facts]
        for name in ReminderFacts.__dataclass_fields__ if name != "now"
    }
    expected = [old_reminder_text(f, lang) for f in facts]
    assert [reminder_text(f, lang) for f in facts] == expected
    assert reminder_texts(columns, now, lang) == expected
