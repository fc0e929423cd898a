"""Bank results of a batch: preview a result file (what would be written, every refused line and
why), then import it all or nothing. The same file twice for a batch changes nothing.

Lines are matched to the batch's members by the keyed ID hash. A line is refused when its ID is
missing or malformed, not a member of this batch (unknown, or outside the user's scope), of
another batch, repeated in the file, its outcome or failure reason is not understood, or the
transition is impossible (the member already produced, withdrawn, or already has another
result in this batch). A line that repeats a result already recorded is left unchanged.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, insert, select
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.formats import bank_result
from campaign.i18n import t
from campaign.masking import mask_id
from campaign.rules.id_number import id_hash
from campaign.sheets.isolated import read_untrusted
from campaign.stages import BANK_FAILURE_REASONS, stage_rank
from campaign.timeutil import now_utc
from data_access import summary
from data_access.actions.base import CHUNK, NotFound, add_events, log_action, require_role
from data_access.actions.batch import BATCH_ROLES
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import BankBatch, BankBatchMember, BankResult, BankResultImport, Member, OrgUnit

REFUSAL_CODES = (
    "id_missing", "id_excel_number", "id_malformed", "not_in_batch", "other_batch", "duplicate_line",
    "bad_outcome", "reason_missing", "unknown_reason", "already_produced", "withdrawn", "already_other_result",
)
SHOWN_REFUSALS = 200


class ResultLinesRefused(ActionRefused):
    """The file has refused lines: nothing is imported until it is corrected."""

    key = "bankwf.lines_refused"


@dataclass(frozen=True)
class RefusedLine:
    """One line of the file that cannot be imported, and why (``code`` in REFUSAL_CODES)."""

    sheet_row: int
    id_masked: str
    code: str
    detail: str = ""

    def message(self, lang: str = "zh") -> str:
        """The reason in a language."""
        return t(f"bankwf.refuse.{self.code}", lang, detail=self.detail)


@dataclass(frozen=True)
class Preview:
    """What importing the file would do; ``refused`` lines block the import."""

    batch_id: int
    reference: str
    file_name: str
    sha256: str
    lines: int
    produced: int
    failed: int
    unchanged: int
    missing: int
    name_differs: int
    refused: tuple[RefusedLine, ...]
    already_imported: bool
    writes: tuple[tuple[int, int, str, str | None, str | None, str | None, int], ...] = field(repr=False, default=())

    @property
    def ok(self) -> bool:
        """Nothing refused: the import would go through."""
        return not self.refused

    def refused_counts(self) -> dict[str, int]:
        """Refused lines per reason code."""
        counts: dict[str, int] = defaultdict(int)
        for line in self.refused:
            counts[line.code] += 1
        return dict(counts)

    def refused_frame(self, lang: str = "zh") -> pd.DataFrame:
        """The refused lines as a table (ID masked): row, ID, reason."""
        return pd.DataFrame(
            [(r.sheet_row, r.id_masked, r.message(lang)) for r in self.refused], columns=["sheet_row", "id_masked", "reason"]
        )


@dataclass(frozen=True)
class ImportResult:
    """What ``import_results`` wrote (nothing when ``already_imported``)."""

    batch_id: int
    reference: str
    import_id: int | None
    produced: int
    failed: int
    unchanged: int
    already_imported: bool


def _batch(session: Session, user: CurrentUser, batch_id: int) -> BankBatch:
    require_role(user, BATCH_ROLES)
    batch = session.get(BankBatch, batch_id)
    if batch is None:
        raise NotFound(what=f"batch {batch_id}")
    district = session.get(OrgUnit, batch.district_id)
    if district is None or not user.scope.contains_path(district.path):
        raise NotFound(what=f"batch {batch_id}")
    return batch


def _members(session: Session, batch_id: int) -> dict[str, tuple[int, int, str, str, bool, str | None]]:
    """id_hash -> (member_id, unit_id, name, stage, live, outcome already recorded in the batch)."""
    query = (
        select(
            Member.id_hash, Member.id, Member.unit_id, Member.name, Member.stage,
            live().label("live"), BankResult.outcome,
        )
        .join(BankBatchMember, and_(BankBatchMember.member_id == Member.id, BankBatchMember.batch_id == batch_id))
        .outerjoin(BankResult, and_(BankResult.member_id == Member.id, BankResult.batch_id == batch_id))
    )
    return {row[0]: (row[1], row[2], row[3], row[4], bool(row[5]), row[6]) for row in session.execute(query)}


def _other_batches(session: Session, user: CurrentUser, campaign_id: int, hashes: list[str], batch_id: int) -> dict[str, str]:
    """id_hash -> reference of another batch of the user's scope that holds the person."""
    found: dict[str, str] = {}
    for start in range(0, len(hashes), CHUNK):
        query = (
            select(Member.id_hash, BankBatch.reference)
            .join(BankBatchMember, BankBatchMember.member_id == Member.id)
            .join(BankBatch, BankBatch.id == BankBatchMember.batch_id)
            .join(OrgUnit, OrgUnit.id == Member.unit_id)
            .where(
                Member.campaign_id == campaign_id, Member.id_hash.in_(hashes[start : start + CHUNK]),
                BankBatch.id != batch_id, user.scope.org_filter(OrgUnit),
            )
            .order_by(BankBatch.sent_at.desc())
        )
        for digest, reference in session.execute(query):
            found.setdefault(digest, reference)
    return found


def preview_results(session: Session, user: CurrentUser, batch_id: int, data: bytes, file_name: str) -> Preview:
    """Read the bank's result file for a batch and say what importing it would do (writes nothing)."""
    batch = _batch(session, user, batch_id)
    digest = hashlib.sha256(data).hexdigest()
    already = session.scalar(
        select(BankResultImport.id).where(BankResultImport.batch_id == batch.id, BankResultImport.sha256 == digest)
    )
    lines = read_untrusted(bank_result.read_result_file, data, file_name)  # a limited worker process
    members = _members(session, batch.id)
    hashes = [id_hash(n) if n and not p else "" for n, p in zip(lines["id_number"], lines["id_problem"], strict=True)]
    unknown = sorted({h for h in hashes if h and h not in members})
    elsewhere = _other_batches(session, user, batch.campaign_id, unknown, batch.id) if unknown else {}
    refused: list[RefusedLine] = []
    writes: list[tuple[int, int, str, str | None, str | None, str | None, int]] = []
    first_row: dict[str, int] = {}
    produced = failed = unchanged = name_differs = 0
    for line, digest_id in zip(lines.itertuples(index=False), hashes, strict=True):
        row, shown = int(line.sheet_row), mask_id(line.id_number)
        if line.id_problem:
            refused.append(RefusedLine(row, shown, line.id_problem))
            continue
        if digest_id in first_row:
            refused.append(RefusedLine(row, shown, "duplicate_line", str(first_row[digest_id])))
            continue
        first_row[digest_id] = row
        member = members.get(digest_id)
        if member is None:
            other = elsewhere.get(digest_id)
            refused.append(RefusedLine(row, shown, "other_batch", other) if other else RefusedLine(row, shown, "not_in_batch"))
            continue
        member_id, unit_id, name, stage, live, recorded = member
        if not line.outcome:
            refused.append(RefusedLine(row, shown, "bad_outcome", line.outcome_text))
            continue
        reason = line.reason_code or None
        if line.outcome == "failed" and not reason:
            code = "unknown_reason" if line.reason_text else "reason_missing"
            refused.append(RefusedLine(row, shown, code, line.reason_text))
            continue
        if recorded is not None:
            if recorded == line.outcome:
                unchanged += 1
            else:
                refused.append(RefusedLine(row, shown, "already_other_result", recorded))
            continue
        if not live:
            refused.append(RefusedLine(row, shown, "withdrawn"))
            continue
        if stage_rank(stage) >= stage_rank("produced"):
            refused.append(RefusedLine(row, shown, "already_produced"))
            continue
        if line.name and line.name != name:
            name_differs += 1
        text = (line.reason_text or BANK_FAILURE_REASONS[reason][0]) if reason else None
        writes.append((member_id, unit_id, line.outcome, reason, text, line.card_masked or None, row))
        produced += line.outcome == "produced"
        failed += line.outcome == "failed"
    answered = set(first_row)
    missing = sum(1 for h, m in members.items() if h not in answered and m[5] is None)
    return Preview(
        batch_id=batch.id, reference=batch.reference, file_name=file_name, sha256=digest, lines=len(lines),
        produced=produced, failed=failed, unchanged=unchanged, missing=missing, name_differs=name_differs,
        refused=tuple(refused), already_imported=already is not None, writes=tuple(writes),
    )


def import_results(
    session: Session, user: CurrentUser, batch_id: int, data: bytes, file_name: str, *, at: datetime | None = None
) -> ImportResult:
    """Import a result file all or nothing: the import row, one result per line, 'produced' /
    'failed' events (with the reason) and an audit row; refused lines refuse the whole file."""
    at = at or now_utc()
    batch = _batch(session, user, batch_id)
    session.execute(select(BankBatch.id).where(BankBatch.id == batch.id).with_for_update())
    preview = preview_results(session, user, batch_id, data, file_name)
    if preview.already_imported:
        return ImportResult(batch.id, batch.reference, None, 0, 0, 0, True)
    if preview.refused:
        raise ResultLinesRefused(count=len(preview.refused), lines=preview.lines)
    record = BankResultImport(
        batch_id=batch.id, sha256=preview.sha256, file_name=file_name[:255], by=user.login, at=at,
        lines=preview.lines, produced=preview.produced, failed=preview.failed,
    )
    session.add(record)
    session.flush()
    rows = [
        {
            "member_id": member_id, "batch_id": batch.id, "outcome": outcome, "reason_code": reason,
            "reason_text": text, "card_number_masked": card, "at": at, "import_id": record.id,
        }
        for member_id, _, outcome, reason, text, card, _ in preview.writes
    ]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(BankResult), rows[start : start + CHUNK])
    summary.add_bank_results(
        session, batch.campaign_id, ((batch.id, u, outcome, reason, at) for _m, u, outcome, reason, *_ in preview.writes)
    )
    produced = [(m, u) for m, u, outcome, *_ in preview.writes if outcome == "produced"]
    add_events(session, produced, "produced", campaign_id=batch.campaign_id, at=at, by=user.login, batch_id=batch.id)
    by_reason: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m, u, outcome, reason, *_ in preview.writes:
        if outcome == "failed" and reason:
            by_reason[reason].append((m, u))
    for reason, pairs in by_reason.items():
        add_events(session, pairs, "failed", campaign_id=batch.campaign_id, at=at, by=user.login, batch_id=batch.id, reason=reason)
    log_action(
        session, user, "results", batch.reference, preview.lines,
        f"file={file_name[:100]} sha256={preview.sha256[:16]} produced={preview.produced} failed={preview.failed} unchanged={preview.unchanged}",
    )
    return ImportResult(batch.id, batch.reference, record.id, preview.produced, preview.failed, preview.unchanged, False)


__all__ = ["ImportResult", "Preview", "REFUSAL_CODES", "RefusedLine", "ResultLinesRefused", "import_results", "preview_results"]
