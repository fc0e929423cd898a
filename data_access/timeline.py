"""A unit's timeline: every upload, submission, review decision, paper receipt, bank batch and
result, card step, chase contact and hand-off of one unit, newest first, in one frame.

Rows: at (Asia/Shanghai wall-clock), kind, what (Chinese or English label), who, detail. User
text (file names, notes, reasons) stays raw here; the page escapes it where markdown renders.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from campaign.i18n import has as _has
from campaign.i18n import t
from campaign.timeutil import utc_to_local
from data_access.models import (
    BankBatch,
    BankBatchMember,
    BankResult,
    BankResultImport,
    CardMovement,
    Chase,
    Handoff,
    HandoffMember,
    Member,
    OrgUnit,
    PaperReceipt,
    ReviewDecision,
    Submission,
    Upload,
)
from data_access.scope import Scope

COLUMNS = ["at", "kind", "what", "who", "detail"]


def _late(submitted: datetime, due: datetime | None, lang: str) -> str:
    if due is None:
        return ""
    if submitted <= due:
        return t("tl.on_time", lang)
    hours = (submitted - due).total_seconds() / 3600
    return t("tl.late_by", lang, days=int(hours // 24), hours=int(hours % 24))


def unit_timeline(
    session: Session, scope: Scope, unit_id: int, lang: str = "zh", show_chases: bool = True
) -> pd.DataFrame:
    """Everything that happened to one unit, newest first (empty when outside the scope).

    ``show_chases`` False leaves out the liaisons' contacts and their internal notes (a unit
    clerk's view: ``data_access.chase.may_record`` says who may see them)."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None or not scope.contains_path(unit.path):
        return pd.DataFrame(columns=COLUMNS)
    rows: list[tuple[datetime, str, str, str | None, str]] = []

    def add(at: datetime | None, kind: str, who: str | None, detail: str) -> None:
        if at is not None:
            rows.append((at, kind, t(f"tl.kind.{kind}", lang), who, detail))

    for up in session.scalars(select(Upload).where(Upload.unit_id == unit_id)):
        state = []
        if up.withdrawn_at is not None:
            state.append(t("tl.withdrawn", lang))
        if up.superseded_at is not None:
            state.append(t("tl.superseded", lang))
        add(up.uploaded_at, "upload", up.uploaded_by, t(
            "tl.upload_detail", lang, file=up.file_name, attempt=up.attempt, part=up.part or "—", rows=up.rows,
            errors=up.error_count, warnings=up.warning_count,
        ) + ("；" + "，".join(state) if state else ""))
        if up.withdrawn_at is not None:
            add(up.withdrawn_at, "withdrawn", up.withdrawn_by, up.file_name)
    for sub in session.scalars(select(Submission).where(Submission.unit_id == unit_id)):
        add(sub.submitted_at, "submission", sub.submitted_by, t(
            "tl.submission_detail", lang, members=sub.member_count if sub.member_count is not None else "—",
            timing=_late(sub.submitted_at, sub.due_at, lang) or (t("tl.on_time", lang) if sub.on_time else t("tl.late", lang)),
            filler=sub.filler_name or "—",
        ))
    decisions = select(ReviewDecision, Submission.id).join(Submission, Submission.id == ReviewDecision.submission_id).where(Submission.unit_id == unit_id)
    for decision, _ in session.execute(decisions):
        reason = t(f"tl.reason.{decision.reason}", lang) if decision.reason and _has(f"tl.reason.{decision.reason}") else (decision.reason or "")
        add(decision.at, f"review_{decision.decision}", decision.by, t(
            "tl.review_detail", lang, level=decision.level, reason=reason or "—", note=decision.note or "—",
        ))
    receipts = select(PaperReceipt).join(Submission, Submission.id == PaperReceipt.submission_id).where(Submission.unit_id == unit_id)
    for receipt in session.scalars(receipts):
        add(receipt.at, "paper", receipt.by, t(
            "tl.paper_detail", lang, sheet="✓" if receipt.sheet else "✗", form="✓" if receipt.unit_form else "✗",
            copies=receipt.id_copies, consents=receipt.consents,
        ))
    batches = (
        select(BankBatch.id, BankBatch.reference, BankBatch.sent_at, BankBatch.created_by, func.count(BankBatchMember.id))
        .join(BankBatchMember, BankBatchMember.batch_id == BankBatch.id)
        .join(Member, Member.id == BankBatchMember.member_id)
        .where(Member.unit_id == unit_id)
        .group_by(BankBatch.id, BankBatch.reference, BankBatch.sent_at, BankBatch.created_by)
    )
    listed: set[int] = set()
    for batch_id, reference, sent_at, by, count in session.execute(batches):
        listed.add(batch_id)
        add(sent_at, "batch", by, t("tl.batch_detail", lang, reference=reference, members=count))
    results = (
        select(BankResult.batch_id, BankBatch.reference, BankBatch.sent_at, BankResult.import_id, BankResultImport.by,
               func.max(BankResult.at), func.sum(case((BankResult.outcome == "produced", 1), else_=0)),
               func.count(BankResult.id))
        .join(Member, Member.id == BankResult.member_id)
        .join(BankBatch, BankBatch.id == BankResult.batch_id)
        .outerjoin(BankResultImport, BankResultImport.id == BankResult.import_id)
        .where(Member.unit_id == unit_id)
        .group_by(BankResult.batch_id, BankBatch.reference, BankBatch.sent_at, BankResult.import_id, BankResultImport.by)
    )
    for batch_id, reference, sent_at, _, by, at, produced, count in session.execute(results):
        if batch_id not in listed:
            listed.add(batch_id)
            add(sent_at, "batch", None, t("tl.batch_detail", lang, reference=reference, members="—"))
        produced = int(produced or 0)
        add(at, "results", by, t("tl.results_detail", lang, reference=reference, produced=produced, failed=int(count) - produced))
    moves = (
        select(CardMovement.step, CardMovement.at, CardMovement.by, CardMovement.handed_to)
        .join(Member, Member.id == CardMovement.member_id)
        .where(Member.unit_id == unit_id)
    )
    frame = pd.DataFrame(session.execute(moves).all(), columns=["step", "at", "by", "handed_to"])
    if not frame.empty:
        frame["day"] = [utc_to_local(pd.Timestamp(v).to_pydatetime()).date() for v in frame["at"]]
        for (step, _day), part in frame.groupby(["step", "day"], sort=False):
            who = "、".join(sorted({str(b) for b in part["by"].dropna()})) or None
            handed = "、".join(sorted({str(h) for h in part["handed_to"].dropna() if h}))
            detail = t("tl.cards_detail", lang, count=len(part)) + (t("tl.handed_to", lang, name=handed) if handed else "")
            add(part["at"].max().to_pydatetime(), f"card_{step}", who, detail)
    contacts = session.scalars(select(Chase).where(Chase.unit_id == unit_id)) if show_chases else []
    for contact in contacts:
        promised = f"；{t('tl.promised', lang)} {contact.promised_date:%Y-%m-%d}" if contact.promised_date else ""
        add(contact.at, "chase", contact.by, f"{t(f'progress.channel.{contact.channel}', lang) if _has(f'progress.channel.{contact.channel}') else contact.channel}：{contact.note}{promised}")
    handoffs = (
        select(Handoff.id, Handoff.at, Handoff.by, func.count(HandoffMember.id))
        .join(HandoffMember, HandoffMember.handoff_id == Handoff.id)
        .join(Member, Member.id == HandoffMember.member_id)
        .where(Member.unit_id == unit_id)
        .group_by(Handoff.id, Handoff.at, Handoff.by)
    )
    for _, at, by, count in session.execute(handoffs):
        add(at, "handoff", by, t("tl.handoff_detail", lang, count=count))
    out = pd.DataFrame(rows, columns=COLUMNS)
    if out.empty:
        return out
    out = out.sort_values("at", ascending=False, kind="stable").reset_index(drop=True)
    out["at"] = [utc_to_local(pd.Timestamp(v).to_pydatetime()) for v in out["at"]]
    return out
