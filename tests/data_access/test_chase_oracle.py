"""The chase sheet and the bulletin as the pages now build them at city
size equal what the old code built (kept here as the oracle), on the demo, for the city and for
districts, at several cut-offs, on SQLite and PostgreSQL: the sheet cached without reminders and
its texts written for the rows shown, the Excel sheet written on the click, the bulletin from the
cached unit frame. (The open bank failures' oracle is in test_open_failures_oracle.py.)"""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pandas as pd
from sqlalchemy import Engine, and_, func, select
from sqlalchemy.orm import Session, aliased

from campaign.reports import bulletin as bulletin_text
from campaign.reports import chase_sheet as sheet_text
from data_access import bank, chase, metrics, reports, submissions
from data_access.db import read_session
from data_access.models import Campaign, MemberEvent, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.chase_display_oracle import old_display_frame
from tests.data_access.test_summary import districts
from ui import loaders_chase

CUTOFFS = [DEMO_NOW - timedelta(days=d, hours=h) for d, h in ((0, 0), (1, 0), (7, 0), (3, 5), (12, 17), (30, 0))]

# --- the old code, kept as the oracle -----------------------------------------------------


def old_open_bank_failures(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    failed = (
        select(MemberEvent.member_id, MemberEvent.unit_id, func.max(MemberEvent.at).label("failed_at"))
        .where(MemberEvent.campaign_id == campaign_id, MemberEvent.kind == "failed", MemberEvent.at <= cutoff)
        .group_by(MemberEvent.member_id, MemberEvent.unit_id)
        .subquery("failed")
    )
    later = aliased(MemberEvent)
    settled = (
        select(later.id)
        .where(
            later.member_id == failed.c.member_id,
            later.kind.in_(chase.SETTLES_FAILURE),
            and_(later.at >= failed.c.failed_at, later.at <= cutoff),
        )
        .exists()
    )
    unit = aliased(OrgUnit)
    query = (
        select(failed.c.unit_id, func.count().label("bank_failures_open"))
        .join(unit, unit.id == failed.c.unit_id)
        .where(~settled, scope.org_filter(unit))
        .group_by(failed.c.unit_id)
    )
    return pd.DataFrame(session.execute(query).all(), columns=["unit_id", "bank_failures_open"])


def old_chase_sheet(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    board = submissions.submission_board(session, scope, campaign_id, cutoff)
    if board.empty:
        return pd.DataFrame(columns=chase.SHEET_COLUMNS)
    board = board.merge(old_open_bank_failures(session, scope, campaign_id, cutoff), on="unit_id", how="left")
    board = board.merge(chase.contacted_on_day(session, scope, cutoff), on="unit_id", how="left")
    board["bank_failures_open"] = board["bank_failures_open"].fillna(0).astype("int64")
    board["contacts_today"] = board["contacts_today"].fillna(0).astype("int64")
    board["contacted_today"] = board["contacts_today"] > 0
    board["reasons"] = chase._reasons_of(board)
    sheet = board[board["reasons"].map(bool)].copy()
    if sheet.empty:
        return pd.DataFrame(columns=chase.SHEET_COLUMNS)
    sheet["hours_left"] = (pd.to_datetime(sheet["due_at"]) - cutoff).dt.total_seconds() / 3600
    sheet["_rank"] = sheet["reasons"].map(lambda reasons: chase.CHASE_REASONS.index(reasons[0]))
    sheet = sheet.sort_values(
        ["_rank", "days_overdue", "members_outstanding", "code"], ascending=[True, False, False, True]
    ).reset_index(drop=True)
    facts = sheet[[c for c in chase.REMINDER_COLUMNS if c in sheet.columns]]
    sheet["reminder"] = [chase.reminder_for(row, cutoff) for row in facts.to_dict("records")]
    for column in chase.SHEET_COLUMNS:
        if column not in sheet.columns:
            sheet[column] = None
    return sheet[chase.SHEET_COLUMNS]


def old_bulletin_input(
    session: Session, scope: Scope, campaign_id: int, campaign_name: str, scope_label: str, as_of, cutoff: datetime,
) -> bulletin_text.BulletinInput:
    units = metrics.unit_progress(session, scope, campaign_id, cutoff)
    head = metrics.headline_of(units, *metrics.bank_results_received(session, scope, campaign_id, cutoff))
    loop = bank.correction_loop(session, scope, campaign_id, cutoff)
    level = reports.group_level(units)
    groups = metrics.rollup(units, level) if len(units) else pd.DataFrame(
        columns=["org_id", "org_name", "units", "units_submitted", "submission_rate", "on_time_rate", "late_units", "validated", "coverage"]
    )
    return bulletin_text.BulletinInput(
        campaign_name=campaign_name, scope_label=scope_label, as_of=as_of, group_level=level,
        groups=groups, units=units if len(units) else pd.DataFrame(
            columns=["unit_name", "district_name", "area_name", "status", "expected_members", "validated"]),
        figures=reports.figures(units, head, loop, 0),
    )


# --- checks ------------------------------------------------------------------------------


def _scopes(session: Session) -> list[Scope]:
    return [Scope.everything(), *districts(session)[:2]]


def _cells(body: bytes) -> list[tuple[object, ...]]:
    return list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


def _workbook(sheet: pd.DataFrame, cutoff: datetime) -> bytes:
    return sheet_text.chase_workbook(
        sheet, campaign_name="活动", scope_label="全市", as_of=(cutoff + timedelta(hours=8)).date(), cutoff=cutoff,
        exported_by="李强",
    )


def assert_same_chase_sheet(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> None:
    where = f"{scope} at {cutoff}"
    old = old_chase_sheet(session, scope, campaign_id, cutoff)
    new = chase.chase_sheet(session, scope, campaign_id, cutoff)
    pd.testing.assert_frame_equal(new, old, obj=where)
    # what the page caches: no reminders, the columns it reads
    cached = chase.chase_sheet(session, scope, campaign_id, cutoff, reminders=False)[loaders_chase.CACHED_COLUMNS]
    if old.empty:
        assert cached.empty, where
        return
    for lang in ("zh", "en"):
        texts = old_display_frame(old, cutoff, lang)
        # the table view: every row shown
        pd.testing.assert_frame_equal(loaders_chase.display_rows(cached, cutoff, lang), texts, obj=where)
        # the cards view: a page of rows, numbered by their place on the sheet
        for start in sorted({start for start in (0, 20, len(old) - 7) if 0 <= start < len(old)}):
            page = loaders_chase.display_rows(cached.iloc[start : start + 20], cutoff, lang, first=start + 1)
            pd.testing.assert_frame_equal(page.reset_index(drop=True), texts.iloc[start : start + 20].reset_index(drop=True), obj=where)
        # "hide the contacted": the rows left keep their texts
        shown = cached[~cached["contacted_today"]]
        pd.testing.assert_frame_equal(
            loaders_chase.display_rows(shown, cutoff, lang),
            old_display_frame(old[~old["contacted_today"]], cutoff, lang), obj=where,
        )
    # the Excel sheet written on the click
    assert _cells(_workbook(chase.with_reminders(cached, cutoff), cutoff)) == _cells(_workbook(old, cutoff)), where


def assert_same_bulletin(session: Session, scope: Scope, campaign_id: int, cutoff: datetime) -> None:
    where = f"{scope} at {cutoff}"
    as_of = (cutoff + timedelta(hours=8)).date()
    old = old_bulletin_input(session, scope, campaign_id, "活动", "全市", as_of, cutoff)
    units = metrics.unit_progress(session, scope, campaign_id, cutoff)
    for new in (
        reports.bulletin_input(session, scope, campaign_id, "活动", "全市", as_of, cutoff, units=units),
        reports.bulletin_input(session, scope, campaign_id, "活动", "全市", as_of, cutoff),
    ):
        assert new.group_level == old.group_level, where
        assert new.figures == old.figures, where
        pd.testing.assert_frame_equal(new.groups, old.groups, obj=where)
        columns = [key for key, _, _ in bulletin_text.UNIT_COLUMNS]
        pd.testing.assert_frame_equal(
            bulletin_text.rank_units(new.units)[columns], bulletin_text.rank_units(old.units)[columns], obj=where
        )
        for lang in ("zh", "en"):
            assert bulletin_text.paragraph(new, lang) == bulletin_text.paragraph(old, lang), where
            assert bulletin_text.bulletin_html(new, lang) == bulletin_text.bulletin_html(old, lang), where
        assert _sheets(bulletin_text.bulletin_workbook(new)) == _sheets(bulletin_text.bulletin_workbook(old)), where


def _sheets(body: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = openpyxl.load_workbook(io.BytesIO(body))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


# --- tests -------------------------------------------------------------------------------


def test_chase_sheet_and_its_texts_equal_the_old_code(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        for cutoff in CUTOFFS:
            for scope in _scopes(session):
                assert_same_chase_sheet(session, scope, campaign_id, cutoff)


def test_bulletin_equals_the_old_code(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        for cutoff in CUTOFFS:
            for scope in _scopes(session):
                assert_same_bulletin(session, scope, campaign_id, cutoff)


def test_org_options_equal_the_old_frame(demo_engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import streamlit as st

    from ui import loaders

    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    st.cache_data.clear()
    st.cache_resource.clear()
    with read_session(demo_engine) as session:
        scopes = [*_scopes(session), Scope(root_id=-1, root_path="/nowhere/")]
        for scope in scopes:
            query = (
                select(OrgUnit.id, OrgUnit.name, OrgUnit.level, OrgUnit.district_id, OrgUnit.area_id)
                .where(OrgUnit.level.in_(("district", "area", "unit")), OrgUnit.retired_at.is_(None), scope.org_filter(OrgUnit))
                .order_by(OrgUnit.code)
            )
            old = pd.DataFrame(session.execute(query).all(), columns=["id", "name", "level", "district_id", "area_id"])
            pd.testing.assert_frame_equal(loaders.org_options(scope), old, obj=str(scope))
    st.cache_data.clear()
    st.cache_resource.clear()
