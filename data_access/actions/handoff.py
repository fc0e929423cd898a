"""Hand-off to the city card system (the seed's last step): every delivered (or activated) card
of the user's scope not handed off before, as xlsx and CSV; recorded as a ``handoff`` with its
``handoff_member`` rows and a 'handed_off' event per member, so the next one carries only what
is new. Past hand-offs can be downloaded again (rebuilt from their member rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, func, insert, select
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.formats.handoff import handoff_csv, handoff_xlsx
from campaign.masking import mask_id
from campaign.timeutil import now_utc, utc_to_local
from data_access.actions.base import CHUNK, NotAllowed, NotFound, add_events, log_action, require_role
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import BankResult, Campaign, Handoff, HandoffMember, Member, OrgUnit

ROLES = ("admin", "district_leader")


class NothingToHandOff(ActionRefused):
    """No delivered card in the scope is waiting for a hand-off."""

    key = "ho.nothing_new"


@dataclass(frozen=True)
class HandoffResult:
    """One recorded hand-off and its files."""

    handoff_id: int
    members: int
    file_name: str
    xlsx: bytes
    csv: bytes
    at: datetime


@dataclass(frozen=True)
class HandoffStatus:
    """Where the scope stands: cards waiting for a hand-off, the last one, all handed so far."""

    pending: int
    last_at: datetime | None
    last_count: int
    handed_total: int


def _live_delivered(campaign_id: int):  # type: ignore[no-untyped-def]
    return (
        Member.campaign_id == campaign_id, live(),
        Member.delivered_at.is_not(None),
    )


def _pending(user: CurrentUser, campaign_id: int, *columns: Any) -> Select[Any]:
    done = select(HandoffMember.member_id)
    return (
        select(*columns).select_from(Member).join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(*_live_delivered(campaign_id), user.scope.org_filter(OrgUnit), Member.id.not_in(done))
    )


def _pending_ids(session: Session, user: CurrentUser, campaign_id: int) -> dict[int, int]:
    return {int(m): int(u) for m, u in session.execute(_pending(user, campaign_id, Member.id, Member.unit_id))}


def _day(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    return f"{utc_to_local(pd.Timestamp(value).to_pydatetime()):%Y-%m-%d}"  # type: ignore[arg-type]


def handoff_rows(session: Session, user: CurrentUser, member_ids: list[int]) -> pd.DataFrame:
    """The file's rows for these members (ID masked unless the role sees it in full)."""
    area, district = aliased(OrgUnit), aliased(OrgUnit)
    rows: list[dict[str, object]] = []
    ids = sorted(member_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        cards: dict[int, str] = {}
        for member_id, card in session.execute(
            select(BankResult.member_id, BankResult.card_number_masked)
            .where(BankResult.member_id.in_(chunk), BankResult.outcome == "produced").order_by(BankResult.at)
        ):
            cards[member_id] = card or ""
        query = (
            select(Member.id, Member.name, Member.id_number, OrgUnit.card_unit_name, OrgUnit.name, area.name, district.name,
                   Member.produced_at, Member.received_at, Member.delivered_at, Member.activated_at)
            .join(OrgUnit, OrgUnit.id == Member.unit_id)
            .outerjoin(area, area.id == OrgUnit.area_id)
            .outerjoin(district, district.id == OrgUnit.district_id)
            .where(Member.id.in_(chunk))
        )
        for m, name, number, card_unit, unit, area_name, district_name, produced, received, delivered, activated in session.execute(query):
            rows.append({
                "member_id": m, "name": name, "id_number": number if user.sees_full_pii else mask_id(number),
                "card_unit_name": card_unit or unit, "unit_name": unit, "area_name": area_name or "",
                "district_name": district_name or "", "card_number": cards.get(m, ""),
                "produced_on": _day(produced), "received_on": _day(received), "delivered_on": _day(delivered),
                "activated_on": _day(activated),
            })
    frame = pd.DataFrame(rows, columns=["member_id", "name", "id_number", "card_unit_name", "unit_name", "area_name", "district_name",
                                        "card_number", "produced_on", "received_on", "delivered_on", "activated_on"])
    return frame.sort_values(["district_name", "card_unit_name", "member_id"]).reset_index(drop=True)


def handoff(session: Session, user: CurrentUser, campaign_id: int, *, at: datetime | None = None, lang: str = "zh") -> HandoffResult:
    """Hand off every delivered card of the scope not handed off before: the files, the
    hand-off row, its members, a 'handed_off' event each, the audit row."""
    require_role(user, ROLES)
    if session.get(Campaign, campaign_id) is None:
        raise NotFound(what=f"campaign {campaign_id}")
    at = at or now_utc()
    members = _pending_ids(session, user, campaign_id)
    if not members:
        raise NothingToHandOff()
    file_name = f"handoff-{campaign_id}-{utc_to_local(at):%Y%m%d-%H%M}.xlsx"
    row = Handoff(campaign_id=campaign_id, scope_id=user.scope.root_id, by=user.login, at=at, member_count=len(members), file_name=file_name)
    session.add(row)
    session.flush()
    links = [{"handoff_id": row.id, "member_id": m} for m in sorted(members)]
    for start in range(0, len(links), CHUNK):
        session.execute(insert(HandoffMember), links[start : start + CHUNK])
    add_events(session, members, "handed_off", campaign_id=campaign_id, at=at, by=user.login, note=f"handoff={row.id}")
    frame = handoff_rows(session, user, list(members))
    log_action(session, user, "handoff", file_name, len(members),
               f"campaign={campaign_id} handoff={row.id} scope={user.scope.cache_key()} full_ids={user.sees_full_pii}")
    return HandoffResult(row.id, len(members), file_name, handoff_xlsx(frame, lang), handoff_csv(frame, lang), at)


def handoff_history(session: Session, user: CurrentUser, campaign_id: int) -> pd.DataFrame:
    """Hand-offs of the user's scope (or a part of it), newest first."""
    scope_org = aliased(OrgUnit)
    query = (
        select(Handoff.id, Handoff.at, Handoff.by, Handoff.member_count, Handoff.file_name, scope_org.name)
        .outerjoin(scope_org, scope_org.id == Handoff.scope_id)
        .where(Handoff.campaign_id == campaign_id)
        .order_by(Handoff.at.desc(), Handoff.id.desc())
    )
    if not user.scope.is_everything:
        query = query.where(scope_org.id.is_not(None), user.scope.org_filter(scope_org))
    return pd.DataFrame(session.execute(query).all(), columns=["handoff_id", "at", "by", "member_count", "file_name", "scope_name"])


def handoff_status(session: Session, user: CurrentUser, campaign_id: int) -> HandoffStatus:
    """Cards waiting for a hand-off in the scope, the last hand-off, how many handed in all."""
    history = handoff_history(session, user, campaign_id)
    handed = session.scalar(
        select(func.count(HandoffMember.id)).join(Member, Member.id == HandoffMember.member_id)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, user.scope.org_filter(OrgUnit))
    ) or 0
    pending = int(session.scalar(_pending(user, campaign_id, func.count(Member.id))) or 0)
    if history.empty:
        return HandoffStatus(pending, None, 0, int(handed))
    return HandoffStatus(pending, history["at"].iloc[0].to_pydatetime(), int(history["member_count"].iloc[0]), int(handed))


def handoff_file(session: Session, user: CurrentUser, handoff_id: int, lang: str = "zh") -> tuple[bytes, bytes, int]:
    """A past hand-off's files again (xlsx, csv, rows): only the members in the user's scope."""
    require_role(user, ROLES)
    row = session.get(Handoff, handoff_id)
    if row is None:
        raise NotFound(what=f"handoff {handoff_id}")
    scope_org = session.get(OrgUnit, row.scope_id) if row.scope_id is not None else None
    if not user.scope.is_everything and (scope_org is None or not user.scope.contains_path(scope_org.path)):
        raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    ids = [int(m) for (m,) in session.execute(
        select(HandoffMember.member_id).join(Member, Member.id == HandoffMember.member_id)
        .join(OrgUnit, and_(OrgUnit.id == Member.unit_id, user.scope.org_filter(OrgUnit)))
        .where(HandoffMember.handoff_id == handoff_id)
    )]
    frame = handoff_rows(session, user, ids)
    return handoff_xlsx(frame, lang), handoff_csv(frame, lang), len(frame)


__all__ = ["HandoffResult", "HandoffStatus", "NothingToHandOff", "handoff", "handoff_file", "handoff_history", "handoff_rows", "handoff_status"]
