"""Cards after the bank produced them: received by the district, handed to the unit, delivered to
the member, activated (``campaign.stages.CARD_STEPS``).

Each step is one ``card_movement`` row per member (unique per member and step) plus the member
event (received / distributed / delivered / activated) through ``add_events``, which keeps the
member's cache columns, read by the distribution page, in step. Steps go in order: a card is
handed only once received, delivered only once handed, activated only once delivered and never
before the campaign's activation date.

Imports (the bank's issued-card list, the signed hand-out sheet 发放签收表, the bank's activation
list) preview first, then write all or nothing: any refused line (unknown or not produced here,
outside the scope, a person twice, a card not at the step before) and nothing is written. The
same file twice changes nothing the second time and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import and_, func, insert, select
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.masking import mask_card, mask_id
from campaign.reconcile import read_bank_list
from campaign.reports.handout_sheet import read_signed_sheet
from campaign.rules.id_number import id_hash
from campaign.sheets.isolated import read_untrusted
from campaign.timeutil import local_noon_utc, now_utc, utc_to_local
from data_access.actions.base import (
    CHUNK,
    NotAllowed,
    NotFound,
    add_events,
    log_action,
    require_role,
    unit_in_scope,
)
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import Audit, BankResult, Campaign, CardMovement, Member, OrgUnit
from data_access.uploads import sha256_hex

# The step before each step (None: the card must have been produced).
PREVIOUS: dict[str, str | None] = {
    "received_by_district": None,
    "handed_to_unit": "received_by_district",
    "delivered": "handed_to_unit",
    "activated": "delivered",
}
# The member event each step writes.
EVENT_OF = {"received_by_district": "received", "handed_to_unit": "distributed", "delivered": "delivered", "activated": "activated"}
DISTRICT_ROLES = ("admin", "district_leader")
DELIVERY_ROLES = ("admin", "district_leader", "unit")
# Line statuses of an import; the first two are fine, the rest refuse the file.
LINE_OK, LINE_ALREADY = "ok", "already"
LINE_PROBLEMS = ("not_found", "out_of_scope", "not_ready", "duplicate", "bad_date", "future_date")
IMPORT_ACTION = "cards_import"
MAX_HANDED_TO = 50


class CardsRefused(ActionRefused):
    """A card step the app refuses (details in the key's fields)."""

    key = "cards.refused"


class NotReady(CardsRefused):
    """Some chosen cards are not at the step before this one."""

    key = "cards.not_ready"


class HandedToMissing(CardsRefused):
    """Handing cards to a unit needs the name of who received them."""

    key = "cards.handed_to_missing"


class ActivationTooEarly(CardsRefused):
    """Nothing activates before the campaign's activation date."""

    key = "cards.activation_too_early"


class NothingChosen(CardsRefused):
    """No members or units were named."""

    key = "cards.nothing_chosen"


@dataclass(frozen=True)
class CardStepResult:
    """What a direct step recorded: members written, members already at the step, units touched."""

    step: str
    recorded: int
    already: int
    units: int
    at: datetime


@dataclass(frozen=True)
class CardImport:
    """A previewed or written import: one row per line of the file with its status.

    ``lines`` columns: sheet_row, name, id_masked, unit_name, status, name_differs, signed_on.
    ``listed_not_received`` / ``received_not_listed`` (received step only): lines of the list
    whose card is not recorded as received here, and cards recorded as received in the scope
    that the list does not hold (masked).
    """

    step: str
    file_name: str
    sha256: str
    dry_run: bool
    written: bool
    already_imported: bool
    to_record: int
    already: int
    refused: int
    lines: pd.DataFrame = field(repr=False)
    listed_not_received: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    received_not_listed: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def ok(self) -> bool:
        return self.refused == 0

    def counts(self) -> dict[str, int]:
        """Lines per status."""
        return {str(k): int(v) for k, v in self.lines["status"].value_counts().items()} if len(self.lines) else {}


# --- reading members and their card steps ------------------------------------------------

_STATE_COLUMNS = ["member_id", "unit_id", "campaign_id", "name", "id_number", "produced_at", "unit_name", "path"]


def _state_query(campaign_id: int):  # type: ignore[no-untyped-def]
    return (
        select(Member.id, Member.unit_id, Member.campaign_id, Member.name, Member.id_number, Member.produced_at,
               OrgUnit.name, OrgUnit.path)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .where(Member.campaign_id == campaign_id, live())
    )


def _steps_of(session: Session, member_ids: Iterable[int]) -> dict[int, set[str]]:
    ids = sorted(set(member_ids))
    steps: dict[int, set[str]] = {}
    for start in range(0, len(ids), CHUNK):
        for member_id, step in session.execute(
            select(CardMovement.member_id, CardMovement.step).where(CardMovement.member_id.in_(ids[start : start + CHUNK]))
        ):
            steps.setdefault(member_id, set()).add(step)
    return steps


def _status(step: str, produced_at: datetime | None, done: set[str]) -> str:
    if produced_at is None:
        return "not_found"
    if step in done:
        return LINE_ALREADY
    before = PREVIOUS[step]
    if before is not None and before not in done:
        return "not_ready"
    return LINE_OK


def _frame(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    return pd.DataFrame([tuple(r) for r in rows], columns=_STATE_COLUMNS)


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(what=f"campaign {campaign_id}")
    return campaign


def _check_activation(campaign: Campaign, at: datetime) -> None:
    if campaign.activation_date is not None and utc_to_local(at).date() < campaign.activation_date:
        raise ActivationTooEarly(date=f"{campaign.activation_date:%Y-%m-%d}")


# --- writing -------------------------------------------------------------------------------


def _write(
    session: Session, user: CurrentUser, campaign_id: int, step: str, members: dict[int, int], at: datetime,
    handed_to: str | None = None,
) -> int:
    """The movement rows and the member events of one step at one time."""
    if not members:
        return 0
    rows = [{"member_id": m, "step": step, "at": at, "by": user.login, "handed_to": handed_to} for m in sorted(members)]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(CardMovement), rows[start : start + CHUNK])
    add_events(session, members, EVENT_OF[step], campaign_id=campaign_id, at=at, by=user.login,
               note=f"handed_to={handed_to}" if handed_to else None)
    return len(rows)


def _chosen_members(
    session: Session, user: CurrentUser, campaign_id: int, step: str, member_ids: Sequence[int]
) -> tuple[dict[int, int], int]:
    """Members named by id, all in scope and at the step before; (to write, already there)."""
    ids = sorted(set(int(m) for m in member_ids))
    rows: list[Sequence[object]] = []
    for start in range(0, len(ids), CHUNK):
        rows.extend(session.execute(_state_query(campaign_id).where(Member.id.in_(ids[start : start + CHUNK]))).all())
    state = _frame(rows)
    if len(state) != len(ids):
        missing = sorted(set(ids) - set(state["member_id"].tolist()))
        raise NotFound(what=f"member {missing[0]}")
    outside = [p for p in state["path"] if not user.scope.contains_path(p)]
    if outside:
        raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    done = _steps_of(session, ids)
    statuses = [_status(step, p, done.get(m, set())) for m, p in zip(state["member_id"], state["produced_at"], strict=True)]
    bad = sum(s not in (LINE_OK, LINE_ALREADY) for s in statuses)
    if bad:
        raise NotReady(count=bad, step=step)
    write = {int(m): int(u) for m, u, s in zip(state["member_id"], state["unit_id"], statuses, strict=True) if s == LINE_OK}
    return write, statuses.count(LINE_ALREADY)


def _unit_members(session: Session, campaign_id: int, step: str, unit_ids: Sequence[int]) -> tuple[dict[int, int], int]:
    """Every member of the units whose card is at the step before (to write, already there)."""
    state = _frame(session.execute(_state_query(campaign_id).where(Member.unit_id.in_(list(unit_ids)), Member.produced_at.is_not(None))).all())
    done = _steps_of(session, state["member_id"].tolist())
    write: dict[int, int] = {}
    already = 0
    for m, u, p in zip(state["member_id"], state["unit_id"], state["produced_at"], strict=True):
        status = _status(step, p, done.get(int(m), set()))
        if status == LINE_OK:
            write[int(m)] = int(u)
        elif status == LINE_ALREADY:
            already += 1
    return write, already


def _direct(
    session: Session, user: CurrentUser, campaign_id: int, step: str, *, member_ids: Sequence[int] | None,
    unit_ids: Sequence[int] | None, at: datetime, handed_to: str | None = None,
) -> CardStepResult:
    if member_ids:
        write, already = _chosen_members(session, user, campaign_id, step, member_ids)
    elif unit_ids:
        for unit_id in unit_ids:
            unit_in_scope(session, user, int(unit_id))
        write, already = _unit_members(session, campaign_id, step, [int(u) for u in unit_ids])
    else:
        raise NothingChosen()
    recorded = _write(session, user, campaign_id, step, write, at, handed_to)
    units = len(set(write.values()))
    log_action(session, user, "cards", f"{step} campaign={campaign_id}", recorded,
               f"step={step} recorded={recorded} already={already} units={units}" + (f" handed_to={handed_to}" if handed_to else ""))
    return CardStepResult(step, recorded, already, units, at)


def record_received(
    session: Session, user: CurrentUser, campaign_id: int, *, member_ids: Sequence[int] | None = None,
    unit_ids: Sequence[int] | None = None, at: datetime | None = None,
) -> CardStepResult:
    """Cards produced by the bank and now received by the district (named members, or every
    produced card of the named units not yet received)."""
    require_role(user, DISTRICT_ROLES)
    _campaign(session, campaign_id)
    return _direct(session, user, campaign_id, "received_by_district", member_ids=member_ids, unit_ids=unit_ids,
                   at=at or now_utc())


def hand_to_unit(
    session: Session, user: CurrentUser, unit_id: int, *, handed_to: str, member_ids: Sequence[int] | None = None,
    at: datetime | None = None, campaign_id: int | None = None,
) -> CardStepResult:
    """Received cards handed to a unit; ``handed_to`` is who at the unit took them. Default:
    every received card of the unit not yet handed."""
    require_role(user, DISTRICT_ROLES)
    unit_in_scope(session, user, unit_id)
    name = " ".join((handed_to or "").split())
    if not name or len(name) > MAX_HANDED_TO:
        raise HandedToMissing(limit=MAX_HANDED_TO)
    if campaign_id is None:
        campaign_id = session.scalar(select(func.max(Member.campaign_id)).where(Member.unit_id == unit_id))
        if campaign_id is None:
            raise NotFound(what=f"cards of unit {unit_id}")
    if member_ids:
        units = {u for _, u in session.execute(select(Member.id, Member.unit_id).where(Member.id.in_(list(member_ids))))}
        if units - {unit_id}:
            raise NotAllowed(role=user.role, allowed=f"unit {unit_id}")
    return _direct(session, user, campaign_id, "handed_to_unit", member_ids=member_ids, unit_ids=None if member_ids else [unit_id],
                   at=at or now_utc(), handed_to=name)


def record_delivered(
    session: Session, user: CurrentUser, *, member_ids: Sequence[int], at: datetime | None = None
) -> CardStepResult:
    """Cards delivered to the members named (ticked one by one): the unit's clerk, the district
    or an administrator."""
    require_role(user, DELIVERY_ROLES)
    if not member_ids:
        raise NothingChosen()
    campaigns = {c for (c,) in session.execute(select(Member.campaign_id).where(Member.id.in_(sorted(set(member_ids))[:CHUNK])))}
    if not campaigns:
        raise NotFound(what=f"member {member_ids[0]}")
    campaign_id = min(campaigns)
    return _direct(session, user, campaign_id, "delivered", member_ids=member_ids, unit_ids=None, at=at or now_utc())


def record_activated(
    session: Session, user: CurrentUser, campaign_id: int, *, member_ids: Sequence[int], at: datetime | None = None
) -> CardStepResult:
    """Cards the bank reports activated (named members); refused before the activation date."""
    require_role(user, DISTRICT_ROLES)
    at = at or now_utc()
    _check_activation(_campaign(session, campaign_id), at)
    return _direct(session, user, campaign_id, "activated", member_ids=member_ids, unit_ids=None, at=at)


# --- imports -------------------------------------------------------------------------------


def _match_lines(session: Session, user: CurrentUser, campaign_id: int, step: str, lines: pd.DataFrame) -> pd.DataFrame:
    """Each line of a list matched to a live member of the campaign: by ID number, else by name
    and the card's last four digits among the scope's produced members."""
    hashes = {number: id_hash(number) for number in set(lines["id_number"]) if number and len(number) == 18}
    by_hash: dict[str, tuple[object, ...]] = {}
    values = sorted(set(hashes.values()))
    for start in range(0, len(values), CHUNK):
        query = _state_query(campaign_id).add_columns(Member.id_hash).where(Member.id_hash.in_(values[start : start + CHUNK]))
        for row in session.execute(query):
            by_hash[row[-1]] = tuple(row[:-1])
    # Lines without a full ID: the bank's name + card tail, or a signed sheet's masked ID.
    by_name_card: dict[tuple[str, str], tuple[object, ...]] = {}
    by_name_mask: dict[tuple[str, str], tuple[object, ...]] = {}
    tails = lines["card_tail"] if "card_tail" in lines else pd.Series([""] * len(lines))
    named = lines[[not (n and len(n) == 18 and "*" not in n) for n in lines["id_number"]]]
    if len(named):
        latest = select(BankResult.member_id, BankResult.card_number_masked).where(BankResult.outcome == "produced").subquery()
        names = sorted(set(named["name"]) - {""})
        for start in range(0, len(names), CHUNK):
            query = (
                _state_query(campaign_id).add_columns(latest.c.card_number_masked)
                .outerjoin(latest, latest.c.member_id == Member.id)
                .where(Member.name.in_(names[start : start + CHUNK]), Member.produced_at.is_not(None), user.scope.org_filter(OrgUnit))
            )
            for row in session.execute(query):
                card = row[-1] or ""
                if card:
                    by_name_card.setdefault((str(row[3]), card[-4:]), tuple(row[:-1]))
                by_name_mask.setdefault((str(row[3]), mask_id(str(row[4]))), tuple(row[:-1]))
    matched: list[tuple[object, ...] | None] = []
    for number, name, tail in zip(lines["id_number"], lines["name"], tails, strict=True):
        if number and "*" in number:
            matched.append(by_name_mask.get((name, number)))
        elif number:
            matched.append(by_hash.get(hashes.get(number, "")))
        else:
            matched.append(by_name_card.get((name, tail)) if tail else None)
    state = _frame([m for m in matched if m is not None])
    done = _steps_of(session, state["member_id"].tolist())
    statuses: list[str] = []
    info: list[tuple[object, object, object]] = []
    seen: set[int] = set()
    full = user.sees_full_pii
    for found in matched:
        if found is None:
            statuses.append("not_found")
            info.append((None, None, ""))
            continue
        member_id, unit_id, _, name, _, produced_at, unit_name, path = found
        if not user.scope.contains_path(str(path)):
            # A masked role learns nothing about people outside its scope.
            statuses.append("out_of_scope" if full else "not_found")
            info.append((None, None, ""))
            continue
        if member_id in seen:
            statuses.append("duplicate")
        else:
            seen.add(int(member_id))  # type: ignore[call-overload]
            statuses.append(_status(step, produced_at, done.get(int(member_id), set())))  # type: ignore[call-overload, arg-type]
        info.append((member_id, unit_id, unit_name))
    out = pd.DataFrame({
        "sheet_row": lines["sheet_row"].astype(int).tolist(),
        "name": lines["name"].tolist(),
        "id_masked": [n if "*" in n else mask_id(n) for n in lines["id_number"]],
        "member_id": [i[0] for i in info],
        "unit_id": [i[1] for i in info],
        "unit_name": [i[2] for i in info],
        "member_name": [m[3] if m is not None and s not in ("not_found", "out_of_scope") else "" for m, s in zip(matched, statuses, strict=True)],
        "status": statuses,
    })
    out["name_differs"] = (out["member_name"] != "") & (out["name"] != "") & (out["name"] != out["member_name"])
    return out.drop(columns=["member_name"])


def _already_imported(session: Session, campaign_id: int, step: str, digest: str) -> bool:
    return session.scalar(
        select(func.count(Audit.id)).where(Audit.action == IMPORT_ACTION, Audit.detail.like(f"campaign={campaign_id} step={step} sha256={digest}%"))
    ) > 0


def _received_gaps(session: Session, user: CurrentUser, campaign_id: int, lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    listed = lines[lines["status"].isin((LINE_OK, "not_found", "out_of_scope", "not_ready"))]
    listed_not_received = listed[["sheet_row", "name", "id_masked", "unit_name", "status"]].reset_index(drop=True)
    received = aliased(CardMovement)
    query = (
        select(Member.id, Member.name, Member.id_number, OrgUnit.name, received.at)
        .join(OrgUnit, OrgUnit.id == Member.unit_id)
        .join(received, and_(received.member_id == Member.id, received.step == "received_by_district"))
        .where(Member.campaign_id == campaign_id, live(),
               user.scope.org_filter(OrgUnit))
    )
    on_list = set(int(m) for m in lines["member_id"].dropna())
    rows = [(r[1], mask_id(r[2]), r[3], r[4]) for r in session.execute(query) if r[0] not in on_list]
    return listed_not_received, pd.DataFrame(rows, columns=["name", "id_masked", "unit_name", "received_at"])


def _import(
    session: Session, user: CurrentUser, campaign_id: int, step: str, data: bytes, file_name: str, *,
    dry_run: bool, at: datetime | None,
) -> CardImport:
    campaign = _campaign(session, campaign_id)
    at = at or now_utc()
    if step == "activated":
        _check_activation(campaign, at)
    digest = sha256_hex(data)
    if step == "delivered":
        raw = read_untrusted(read_signed_sheet, data, file_name)
        lines = raw.assign(card_tail="")
    else:
        lines = read_untrusted(read_bank_list, data, file_name).assign(signed_on=None)
    table = _match_lines(session, user, campaign_id, step, lines)
    table["signed_on"] = lines["signed_on"].tolist()
    if step == "delivered":
        today = utc_to_local(at).date()
        bad = [s == LINE_OK and (d is None) for s, d in zip(table["status"], table["signed_on"], strict=True)]
        future = [s == LINE_OK and d is not None and d > today for s, d in zip(table["status"], table["signed_on"], strict=True)]
        table.loc[bad, "status"] = "bad_date"
        table.loc[future, "status"] = "future_date"
    counts = table["status"].value_counts()
    to_record = int(counts.get(LINE_OK, 0))
    already = int(counts.get(LINE_ALREADY, 0))
    refused = int(sum(counts.get(s, 0) for s in LINE_PROBLEMS))
    gaps = _received_gaps(session, user, campaign_id, table) if step == "received_by_district" else (pd.DataFrame(), pd.DataFrame())
    seen_before = _already_imported(session, campaign_id, step, digest)
    written = False
    if not dry_run and refused == 0 and to_record > 0 and not seen_before:
        ok = table[table["status"] == LINE_OK]
        groups = ok.groupby("signed_on", dropna=False) if step == "delivered" else [(None, ok)]
        for signed_on, part in groups:
            when = local_noon_utc(signed_on) if step == "delivered" and signed_on is not None and not pd.isna(signed_on) else at
            when = min(when, at)
            members = {int(m): int(u) for m, u in zip(part["member_id"], part["unit_id"], strict=True)}
            _write(session, user, campaign_id, step, members, when)
        written = True
        log_action(session, user, IMPORT_ACTION, file_name or "card-list", to_record,
                   f"campaign={campaign_id} step={step} sha256={digest} lines={len(table)} recorded={to_record} already={already}")
    return CardImport(step, file_name, digest, dry_run, written, seen_before, to_record, already, refused, table, *gaps)


def preview_received(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """What importing the bank's issued-card list (身份证号码, 姓名, 卡号) would record; nothing written."""
    require_role(user, DISTRICT_ROLES)
    return _import(session, user, campaign_id, "received_by_district", data, file_name, dry_run=True, at=at)


def import_received(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """Record the bank's issued-card list as received by the district: all lines or none."""
    require_role(user, DISTRICT_ROLES)
    return _import(session, user, campaign_id, "received_by_district", data, file_name, dry_run=False, at=at)


def preview_delivered(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """What importing a signed hand-out sheet (身份证号码, 姓名, 签收日期) would record."""
    require_role(user, DELIVERY_ROLES)
    return _import(session, user, campaign_id, "delivered", data, file_name, dry_run=True, at=at)


def import_delivered(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """Record a signed hand-out sheet: each line delivered on its signing date; all or none."""
    require_role(user, DELIVERY_ROLES)
    return _import(session, user, campaign_id, "delivered", data, file_name, dry_run=False, at=at)


def preview_activated(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """What importing the bank's activation list would record (refused before the activation date)."""
    require_role(user, DISTRICT_ROLES)
    return _import(session, user, campaign_id, "activated", data, file_name, dry_run=True, at=at)


def import_activated(session: Session, user: CurrentUser, campaign_id: int, data: bytes, file_name: str = "", *, at: datetime | None = None) -> CardImport:
    """Record the bank's activation list: all lines or none."""
    require_role(user, DISTRICT_ROLES)
    return _import(session, user, campaign_id, "activated", data, file_name, dry_run=False, at=at)


# --- reading for the page and the printable sheet ------------------------------------------------


def unit_cards(session: Session, user: CurrentUser, campaign_id: int, unit_id: int, step: str) -> pd.DataFrame:
    """Cards of one unit ready for ``step`` (at the step before, not yet at it), masked:
    member_id, name, id_masked, card_masked, handed_to."""
    unit_in_scope(session, user, unit_id)
    state = _frame(session.execute(_state_query(campaign_id).where(Member.unit_id == unit_id, Member.produced_at.is_not(None)).order_by(Member.id)).all())
    done = _steps_of(session, state["member_id"].tolist())
    keep = [_status(step, p, done.get(int(m), set())) == LINE_OK for m, p in zip(state["member_id"], state["produced_at"], strict=True)]
    state = state[keep].reset_index(drop=True)
    cards: dict[int, str] = {}
    handed: dict[int, str] = {}
    ids = state["member_id"].tolist()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for member_id, card in session.execute(
            select(BankResult.member_id, BankResult.card_number_masked)
            .where(BankResult.member_id.in_(chunk), BankResult.outcome == "produced").order_by(BankResult.at)
        ):
            cards[member_id] = card or ""
        for member_id, who in session.execute(
            select(CardMovement.member_id, CardMovement.handed_to).where(CardMovement.member_id.in_(chunk), CardMovement.step == "handed_to_unit")
        ):
            handed[member_id] = who or ""
    return pd.DataFrame({
        "member_id": ids,
        "name": state["name"].tolist(),
        "id_masked": [mask_id(n) for n in state["id_number"]],
        "card_masked": [mask_card(cards.get(int(m), "")) if cards.get(int(m)) else "" for m in ids],
        "handed_to": [handed.get(int(m), "") for m in ids],
    })


__all__ = [
    "ActivationTooEarly", "CardImport", "CardStepResult", "CardsRefused", "HandedToMissing", "NotReady", "NothingChosen",
    "hand_to_unit", "import_activated", "import_delivered", "import_received", "preview_activated", "preview_delivered",
    "preview_received", "record_activated", "record_delivered", "record_received", "unit_cards",
]
