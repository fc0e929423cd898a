"""Corrections to people after submission: a member's name, ID number or mobile corrected, a
member moved to another unit, a person who left withdrawn (administrator, or a district leader
within their scope), each with a reason, each an event in the member's history and one audit row.

History stays append-only. A member row is a cache of one person's record as it stood between
two times, so a correction or a move never rewrites it: the old row is superseded at the time of
the change (a 'superseded' event with the reason and the masked old → new values) and a new live
row is inserted with the corrected values, the same upload and sheet row, and every stage time
reached so far, except ``collected_at``, which is the time of the change (the new row exists from
then on: ``history.live_at`` counts a row only once it was collected, so a past day's figures
still count the old row and never both). The new row's 'collected' event (stage unchanged)
carries the same reason and the old row's id. The rows of one person are those sharing the
campaign, upload and sheet row (``person_rows``).

Bank results, batch membership and card movements point at a member row. A person the bank has
seen (``sent_at`` set) is therefore not corrected or moved here: the bank holds their data, a
bank failure is corrected on the corrections page (``actions.corrections``), anything else goes
through the bank branch. So no bank row ever points at a superseded row because of this module.
A withdrawal is a 'withdrawn' event on the live row (refused while the bank's result is awaited).

The event kinds are the existing ones ('superseded', 'collected', 'withdrawn'; the member_event
CHECK constraint lists them) told apart by ``reason``: info_corrected, moved, left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.i18n import t
from campaign.logsafe import redact
from campaign.masking import mask_id, mask_phone
from campaign.rules import eligibility
from campaign.rules import id_number as id_rules
from campaign.rules import name as name_rules
from campaign.rules import phone as phone_rules
from campaign.timeutil import now_utc
from data_access import summary
from data_access.actions.base import NotAllowed, NotFound, add_events, log_action, require_role, unit_in_scope
from data_access.actions.batch import waiting_in_batch
from data_access.actions.corrections import BadValue, _checked_id, _mask_name
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import Campaign, Member, MemberEvent, OrgUnit

PEOPLE_ROLES = ("admin", "district_leader")
MAX_REASON = 200
SEARCH_LIMIT = 50
# member_event.reason of each change (the kinds are 'superseded' / 'collected' / 'withdrawn').
WHY_CORRECTED = "info_corrected"
WHY_MOVED = "moved"
WHY_LEFT = "left"
FOUND_COLUMNS = ["member_id", "unit_id", "unit_code", "unit_name", "name", "id_number", "phone", "stage"]
HISTORY_COLUMNS = ["at", "kind", "by", "unit_name", "reason", "note", "member_id"]
# Columns of a new row that the insert sets itself (everything else is copied from the old row).
_NOT_COPIED = {"id", "superseded_at", "superseded_by_upload_id", "withdrawn_at"}


class ReasonMissing(ActionRefused):
    """Every change to a person says why."""

    key = "people.reason_missing"


class NotLive(ActionRefused):
    """The row was corrected, moved or withdrawn since (it is history now)."""

    key = "people.not_live"


class AtBank(ActionRefused):
    """The bank has seen this person: corrections go through the failure loop or the bank."""

    key = "people.at_bank"


class WaitingForBank(ActionRefused):
    """The bank's result for this person is awaited."""

    key = "people.waiting_bank"


class NothingChanged(ActionRefused):
    """The new values equal the current ones."""

    key = "people.nothing_changed"


class SameUnit(ActionRefused):
    """A move to the unit the person is already in."""

    key = "people.same_unit"


class RegisteredHere(ActionRefused):
    """The new ID is another live member of the campaign, in the user's scope (named)."""

    key = "people.registered_here"


class RegisteredElsewhere(ActionRefused):
    """The new ID is another live member outside the user's scope (not named: no oracle)."""

    key = "people.registered_elsewhere"


class PhoneShared(ActionRefused):
    """The campaign makes a shared mobile an error, and another member of the unit has it."""

    key = "people.phone_shared"


@dataclass(frozen=True)
class PersonChanged:
    """A correction or move: the row that became history, the new live row, what changed
    (name / id_number / phone / unit), the masked note, and warnings (catalogue texts, zh)."""

    old_member_id: int
    member_id: int
    fields: tuple[str, ...]
    note: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PersonWithdrawn:
    """The member row withdrawn."""

    member_id: int


# --- reading ---------------------------------------------------------------------------


def _scoped(user: CurrentUser, campaign_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Member.id, Member.unit_id, OrgUnit.code, OrgUnit.name, Member.name, Member.id_number, Member.phone, Member.stage)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, live(), user.scope.org_filter(OrgUnit))
    )


def find_members(session: Session, user: CurrentUser, campaign_id: int, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Live members in the user's scope matching a name (or part of one), the last digits of an
    ID or mobile number (4 or more), or a full ID number; admin and district leader only. ID and
    phone are shown in full only to roles that may see them."""
    require_role(user, PEOPLE_ROLES)
    query = _scoped(user, campaign_id)
    typed = id_rules.compact(text or "")
    if len(typed) == 18:
        query = query.where(Member.id_hash == id_rules.id_hash(typed.upper()))
    elif re.fullmatch(r"\d{4,17}[Xx]?", typed):
        tail = typed.upper()
        query = query.where(or_(Member.id_number.endswith(tail, autoescape=True), Member.phone.endswith(tail, autoescape=True)))
    else:
        name = name_rules.compact(text or "")
        if len(name) < 2:
            return pd.DataFrame(columns=FOUND_COLUMNS)
        query = query.where(Member.name.contains(name, autoescape=True))
    rows = session.execute(query.order_by(OrgUnit.code, Member.name, Member.id).limit(limit)).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=FOUND_COLUMNS)
    if not user.sees_full_pii:
        frame["id_number"] = [mask_id(v) for v in frame["id_number"]]
        frame["phone"] = [mask_phone(v) for v in frame["phone"]]
    return frame


def person_rows(session: Session, member_id: int) -> list[int]:
    """Ids of every row of the person a member row belongs to (same campaign, upload and sheet
    row: the rows corrections and moves made from one another), oldest first."""
    member = session.get(Member, member_id)
    if member is None:
        return []
    if member.upload_id is None or member.sheet_row is None:
        return [member.id]
    return list(session.scalars(
        select(Member.id).where(
            Member.campaign_id == member.campaign_id, Member.upload_id == member.upload_id,
            Member.sheet_row == member.sheet_row,
        ).order_by(Member.id)
    ))


def person_history(session: Session, user: CurrentUser, member_id: int) -> pd.DataFrame:
    """Every event of the person (all their rows) oldest first: when, what, who, in which unit,
    reason, note (notes hold masked values only); the member must be in the user's scope."""
    require_role(user, PEOPLE_ROLES)
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(what=f"member {member_id}")
    unit_in_scope(session, user, member.unit_id)
    ids = person_rows(session, member_id)
    query = (
        select(MemberEvent.at, MemberEvent.kind, MemberEvent.by, OrgUnit.name, MemberEvent.reason, MemberEvent.note, MemberEvent.member_id)
        .join(OrgUnit, OrgUnit.id == MemberEvent.unit_id)
        .where(MemberEvent.member_id.in_(ids))
        .order_by(MemberEvent.at, MemberEvent.id)
    )
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=HISTORY_COLUMNS)


def target_units(session: Session, user: CurrentUser, text: str, limit: int = SEARCH_LIMIT) -> pd.DataFrame:
    """Base-level units in the user's scope (not retired) whose name or code contains the text."""
    require_role(user, PEOPLE_ROLES)
    query = select(OrgUnit.id, OrgUnit.code, OrgUnit.name).where(
        OrgUnit.level == "unit", OrgUnit.retired_at.is_(None), user.scope.org_filter(OrgUnit)
    )
    text = (text or "").strip()
    if text:
        query = query.where(or_(OrgUnit.name.contains(text, autoescape=True), OrgUnit.code.contains(text, autoescape=True)))
    rows = session.execute(query.order_by(OrgUnit.code).limit(limit)).all()
    return pd.DataFrame([tuple(row) for row in rows], columns=["unit_id", "code", "name"])


# --- writing ---------------------------------------------------------------------------


def _reason(reason: str | None) -> str:
    """The reason, stripped and shortened, with anything like an ID or mobile number hidden."""
    text = redact(" ".join((reason or "").split()))[:MAX_REASON]
    if not text:
        raise ReasonMissing()
    return text


def _live_member(session: Session, user: CurrentUser, campaign_id: int, member_id: int) -> tuple[Member, OrgUnit]:
    """The member row, locked, if it is live, in the campaign and in the user's scope."""
    require_role(user, PEOPLE_ROLES)
    member = session.get(Member, member_id)
    if member is None or member.campaign_id != campaign_id:
        raise NotFound(what=f"member {member_id}")
    unit = unit_in_scope(session, user, member.unit_id)
    session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    session.refresh(member)
    if member.superseded_at is not None or member.withdrawn_at is not None:
        raise NotLive()
    return member, unit


def _stage_label(stage: str) -> str:
    return t(f"stage.{stage}") if stage else ""


def _not_at_bank(member: Member) -> None:
    if member.sent_at is not None:
        raise AtBank(stage=_stage_label(member.stage))


def _copy_row(session: Session, old: Member, at: datetime, **changes: object) -> int:
    """Insert the new live row: the old row's values and stage times, with the changes; it
    exists from ``at`` on (``collected_at``)."""
    values = {c.key: getattr(old, c.key) for c in Member.__table__.columns if c.key not in _NOT_COPIED}
    values.update(changes, collected_at=at)
    new_id = session.scalar(insert(Member).values(**values).returning(Member.id))
    assert new_id is not None
    summary.add_members(session, [int(new_id)])  # the summary tables, in this transaction
    return int(new_id)


def _replace(
    session: Session, user: CurrentUser, old: Member, at: datetime, why: str, reason: str, note: str, **changes: object
) -> int:
    """Supersede the old row and insert its successor, with the events of both."""
    old_id, old_unit, campaign_id = old.id, old.unit_id, old.campaign_id
    add_events(session, [(old_id, old_unit)], "superseded", campaign_id=campaign_id, at=at, by=user.login,
               reason=why, note=f"{note}; {reason}")
    new_id = _copy_row(session, old, at, **changes)
    new_unit = int(changes.get("unit_id", old_unit))  # type: ignore[call-overload]
    add_events(session, [(new_id, new_unit)], "collected", campaign_id=campaign_id, at=at, by=user.login,
               reason=why, note=f"{note}; ← #{old_id}; {reason}", move_stage=False)
    session.expire(old)
    return new_id


def _duplicate_of(session: Session, user: CurrentUser, member: Member, digest: str, shown: str) -> None:
    """Refuse an ID that another live member of the campaign holds: named within the user's
    scope, only 'registered elsewhere' outside it (like the upload check)."""
    other = session.execute(
        select(OrgUnit.name, OrgUnit.path)
        .join(Member, Member.unit_id == OrgUnit.id)
        .where(Member.campaign_id == member.campaign_id, Member.id_hash == digest, Member.id != member.id, live())
    ).first()
    if other is None:
        return
    if user.scope.contains_path(other.path):
        raise RegisteredHere(id=shown, unit=other.name)
    raise RegisteredElsewhere()


def _shared_phone(session: Session, member: Member, phone: str) -> str | None:
    """The masked name of another live member of the same unit with this mobile, if any."""
    name = session.scalar(
        select(Member.name).where(
            Member.campaign_id == member.campaign_id, Member.unit_id == member.unit_id, Member.phone == phone,
            Member.id != member.id, live(),
        ).limit(1)
    )
    return _mask_name(name) if name else None


def correct_member(
    session: Session, user: CurrentUser, campaign_id: int, member_id: int, *,
    name: str | None = None, id_number: str | None = None, phone: str | None = None,
    reason: str, at: datetime | None = None,
) -> PersonChanged:
    """Correct a member's name, ID number and/or mobile by the sheet's rules (check character,
    birth date, age and retirement; a region code no register lists, a woman at worker
    retirement age and a shared mobile are warnings; a shared mobile is refused when the
    campaign makes it an error); an ID another live member holds is refused. The old row is
    superseded and a new row carries the corrected values (see the module's docstring)."""
    at = at or now_utc()
    why = _reason(reason)
    member, _unit = _live_member(session, user, campaign_id, member_id)
    _not_at_bank(member)
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    changes: dict[str, object] = {}
    notes: list[str] = []
    warnings: list[str] = []
    if name is not None and name.strip() and name_rules.compact(name) != member.name:
        try:
            new_name = name_rules.validate(name)
        except name_rules.InvalidName as error:
            raise BadValue(field="name", code=error.code) from None
        changes["name"] = new_name
        notes.append(f"姓名 {_mask_name(member.name)}→{_mask_name(new_name)}")
    if id_number is not None and id_number.strip() and id_rules.compact(id_number).upper() != member.id_number:
        new_id = _checked_id(id_number, campaign)
        digest = id_rules.id_hash(new_id)
        _duplicate_of(session, user, member, digest, mask_id(new_id))
        changes.update(id_number=new_id, id_hash=digest, sex=id_rules.get_sex(new_id), birth_date=id_rules.get_birth_date(new_id))
        notes.append(f"身份证 {mask_id(member.id_number)}→{mask_id(new_id)}")
        verdict = eligibility.status(id_rules.get_birth_date(new_id), id_rules.get_sex(new_id), campaign.reference_date, campaign.retirement_rules)
        if verdict == "age_check_cadre":
            warnings.append(t("people.warn.age_check_cadre"))
        if new_id[:6] not in id_rules.known_counties():
            warnings.append(t("people.warn.id_county_unknown"))
    if phone is not None and phone.strip() and phone_rules.compact(phone) != member.phone:
        try:
            new_phone = phone_rules.validate(phone)
        except phone_rules.InvalidPhone as error:
            raise BadValue(field="phone", code=error.code) from None
        other = _shared_phone(session, member, new_phone)
        if other is not None:
            if campaign.shared_phone_severity == "error":
                raise PhoneShared(phone=mask_phone(new_phone), other=other)
            warnings.append(t("people.warn.phone_shared", other=other))
        changes["phone"] = new_phone
        notes.append(f"手机 {mask_phone(member.phone)}→{mask_phone(new_phone)}")
    if not changes:
        raise NothingChanged()
    fields = tuple(k for k in ("name", "id_number", "phone") if k in changes)
    note = "; ".join(notes)
    old_id = member.id
    new_id = _replace(session, user, member, at, WHY_CORRECTED, why, note, **changes)
    log_action(session, user, "person_correct", f"member {old_id}→{new_id}", 1, f"campaign={campaign_id} unit={member.unit_id} {note}; {why}")
    return PersonChanged(old_id, new_id, fields, note, tuple(warnings))


def move_member(
    session: Session, user: CurrentUser, campaign_id: int, member_id: int, to_unit_id: int, reason: str,
    at: datetime | None = None,
) -> PersonChanged:
    """Move a member to another base-level unit (both in the user's scope; the workshop is
    dropped): the old row is superseded, a new row in the target unit keeps the stage times,
    so the unit figures follow the person."""
    at = at or now_utc()
    why = _reason(reason)
    member, unit = _live_member(session, user, campaign_id, member_id)
    target = unit_in_scope(session, user, to_unit_id)
    if target.retired_at is not None:
        raise NotFound(what=target.name)
    if target.id == unit.id:
        raise SameUnit()
    _not_at_bank(member)
    note = f"单位 {unit.code} {unit.name}→{target.code} {target.name}"
    old_id, from_unit = member.id, unit.id
    new_id = _replace(session, user, member, at, WHY_MOVED, why, note, unit_id=target.id, sub_unit_id=None)
    log_action(session, user, "person_move", f"member {old_id}→{new_id}", 1,
               f"campaign={campaign_id} unit={from_unit} to unit={target.id} {note}; {why}")
    return PersonChanged(old_id, new_id, ("unit",), note)


def withdraw_member(
    session: Session, user: CurrentUser, campaign_id: int, member_id: int, reason: str, at: datetime | None = None,
) -> PersonWithdrawn:
    """Withdraw a person who left: a 'withdrawn' event on the live row (withdrawn_at set); the
    person counts nowhere from then on, and every past day still shows them. Refused while the
    bank's result for them is awaited."""
    at = at or now_utc()
    why = _reason(reason)
    member, unit = _live_member(session, user, campaign_id, member_id)
    waiting = session.scalar(select(func.count()).select_from(Member).where(and_(Member.id == member.id, waiting_in_batch())))  # type: ignore[arg-type]
    if waiting:
        raise WaitingForBank()
    add_events(session, [(member.id, unit.id)], "withdrawn", campaign_id=campaign_id, at=at, by=user.login,
               reason=WHY_LEFT, note=why)
    log_action(session, user, "person_withdraw", f"member {member.id}", 1, f"campaign={campaign_id} unit={unit.id} {why}")
    session.expire(member)
    return PersonWithdrawn(member.id)


__all__ = [
    "AtBank", "NotAllowed", "NotLive", "NothingChanged", "PEOPLE_ROLES", "PersonChanged", "PersonWithdrawn",
    "PhoneShared", "ReasonMissing", "RegisteredElsewhere", "RegisteredHere", "SameUnit", "WaitingForBank",
    "correct_member", "find_members", "move_member", "person_history", "person_rows", "target_units", "withdraw_member",
]
