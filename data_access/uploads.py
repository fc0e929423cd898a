"""Storing a validated member sheet: the upload, its findings, the unit's members, the audit row.

All in the caller's transaction (nothing commits here), so a failure leaves nothing behind;
the same bytes uploaded again for a unit are recognised by their SHA-256 and change nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from campaign.rules.id_number import id_hash
from campaign.validate import Result
from data_access.audit import log_import
from data_access.models import Finding, Member, OrgUnit, Upload

NOT_YET_SUBMITTED = ("collected", "validated")
CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """What ``store_upload`` did: the upload's id, whether it was already there, members written."""

    upload_id: int
    recognised: bool
    attempt: int
    members_stored: int
    error_count: int
    warning_count: int


def sha256_hex(content: bytes) -> str:
    """The SHA-256 of an upload's bytes, as hex."""
    return hashlib.sha256(content).hexdigest()


def find_upload(session: Session, unit_id: int, digest: str) -> Upload | None:
    """The unit's upload of exactly these bytes, if any."""
    return session.scalar(select(Upload).where(Upload.unit_id == unit_id, Upload.sha256 == digest))


def store_upload(
    session: Session,
    *,
    campaign_id: int,
    unit_id: int,
    file_name: str,
    content_bytes: bytes,
    result: Result,
    uploaded_by: str | None,
    now: datetime,
) -> StoredUpload:
    """Record an upload and its findings; when clean, make its rows the unit's members.

    Clean (no errors): the unit's members not yet submitted are replaced by the sheet's rows
    (stage 'validated', collected_at = validated_at = now). Idempotent per (unit, SHA-256).
    """
    digest = sha256_hex(content_bytes)
    existing = find_upload(session, unit_id, digest)
    if existing is not None:
        return StoredUpload(existing.id, True, existing.attempt, 0, existing.error_count, existing.warning_count)
    previous = (
        session.scalar(
            select(func.count()).select_from(Upload).where(Upload.unit_id == unit_id, Upload.campaign_id == campaign_id)
        )
        or 0
    )
    upload = Upload(
        campaign_id=campaign_id,
        unit_id=unit_id,
        file_name=file_name[:255],
        sha256=digest,
        uploaded_by=uploaded_by,
        uploaded_at=now,
        rows=len(result.members),
        error_count=result.error_count,
        warning_count=result.warning_count,
        attempt=previous + 1,
    )
    session.add(upload)
    session.flush()
    multi = len(result.workbook.sheets) > 1
    issues = [
        {
            "upload_id": upload.id,
            "row": f.row,
            "column": (f"{f.sheet}!{f.column}" if multi and f.column else f.column or None),
            "code": f.code,
            "severity": f.severity,
            "message": f.message,
            "suggestion": f.suggestion,
        }
        for f in result.findings
    ]
    if issues:
        session.execute(insert(Finding), issues)
    stored = 0
    if result.is_clean:
        session.execute(
            delete(Member).where(
                Member.campaign_id == campaign_id,
                Member.unit_id == unit_id,
                Member.stage.in_(NOT_YET_SUBMITTED),
            )
        )
        clean = result.clean_members()
        births = clean["birth_date"].dt.date.tolist() if len(clean) else []
        rows = [
            {
                "campaign_id": campaign_id,
                "unit_id": unit_id,
                "upload_id": upload.id,
                "sheet_row": int(row),
                "name": name,
                "id_number": number,
                "id_hash": id_hash(number),
                "phone": phone,
                "sex": sex,
                "birth_date": born,
                "stage": "validated",
                "collected_at": now,
                "validated_at": now,
            }
            for row, name, number, phone, sex, born in zip(
                clean["row"].tolist(),
                clean["name"].tolist(),
                clean["id_number"].tolist(),
                clean["phone"].tolist(),
                clean["sex"].tolist(),
                births,
                strict=True,
            )
        ]
        if rows:
            session.execute(insert(Member), rows)
        stored = len(rows)
    log_import(
        session,
        uploaded_by,
        f"upload:{upload.id}:{file_name}",
        len(result.members),
        f"unit={unit_id} errors={result.error_count} warnings={result.warning_count} members={stored}",
    )
    return StoredUpload(upload.id, False, upload.attempt, stored, result.error_count, result.warning_count)


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def known_ids_for_campaign(
    session: Session,
    campaign_id: int,
    exclude_unit_id: int | None,
    id_hashes: Iterable[str] | None = None,
) -> dict[str, str]:
    """id_hash → where that person already is (another unit of the campaign, and the row).

    Pass ``id_hashes`` (the sheet's) to look only those up; without it, the whole campaign.
    """
    query = (
        select(Member.id_hash, OrgUnit.name, Member.sheet_row)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id)
    )
    if exclude_unit_id is not None:
        query = query.where(Member.unit_id != exclude_unit_id)
    batches = (
        [query]
        if id_hashes is None
        else [query.where(Member.id_hash.in_(chunk)) for chunk in _chunks(sorted(set(id_hashes)))]
    )
    found: dict[str, str] = {}
    for batch in batches:
        for digest, unit_name, row in session.execute(batch):
            found[digest] = f"{unit_name}" + (f"（第{row}行）" if row else "")
    return found


def submitted_ids_for_unit(session: Session, campaign_id: int, unit_id: int) -> Mapping[str, str]:
    """id_hash → stage, for the unit's members already past submission (a new sheet can't
    replace them, so the same person again is a duplicate within the unit)."""
    rows = session.execute(
        select(Member.id_hash, Member.stage).where(
            Member.campaign_id == campaign_id,
            Member.unit_id == unit_id,
            Member.stage.not_in(NOT_YET_SUBMITTED),
        )
    )
    return {digest: f"已提交（{stage}）" for digest, stage in rows}


def unit_card_name(session: Session, unit_id: int) -> str | None:
    """The card unit name (办卡单位) registered for a unit, else its name."""
    row = session.execute(
        select(OrgUnit.card_unit_name, OrgUnit.name).where(OrgUnit.id == unit_id)
    ).first()
    return None if row is None else (row[0] or row[1])
