"""Bank batches: which members are ready for the bank, making a batch of them, the bank's file.

A member is ready when live (neither superseded nor withdrawn), approved or corrected after a
bank failure (the cached ``member.stage``), and not in a batch still waiting for its result.
A batch belongs to one district; its reference reads PC-<district code>-<YYYYMMDD>-<n>.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, exists, func, insert, select
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.formats import bank_open
from campaign.timeutil import now_utc, utc_to_local
from data_access import bank
from data_access.actions.base import (
    CHUNK,
    NotAllowed,
    NotFound,
    add_events,
    lock_org,
    log_action,
    org_in_scope,
    require_role,
)
from data_access.audit import log_export
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.metrics import count_if
from data_access.models import BankBatch, BankBatchMember, BankResult, Member, OrgUnit
from data_access.scope import Scope

READY_STAGES = ("approved", "corrected")
BATCH_ROLES = ("district_leader", "admin")
MAX_BRANCH = 100
READY_COLUMNS = ["member_id", "unit_id", "unit_code", "unit_name", "card_unit_name", "area_id", "district_id", "stage"]


class BranchMissing(ActionRefused):
    """A batch names the bank branch it goes to."""

    key = "bankwf.branch_missing"


class EmptySelection(ActionRefused):
    """No ready member in the chosen district, area or units."""

    key = "bankwf.empty_selection"


class MembersNotReady(ActionRefused):
    """Some chosen members are not ready (not approved, already in a waiting batch, ...)."""

    key = "bankwf.members_not_ready"


class OutsideDistrict(ActionRefused):
    """An area or unit chosen for a batch lies outside the batch's district."""

    key = "bankwf.outside_district"


class FullPiiRefused(ActionRefused):
    """The bank's file holds full ID numbers: only roles that may see them get it."""

    key = "bankwf.pii_refused"


@dataclass(frozen=True)
class BatchCreated:
    """What ``create_batch`` wrote."""

    batch_id: int
    reference: str
    member_count: int
    unit_count: int


@dataclass(frozen=True)
class BankFile:
    """The bank's batch-opening workbook of one batch."""

    file_name: str
    data: bytes
    rows: int
    units: int


def waiting_in_batch() -> object:
    """SQL condition: the member sits in a batch whose result for them has not come back."""
    result = exists().where(BankResult.member_id == BankBatchMember.member_id, BankResult.batch_id == BankBatchMember.batch_id)
    return exists().where(BankBatchMember.member_id == Member.id, ~result)


def _ready_query(scope: Scope, campaign_id: int, district_id: int | None, area_id: int | None, unit_ids: Sequence[int] | None):  # type: ignore[no-untyped-def]
    query = (
        select(
            Member.id.label("member_id"), Member.unit_id, OrgUnit.code.label("unit_code"), OrgUnit.name.label("unit_name"),
            func.coalesce(OrgUnit.card_unit_name, OrgUnit.name).label("card_unit_name"),
            OrgUnit.area_id, OrgUnit.district_id, Member.stage,
        )
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(
            Member.campaign_id == campaign_id,
            live(),
            Member.stage.in_(READY_STAGES),
            scope.org_filter(OrgUnit),
            ~waiting_in_batch(),  # type: ignore[operator]
        )
    )
    if district_id is not None:
        query = query.where(OrgUnit.district_id == district_id)
    if area_id is not None:
        query = query.where(OrgUnit.area_id == area_id)
    if unit_ids is not None:
        query = query.where(OrgUnit.id.in_(list(unit_ids)))
    return query


def ready_members(
    session: Session, scope: Scope, campaign_id: int, *,
    district_id: int | None = None, area_id: int | None = None, unit_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Members ready for the bank inside the scope (no personal data), ordered by unit."""
    query = _ready_query(scope, campaign_id, district_id, area_id, unit_ids).order_by(OrgUnit.code, Member.id)
    return pd.DataFrame(session.execute(query).all(), columns=READY_COLUMNS)


def ready_by_unit(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Per unit with ready members: how many, of which corrected after a bank failure."""
    ready = _ready_query(scope, campaign_id, None, None, None).subquery("ready")
    query = (
        select(
            ready.c.unit_id, ready.c.unit_code, ready.c.unit_name, ready.c.card_unit_name, ready.c.area_id, ready.c.district_id,
            func.count().label("ready"),
            count_if(ready.c.stage == "corrected").label("corrected"),
        )
        .group_by(ready.c.unit_id, ready.c.unit_code, ready.c.unit_name, ready.c.card_unit_name, ready.c.area_id, ready.c.district_id)
        .order_by(ready.c.unit_code)
    )
    columns = ["unit_id", "unit_code", "unit_name", "card_unit_name", "area_id", "district_id", "ready", "corrected"]
    frame = pd.DataFrame(session.execute(query).all(), columns=columns)
    frame["corrected"] = frame["corrected"].fillna(0).astype(int)
    return frame


def _district(session: Session, user: CurrentUser, district_id: int) -> OrgUnit:
    district = org_in_scope(session, user, district_id)
    if district.level != "district":
        raise NotFound(what=f"district {district_id}")
    return district


def next_reference(session: Session, district: OrgUnit, at: datetime) -> str:
    """PC-<district code>-<local YYYYMMDD>-<n>, n counting that district's batches that day."""
    stem = f"PC-{district.code}-{utc_to_local(at):%Y%m%d}-"
    taken = session.scalars(select(BankBatch.reference).where(BankBatch.reference.startswith(stem, autoescape=True))).all()
    numbers = [int(ref[len(stem):]) for ref in taken if ref[len(stem):].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1}"


def create_batch(
    session: Session, user: CurrentUser, campaign_id: int, *,
    district_id: int, unit_ids: Sequence[int] | None = None, area_id: int | None = None,
    member_ids: Sequence[int] | None = None, branch: str, at: datetime | None = None,
) -> BatchCreated:
    """Put ready members of a district (all, an area's, some units' or chosen ones) in a new
    batch for a bank branch: the batch, its member rows, 'sent_to_bank' events, an audit row."""
    at = at or now_utc()
    require_role(user, BATCH_ROLES)
    district = _district(session, user, district_id)
    branch = (branch or "").strip()
    if not branch or len(branch) > MAX_BRANCH:
        raise BranchMissing(limit=MAX_BRANCH)
    if area_id is not None:
        area = org_in_scope(session, user, area_id)
        if area.level != "area" or area.district_id != district.id:
            raise OutsideDistrict(what=area.name)
    if unit_ids is not None:
        units = session.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.district_id, OrgUnit.level).where(OrgUnit.id.in_(list(unit_ids)))).all()
        if len(units) != len(set(unit_ids)):
            raise NotFound(what="unit")
        for unit in units:
            if unit.level != "unit" or unit.district_id != district.id:
                raise OutsideDistrict(what=unit.name)
    lock_org(session, district.id)
    ready = ready_members(session, user.scope, campaign_id, district_id=district.id, area_id=area_id, unit_ids=unit_ids)
    if member_ids is not None:
        chosen = set(member_ids)
        not_ready = chosen - set(ready["member_id"].tolist())
        if not_ready:
            raise MembersNotReady(count=len(not_ready))
        ready = ready[ready["member_id"].isin(chosen)]
    if ready.empty:
        raise EmptySelection()
    reference = next_reference(session, district, at)
    batch = BankBatch(
        campaign_id=campaign_id, district_id=district.id, reference=reference, sent_at=at, branch=branch,
        member_count=len(ready), created_by=user.login,
    )
    session.add(batch)
    session.flush()
    pairs = list(zip(ready["member_id"].astype(int).tolist(), ready["unit_id"].astype(int).tolist(), strict=True))
    rows = [{"batch_id": batch.id, "member_id": member_id} for member_id, _ in pairs]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(BankBatchMember), rows[start : start + CHUNK])
    add_events(session, pairs, "sent_to_bank", campaign_id=campaign_id, at=at, by=user.login, batch_id=batch.id)
    units = int(ready["unit_id"].nunique())
    log_action(session, user, "batch", reference, len(pairs), f"district={district.code} branch={branch} units={units}")
    return BatchCreated(batch.id, reference, len(pairs), units)


def batch_by_reference(session: Session, user: CurrentUser, reference: str) -> BankBatch:
    """The batch with this reference, if its district lies in the user's scope."""
    batch = session.scalar(select(BankBatch).where(BankBatch.reference == reference.strip()))
    if batch is None:
        raise NotFound(what=f"batch {reference}")
    _district_of(session, user, batch)
    return batch


def _district_of(session: Session, user: CurrentUser, batch: BankBatch) -> OrgUnit:
    district = session.get(OrgUnit, batch.district_id)
    if district is None or not user.scope.contains_path(district.path):
        raise NotFound(what=f"batch {batch.reference}")
    return district


def batch_members(session: Session, batch_id: int) -> pd.DataFrame:
    """The batch's members with their card unit (full personal data: callers check the role)."""
    query = (
        select(
            Member.id.label("member_id"), func.coalesce(OrgUnit.card_unit_name, OrgUnit.name).label("card_unit"),
            OrgUnit.code.label("unit_code"), Member.name, Member.id_number, Member.phone,
        )
        .join(BankBatchMember, and_(BankBatchMember.member_id == Member.id, BankBatchMember.batch_id == batch_id))
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .order_by(OrgUnit.code, Member.sheet_row, Member.id)
    )
    return pd.DataFrame(session.execute(query).all(), columns=["member_id", "card_unit", "unit_code", "name", "id_number", "phone"])


def batch_file(session: Session, user: CurrentUser, batch_id: int, *, lang: str = "zh") -> BankFile:
    """The bank's batch-opening workbook (one sheet per card unit), for full-PII roles only;
    the download is audited with its row count in the caller's transaction."""
    if not user.sees_full_pii:
        raise FullPiiRefused(role=user.role)
    require_role(user, BATCH_ROLES)
    batch = session.get(BankBatch, batch_id)
    if batch is None:
        raise NotFound(what=f"batch {batch_id}")
    district = _district_of(session, user, batch)
    members = batch_members(session, batch.id)
    header = bank_open.BatchHeader(
        reference=batch.reference, district=district.name, branch=batch.branch,
        sent_at=utc_to_local(batch.sent_at), member_count=len(members),
    )
    data = bank_open.write_batch_workbook(header, members, lang)
    name = bank_open.batch_file_name(batch.reference, lang)
    log_export(session, user.login, name, len(members), f"bank batch file {batch.reference}")
    return BankFile(name, data, len(members), int(members["card_unit"].nunique()))


def batch_list(session: Session, scope: Scope, campaign_id: int, cutoff: datetime | None = None) -> pd.DataFrame:
    """Batches in the scope with their results so far and a status: waiting (no result yet),
    partial (some results in) or done (every member has a result)."""
    frame = bank.batches(session, scope, campaign_id, cutoff or now_utc())
    status = ["waiting" if r == 0 else ("done" if r >= m else "partial") for r, m in zip(frame["results"], frame["member_count"], strict=True)]
    return frame.assign(status=pd.Series(status, index=frame.index, dtype=object))


__all__ = [
    "BankFile", "BatchCreated", "BranchMissing", "EmptySelection", "FullPiiRefused", "MembersNotReady", "NotAllowed",
    "OutsideDistrict", "READY_STAGES", "batch_by_reference", "batch_file", "batch_list", "batch_members", "create_batch",
    "next_reference", "ready_by_unit", "ready_members", "waiting_in_batch",
]
