"""Cached loaders and export builders of the bank, distribution and reports pages.

Every cached function takes the scope; cached frames hold no unmasked personal data (open
failures are cached only masked; a role that sees full data reads them uncached). Export
builders run when a download is clicked and log the export in ``audit``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pandas as pd
import streamlit as st

from campaign.errors import IngestError
from campaign.masking import mask_id, mask_phone
from campaign.reconcile import (
    RECONCILE_PER_HOUR,
    Reconciliation,
    TooManyReconciliations,
    read_bank_list,
    reconcile,
    row_cap,
)
from campaign.reports.bulletin import BulletinInput, bulletin_html, bulletin_workbook, rank_groups
from campaign.reports.progress_workbook import Column, build_progress_workbook, csv_bytes
from campaign.sheets.isolated import run_isolated
from campaign.timeutil import now_utc
from data_access import bank, distribution, reports
from data_access.audit import count_actions, log_import
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.scope import Scope, scope_for
from ui.downloads import export_name
from ui.loaders import TTL, engine, unit_progress

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(ttl=TTL, show_spinner=False)
def bank_batches(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Batches with their results in the scope."""
    with read_session(engine()) as session:
        return bank.batches(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def bank_people(scope: Scope, campaign_id: int, cutoff: datetime) -> tuple[int, int]:
    """(people answered, people produced): the person counts beside the result counts (人次)."""
    with read_session(engine()) as session:
        return bank.people_answered(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def bank_rates(scope: Scope, campaign_id: int, cutoff: datetime, level: str) -> pd.DataFrame:
    """Success and failure rates per district, area or unit."""
    with read_session(engine()) as session:
        return bank.rates_by(session, scope, campaign_id, cutoff, level)


@st.cache_data(ttl=TTL, show_spinner=False)
def failure_reasons(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Failures per reason (Pareto order)."""
    with read_session(engine()) as session:
        return bank.failure_reasons(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def correction_loop(scope: Scope, campaign_id: int, cutoff: datetime) -> bank.CorrectionLoop:
    """The correction loop's counts."""
    with read_session(engine()) as session:
        return bank.correction_loop(session, scope, campaign_id, cutoff)


@st.cache_data(ttl=TTL, show_spinner=False)
def _open_failures_masked(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    with read_session(engine()) as session:
        return bank.open_failures(session, scope, campaign_id, cutoff, full_pii=False)


def open_failures(scope: Scope, campaign_id: int, cutoff: datetime, full_pii: bool) -> pd.DataFrame:
    """Open failures; masked ones come from the cache, full ones are read fresh (never cached)."""
    if not full_pii:
        return _open_failures_masked(scope, campaign_id, cutoff)
    with read_session(engine()) as session:
        return bank.open_failures(session, scope, campaign_id, cutoff, full_pii=True)


@st.cache_data(ttl=TTL, show_spinner=False)
def waiting_cards(scope: Scope, campaign_id: int, cutoff: datetime) -> pd.DataFrame:
    """Cards waiting at the district: one row per unit and received time, with the count and
    the age (no personal data)."""
    with read_session(engine()) as session:
        return distribution.waiting_cards(session, scope, campaign_id, cutoff)


RECONCILE_AUDIT = "reconcile"


def reconcile_upload(
    data: bytes, file_name: str, user: CurrentUser, scope: Scope, campaign_id: int, cutoff: datetime
) -> tuple[Reconciliation, int]:
    """Read the bank's list, compare with produced members in scope, log the attempt.

    Bounded and audited: at most ``RECONCILE_PER_HOUR`` attempts per user per hour (counted
    from the ``audit`` table, so it holds across app servers) and ``row_cap`` rows per list;
    every attempt, refused or not, writes an ``import`` audit row. A role that does not see
    full ID numbers gets ``Reconciliation.restricted()`` (nothing about uploaded rows that
    matched nothing beyond a count). Raises ``IngestError`` (Chinese message) for a refusal.
    Not cached: the produced members carry full ID numbers for matching.
    """
    name = file_name or "bank-list"
    full = user.sees_full_pii
    with read_session(engine()) as session:
        recent = count_actions(session, user.login, "import", RECONCILE_AUDIT, now_utc() - timedelta(hours=1))
    if recent >= RECONCILE_PER_HOUR:
        _log_reconcile(user.login, name, None, f"refused=rate_limited scope={scope.cache_key()}")
        raise TooManyReconciliations(limit=RECONCILE_PER_HOUR)
    with read_session(engine()) as session:
        produced = distribution.produced_members(session, scope, campaign_id, cutoff)
    try:
        # in a limited worker process: a hostile file costs one worker, never the server
        bank_rows = run_isolated(read_bank_list, data, file_name, None, row_cap(len(produced), full))
    except IngestError as error:
        _log_reconcile(user.login, name, None, f"refused={error.key} scope={scope.cache_key()}")
        raise
    result = reconcile(bank_rows, produced)
    if not full:
        result = result.restricted()
    counts = result.counts
    _log_reconcile(user.login, name, len(bank_rows),
                   f"scope={scope.cache_key()} full_pii={full} matched={counts['matched']} "
                   f"bank_only={counts['bank_only']} here_only={counts['here_only']}")
    return result, len(bank_rows)


def _log_reconcile(login: str, name: str, rows: int | None, detail: str) -> None:
    with write_session(engine()) as session:
        log_import(session, login, name, rows, f"{RECONCILE_AUDIT} {detail}")


def progress_workbook_bytes(
    scope: Scope, campaign_id: int, campaign_name: str, scope_label: str, as_of: date, cutoff: datetime,
    *, user_login: str, full_pii: bool, lang: str,
) -> tuple[bytes, int]:
    """The progress workbook and its data-row count (not logged; see ``deferred``)."""
    with read_session(engine()) as session:
        report = reports.progress_report(
            session, scope, campaign_id, campaign_name, scope_label, as_of, cutoff,
            exported_by=user_login, full_pii=full_pii,
        )
    return build_progress_workbook(report, lang), report.row_count


def bulletin_bytes(
    scope: Scope, campaign_id: int, campaign_name: str, scope_label: str, as_of: date, cutoff: datetime,
    *, lang: str, kind: str,
) -> tuple[bytes, int]:
    """The bulletin as xlsx or html bytes, and the number of units it ranks."""
    units = unit_progress(scope, campaign_id, cutoff)
    with read_session(engine()) as session:
        data = reports.bulletin_input(session, scope, campaign_id, campaign_name, scope_label, as_of, cutoff, units=units)
    body = bulletin_workbook(data, lang) if kind == "xlsx" else bulletin_html(data, lang).encode("utf-8")
    return body, len(data.units)


def split_zip_bytes(
    scope: Scope, level: str, campaign_id: int, campaign_name: str, as_of: date, cutoff: datetime,
    *, user_login: str, full_pii: bool, lang: str, stem: str,
) -> tuple[bytes, int]:
    """One progress workbook per district or liaison area inside the scope, zipped."""
    with read_session(engine()) as session:
        targets = reports.split_targets(session, scope)[level]
        scopes = [(name, scope_for(session, org_id)) for org_id, name in targets]
    buffer = io.BytesIO()
    rows = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, sub in scopes:
            body, count = progress_workbook_bytes(
                sub, campaign_id, campaign_name, name, as_of, cutoff, user_login=user_login, full_pii=full_pii, lang=lang,
            )
            rows += count
            archive.writestr(export_name(stem, name, as_of, "xlsx"), body)
    return buffer.getvalue(), rows


def split_targets(scope: Scope) -> dict[str, list[tuple[int, str]]]:
    """Districts and areas in the scope."""
    with read_session(engine()) as session:
        return reports.split_targets(session, scope)


def csv_build(frame: pd.DataFrame, columns: list[Column], lang: str) -> Callable[[], tuple[bytes, int]]:
    """The build step of a CSV (UTF-8 with BOM) of a table, for ``downloads.button``."""
    return lambda: (csv_bytes(frame, columns, lang), len(frame))


def local_times(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Naive UTC time columns shown as Asia/Shanghai wall-clock times."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            out[column] = pd.to_datetime(out[column]).dt.tz_localize("UTC").dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    return out


def mask_frame(frame: pd.DataFrame, full_pii: bool) -> pd.DataFrame:
    """ID numbers and phones masked unless the role sees them in full."""
    if full_pii or frame.empty:
        return frame
    out = frame.copy()
    if "id_number" in out.columns:
        out["id_number"] = out["id_number"].map(mask_id)
    if "phone" in out.columns:
        out["phone"] = out["phone"].map(mask_phone)
    return out


@st.cache_data(ttl=TTL, show_spinner=False)
def bulletin_preview(
    scope: Scope, campaign_id: int, campaign_name: str, scope_label: str, as_of: date, cutoff: datetime
) -> BulletinInput:
    """What the bulletin says and ranks (no personal data), from the cached unit frame the
    reports page reads too (``loaders.unit_progress``)."""
    units = unit_progress(scope, campaign_id, cutoff)
    with read_session(engine()) as session:
        return reports.bulletin_input(session, scope, campaign_id, campaign_name, scope_label, as_of, cutoff, units=units)


def ranked_groups(data: BulletinInput) -> pd.DataFrame:
    """The bulletin's ranking of districts or areas."""
    return rank_groups(data.groups)
