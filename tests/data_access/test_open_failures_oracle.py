"""The open bank failures as the bank page and the correction page now read them (from partial
indexes, rows column by column) equal what the old queries gave (kept here as the oracle), on the
demo, for the city and for districts, at several cut-offs, masked and not, on SQLite and
PostgreSQL; and the new indexes are what SQLite reads."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, and_, case, func, literal_column, select, update
from sqlalchemy.orm import Session, aliased

from campaign.masking import mask_id, mask_phone
from data_access import bank
from data_access.actions import corrections
from data_access.db import read_session, write_session
from data_access.history import live
from data_access.models import BankBatch, BankResult, Campaign, Member, MemberEvent, OrgUnit
from data_access.scope import Scope
from tests.conftest import DEMO_NOW
from tests.data_access.test_summary import districts

CUTOFFS = [DEMO_NOW - timedelta(days=d, hours=h) for d, h in ((0, 0), (1, 0), (7, 0), (3, 5), (12, 17), (30, 0))]

# --- the old code, kept as the oracle -----------------------------------------------------


def _failed_ids(cutoff: datetime):  # type: ignore[no-untyped-def]
    return select(BankResult.member_id).where(BankResult.outcome == literal_column("'failed'"), BankResult.at <= cutoff)


def _failed_members(scope: Scope, campaign_id: int, cutoff: datetime):  # type: ignore[no-untyped-def]
    failed_at = case((BankResult.outcome == "failed", BankResult.at))
    produced_at = case((BankResult.outcome == "produced", BankResult.at))
    return (
        select(
            BankResult.member_id,
            func.min(failed_at).label("first_failed_at"),
            func.max(failed_at).label("last_failed_at"),
            func.max(produced_at).label("produced_at"),
            func.max(BankResult.at).label("last_result_at"),
            func.sum(case((BankResult.outcome == "failed", 1), else_=0)).label("failures"),
        )
        .join(Member, Member.id == BankResult.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(
            Member.campaign_id == campaign_id, BankResult.at <= cutoff, scope.org_filter(OrgUnit),
            BankResult.member_id.in_(_failed_ids(cutoff)),
        )
        .group_by(BankResult.member_id)
        .having(func.min(failed_at).is_not(None))
        .subquery("fm")
    )


def old_open_failures(session: Session, scope: Scope, campaign_id: int, cutoff: datetime, *, full_pii: bool = False) -> pd.DataFrame:
    """``bank.open_failures`` before the 0012 indexes."""
    fm = _failed_members(scope, campaign_id, cutoff)
    last = aliased(BankResult)
    area = aliased(OrgUnit)
    district = aliased(OrgUnit)
    latest_fix = (
        select(MemberEvent.member_id, func.max(MemberEvent.at).label("at"))
        .where(MemberEvent.kind == "corrected", MemberEvent.at <= cutoff, MemberEvent.member_id.in_(_failed_ids(cutoff)))
        .group_by(MemberEvent.member_id)
        .subquery("latest_fix")
    )
    corrected = func.coalesce(latest_fix.c.at, case((Member.corrected_at <= cutoff, Member.corrected_at)))
    query = (
        select(
            Member.id.label("member_id"), Member.name, Member.id_number, Member.phone,
            OrgUnit.name.label("unit_name"), area.name.label("area_name"), district.name.label("district_name"),
            OrgUnit.contact_name, OrgUnit.contact_phone, last.reason_code, last.reason_text,
            fm.c.failures, fm.c.first_failed_at, fm.c.last_failed_at, corrected.label("corrected_at"),
        )
        .select_from(fm)
        .join(Member, Member.id == fm.c.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .outerjoin(area, area.id == OrgUnit.area_id)
        .outerjoin(district, district.id == OrgUnit.district_id)
        .join(last, and_(last.member_id == fm.c.member_id, last.at == fm.c.last_failed_at, last.outcome == "failed"))
        .outerjoin(latest_fix, latest_fix.c.member_id == fm.c.member_id)
        .where(fm.c.produced_at.is_(None))
        .order_by(fm.c.first_failed_at, Member.id)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=list(query.selected_columns.keys()))
    if frame.empty:
        return pd.DataFrame(columns=bank.OPEN_COLUMNS)
    frame = frame.drop_duplicates("member_id").reset_index(drop=True)
    for column in ("first_failed_at", "last_failed_at", "corrected_at"):
        frame[column] = pd.to_datetime(frame[column])
    after_last = frame["corrected_at"].notna() & (frame["corrected_at"] >= frame["last_failed_at"])
    frame["status"] = after_last.map({True: "corrected", False: "returned"})
    frame["days_open"] = (pd.Timestamp(cutoff) - frame["first_failed_at"]).dt.total_seconds() / 86400
    frame["failures"] = frame["failures"].astype(int)
    if not full_pii:
        frame["id_number"] = frame["id_number"].map(mask_id)
        frame["phone"] = frame["phone"].map(mask_phone)
    return frame[bank.OPEN_COLUMNS]


def old_correction_failures(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """``corrections.open_failures`` before: ORM rows, the failure time parsed per value."""
    latest = (
        select(BankResult.member_id, func.max(BankResult.at).label("at"))
        .where(BankResult.outcome == "failed")
        .group_by(BankResult.member_id)
        .subquery("latest")
    )
    result = aliased(BankResult)
    query = (
        select(
            Member.id, Member.unit_id, OrgUnit.code, OrgUnit.name.label("unit_name"), Member.name, Member.id_number,
            Member.phone, Member.stage, result.reason_code, result.reason_text, result.at, BankBatch.reference,
        )
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .join(latest, latest.c.member_id == Member.id)
        .join(result, and_(result.member_id == Member.id, result.at == latest.c.at, result.outcome == "failed"))
        .join(BankBatch, BankBatch.id == result.batch_id)
        .where(Member.campaign_id == campaign_id, Member.stage == "failed", live(), scope.org_filter(OrgUnit))
        .order_by(result.at, OrgUnit.code, Member.id)
    )
    rows = [
        (m, u, code, unit, name, mask_id(number), mask_phone(phone), stage, reason, text, at, ref)
        for m, u, code, unit, name, number, phone, stage, reason, text, at, ref in session.execute(query)
    ]
    frame = pd.DataFrame(rows, columns=corrections.OPEN_COLUMNS)
    return frame.drop_duplicates("member_id").reset_index(drop=True)


# --- checks ------------------------------------------------------------------------------


def _scopes(session: Session) -> list[Scope]:
    return [Scope.everything(), *districts(session)[:2], Scope(root_id=-1, root_path="/nowhere/")]


def assert_same_open_failures(session: Session, campaign_id: int) -> int:
    """Both worklists equal their oracles in every scope (and the bank's at every cut-off);
    returns the rows compared."""
    seen = 0
    for scope in _scopes(session):
        for cutoff in CUTOFFS:
            for full_pii in (False, True):
                old = old_open_failures(session, scope, campaign_id, cutoff, full_pii=full_pii)
                new = bank.open_failures(session, scope, campaign_id, cutoff, full_pii=full_pii)
                pd.testing.assert_frame_equal(new, old, obj=f"bank {scope} at {cutoff} full={full_pii}")
                seen += len(new)
        old = old_correction_failures(session, scope, campaign_id)
        new = corrections.open_failures(session, scope, campaign_id)
        pd.testing.assert_frame_equal(new, old, obj=f"corrections {scope}")
        seen += len(new)
    return seen


# --- tests -------------------------------------------------------------------------------


def test_open_failures_equal_the_old_code(demo_engine: Engine) -> None:
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert assert_same_open_failures(session, campaign_id)  # the demo has open failures to compare


def test_open_failures_equal_the_old_code_with_bulk_corrections_and_repeat_failures(demo_engine: Engine) -> None:
    """Rows loaded without events (``member.corrected_at`` only, as the scale generator writes
    them) and members failed twice still give what the old code gave."""
    with write_session(demo_engine) as session:
        failed = session.scalars(
            select(BankResult.member_id).where(BankResult.outcome == "failed").order_by(BankResult.member_id)
        ).all()
        assert failed
        # every other failed member: its correction events dropped, the member row keeps the time
        chosen = failed[::2]
        session.execute(
            update(Member).where(Member.id.in_(chosen), Member.corrected_at.is_(None)).values(corrected_at=max(CUTOFFS))
        )
        session.execute(
            MemberEvent.__table__.delete().where(MemberEvent.member_id.in_(chosen[::2]), MemberEvent.kind == "corrected")
        )
    with read_session(demo_engine) as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
        assert assert_same_open_failures(session, campaign_id)


def test_sqlite_reads_the_open_failures_from_the_indexes(engine: Engine) -> None:
    """On SQLite, the failures, corrections and productions come from the 0012 partial indexes
    (no scan of the results or events)."""
    if engine.dialect.name != "sqlite":
        return
    cutoff = max(CUTOFFS)
    with read_session(engine) as session:
        captured: list[str] = []
        connection = session.connection()
        original = bank._read

        def capture(session_: Session, query):  # type: ignore[no-untyped-def]
            compiled = query.compile(connection, compile_kwargs={"literal_binds": True})
            captured.extend(row[3] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
            return original(session_, query)

        bank._read = capture  # type: ignore[assignment]
        try:
            bank.open_failures(session, Scope.everything(), 1, cutoff)
        finally:
            bank._read = original  # type: ignore[assignment]
    plan = "\n".join(captured)
    assert "COVERING INDEX ix_bank_result_failed" in plan, plan
    assert "COVERING INDEX ix_member_event_corrected" in plan, plan
    assert "COVERING INDEX ix_bank_result_produced" in plan, plan
    assert "SCAN member_event" not in plan.replace("SCAN member_event USING COVERING INDEX ix_member_event_corrected", ""), plan
