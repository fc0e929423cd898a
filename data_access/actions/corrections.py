"""Corrections after a bank failure: the open failures with the bank's reason, correcting a
member's name, ID or phone (checked by the sheet's rules), withdrawing a person, and a member's
whole path (failed why, corrected, produced).

A correction rewrites the member's current values (the row is the current state) and appends a
'corrected' event whose note lists the fields changed with old and new values masked; the
corrected member is ready for the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import String, and_, func, literal_column, select, type_coerce, update
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.i18n import CATALOGUE, t
from campaign.masking import mask_id, mask_phone
from campaign.rules import eligibility
from campaign.rules import id_number as id_rules
from campaign.rules import name as name_rules
from campaign.rules import phone as phone_rules
from campaign.timeutil import now_utc
from data_access.actions.base import NotFound, add_events, log_action, require_role, unit_in_scope
from data_access.actions.batch import waiting_in_batch
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import BankBatch, BankResult, Campaign, Member, MemberEvent, OrgUnit
from data_access.scope import Scope

CORRECT_ROLES = ("unit", "district_leader", "admin")
CORRECTABLE_STAGES = ("failed", "corrected")
MAX_REASON = 200
OPEN_COLUMNS = [
    "member_id", "unit_id", "unit_code", "unit_name", "name", "id_masked", "phone_masked", "stage",
    "reason_code", "reason_text", "failed_at", "batch_reference",
]
HISTORY_COLUMNS = ["at", "kind", "by", "batch_reference", "reason", "note"]


class NotCorrectable(ActionRefused):
    """Only a member whose bank result failed (or already corrected since) can be corrected."""

    key = "bankwf.not_correctable"


class NothingChanged(ActionRefused):
    """A correction that changes no field."""

    key = "bankwf.nothing_changed"


class BadValue(ActionRefused):
    """A new name, ID number or phone that breaks the sheet's rules (``field``: name,
    id_number, phone; ``code``: the sheet's finding code)."""

    key = "bankwf.bad_value"

    def message(self, lang: str = "zh") -> str:
        fields = dict(self.fields)
        problem = _problem(str(fields.pop("code")), lang, **dict(fields.pop("values", {})))  # type: ignore[call-overload]
        return t(self.key, lang, field=t(f"bankwf.field.{fields['field']}", lang), problem=problem)


class IdAlreadyLive(ActionRefused):
    """The new ID number is already a live member of the campaign."""

    key = "bankwf.id_already_live"


class NotWithdrawable(ActionRefused):
    """Withdrawn already, card produced, or waiting for the bank: cannot be withdrawn here."""

    key = "bankwf.not_withdrawable"


class ReasonMissing(ActionRefused):
    """A withdrawal says why."""

    key = "bankwf.withdraw_reason_missing"


@dataclass(frozen=True)
class Corrected:
    """What ``correct_member`` changed (field names: name, id_number, phone)."""

    member_id: int
    fields: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Withdrawn:
    """The member ``withdraw_member`` took out of the campaign."""

    member_id: int


def _mask_name(value: str) -> str:
    """A name with all but its first character hidden.

    >>> _mask_name("欧阳娜娜"), _mask_name("")
    ('欧***', '')
    """
    return value[:1] + "*" * (len(value) - 1) if value else ""


class _Blank(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "?"


def _problem(code: str, lang: str = "zh", **fields: object) -> str:
    """The sheet rule's message for a code, missing fields shown as '?'."""
    pair = CATALOGUE.get(f"finding.{code}")
    if pair is None:
        return code
    return (pair[1] if lang == "en" else pair[0]).format_map(_Blank(fields))


def open_failures(session: Session, scope: Scope, campaign_id: int) -> pd.DataFrame:
    """Live members in the scope whose latest bank result failed and who were neither corrected
    nor withdrawn since, with the bank's reason; ID and phone masked. Oldest failure first.

    The failed results come from the partial index ``ix_bank_result_failed`` alone (hence the
    literals); the rows are read column by column through Core (a city has ~18,000), the times
    as text on SQLite and parsed per column."""
    failed = literal_column("'failed'")
    latest = (
        select(BankResult.member_id, func.max(BankResult.at).label("at"))
        .where(BankResult.outcome == failed)
        .group_by(BankResult.member_id)
        .subquery("latest")
    )
    result = aliased(BankResult)
    query = (
        select(
            Member.id, Member.unit_id, OrgUnit.code, OrgUnit.name.label("unit_name"), Member.name, Member.id_number,
            Member.phone, Member.stage, result.reason_code, result.reason_text, type_coerce(result.at, String).label("at"),
            BankBatch.reference,
        )
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .join(latest, latest.c.member_id == Member.id)
        .join(result, and_(result.member_id == Member.id, result.at == latest.c.at, result.outcome == failed))
        .join(BankBatch, BankBatch.id == result.batch_id)
        .where(
            Member.campaign_id == campaign_id, Member.stage == "failed",
            live(), scope.org_filter(OrgUnit),
        )
        .order_by(result.at, OrgUnit.code, Member.id)
    )
    rows = session.connection().execute(query).fetchall()
    if not rows:
        return pd.DataFrame([], columns=OPEN_COLUMNS)
    columns = dict(zip(OPEN_COLUMNS, (list(values) for values in zip(*rows, strict=True)), strict=True))
    columns["id_masked"] = [mask_id(value) for value in columns["id_masked"]]
    columns["phone_masked"] = [mask_phone(value) for value in columns["phone_masked"]]
    columns["failed_at"] = pd.to_datetime(columns["failed_at"], format="ISO8601", cache=False)  # SQLite's text, parsed at once
    return pd.DataFrame(columns).drop_duplicates("member_id").reset_index(drop=True)


def _member(session: Session, user: CurrentUser, member_id: int) -> tuple[Member, OrgUnit]:
    require_role(user, CORRECT_ROLES)
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(what=f"member {member_id}")
    unit = unit_in_scope(session, user, member.unit_id)
    session.execute(select(Member.id).where(Member.id == member_id).with_for_update())
    return member, unit


def correct_member(
    session: Session, user: CurrentUser, member_id: int, *,
    name: str | None = None, id_number: str | None = None, phone: str | None = None, at: datetime | None = None,
) -> Corrected:
    """Correct a failed member's name, ID number and/or phone (the sheet's rules apply; a new
    ID must not be live elsewhere in the campaign); appends a 'corrected' event."""
    at = at or now_utc()
    member, _unit = _member(session, user, member_id)
    if member.superseded_at is not None or member.withdrawn_at is not None or member.stage not in CORRECTABLE_STAGES:
        raise NotCorrectable(stage=member.stage)
    campaign = session.get(Campaign, member.campaign_id)
    assert campaign is not None
    values: dict[str, object] = {}
    notes: list[str] = []
    if name is not None and name_rules.compact(name) != member.name:
        try:
            new_name = name_rules.validate(name)
        except name_rules.InvalidName as error:
            raise BadValue(field="name", code=error.code) from None
        values["name"] = new_name
        notes.append(f"name {_mask_name(member.name)}→{_mask_name(new_name)}")
    if id_number is not None and id_rules.compact(id_number) != member.id_number:
        new_id = _checked_id(id_number, campaign)
        digest = id_rules.id_hash(new_id)
        taken = session.scalar(
            select(Member.id).where(
                Member.campaign_id == member.campaign_id, Member.id_hash == digest, Member.id != member.id,
                live(),
            )
        )
        if taken is not None:
            raise IdAlreadyLive(id=mask_id(new_id))
        values.update(
            id_number=new_id, id_hash=digest, sex=id_rules.get_sex(new_id), birth_date=id_rules.get_birth_date(new_id),
        )
        notes.append(f"id_number {mask_id(member.id_number)}→{mask_id(new_id)}")
    if phone is not None and phone_rules.compact(phone) != member.phone:
        try:
            new_phone = phone_rules.validate(phone)
        except phone_rules.InvalidPhone as error:
            raise BadValue(field="phone", code=error.code) from None
        values["phone"] = new_phone
        notes.append(f"phone {mask_phone(member.phone)}→{mask_phone(new_phone)}")
    if not values:
        raise NothingChanged()
    fields = tuple(key for key in ("name", "id_number", "phone") if key in values)
    note = "; ".join(notes)
    session.execute(update(Member).where(Member.id == member.id).values(**values), execution_options={"synchronize_session": False})
    add_events(session, [(member.id, member.unit_id)], "corrected", campaign_id=member.campaign_id, at=at, by=user.login, note=note)
    log_action(session, user, "correct", f"member {member.id}", 1, note)
    session.expire(member)
    return Corrected(member.id, fields, note)


def _checked_id(value: str, campaign: Campaign) -> str:
    """The new ID number compacted, or a refusal with the sheet rule's message."""
    number = id_rules.compact(value)
    if len(number) == 15 and number.isascii() and number.isdigit():
        raise BadValue(field="id_number", code="id_15_digit")
    try:
        number = id_rules.validate(number, campaign.reference_date)
    except id_rules.InvalidIdNumber as error:
        fields: dict[str, object] = {"length": len(number), "province": number[:2], "birth": number[6:14], "as_of": campaign.reference_date}
        if error.code == "id_check_digit" and len(number) == 18:
            fields.update(expected=id_rules.calc_check_digit(number[:17]), actual=number[17])
        raise BadValue(field="id_number", code=error.code, values=fields) from None
    verdict = eligibility.status(id_rules.get_birth_date(number), id_rules.get_sex(number), campaign.reference_date, campaign.retirement_rules)
    if verdict == "age_retired":
        raise BadValue(field="id_number", code="age_retired", values={"as_of": campaign.reference_date})
    return number


def withdraw_member(session: Session, user: CurrentUser, member_id: int, *, reason: str, at: datetime | None = None) -> Withdrawn:
    """Take a person out of the campaign (e.g. after a failure the unit cannot fix): a
    'withdrawn' event with the reason; not for a produced card or a member waiting for the bank."""
    at = at or now_utc()
    member, _unit = _member(session, user, member_id)
    reason = (reason or "").strip()
    if not reason:
        raise ReasonMissing()
    waiting = session.scalar(select(func.count()).select_from(Member).where(Member.id == member.id, waiting_in_batch()))  # type: ignore[arg-type]
    if member.superseded_at is not None or member.withdrawn_at is not None or member.produced_at is not None or waiting:
        raise NotWithdrawable(stage=member.stage)
    add_events(
        session, [(member.id, member.unit_id)], "withdrawn", campaign_id=member.campaign_id, at=at, by=user.login,
        reason="unit_withdrew", note=reason[:MAX_REASON],
    )
    log_action(session, user, "withdraw", f"member {member.id}", 1, reason[:MAX_REASON])
    session.expire(member)
    return Withdrawn(member.id)


def member_history(session: Session, scope: Scope, member_id: int) -> pd.DataFrame:
    """The member's events oldest first (kind, who, batch, reason, note; notes hold masked values)."""
    unit_path = session.scalar(select(OrgUnit.path).join(Member, Member.unit_id == OrgUnit.id).where(Member.id == member_id))
    if unit_path is None or not scope.contains_path(unit_path):
        raise NotFound(what=f"member {member_id}")
    query = (
        select(MemberEvent.at, MemberEvent.kind, MemberEvent.by, BankBatch.reference, MemberEvent.reason, MemberEvent.note)
        .outerjoin(BankBatch, BankBatch.id == MemberEvent.batch_id)
        .where(MemberEvent.member_id == member_id)
        .order_by(MemberEvent.at, MemberEvent.id)
    )
    return pd.DataFrame(session.execute(query).all(), columns=HISTORY_COLUMNS)


__all__ = [
    "BadValue", "Corrected", "IdAlreadyLive", "NotCorrectable", "NotWithdrawable", "NothingChanged", "ReasonMissing",
    "Withdrawn", "correct_member", "member_history", "open_failures", "withdraw_member",
]
