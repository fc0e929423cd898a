"""活动设置: create a campaign, change its settings, set deadlines, grant and revoke extensions.

Only an administrator creates or changes a campaign and its deadlines; an extension for one
unit may also be granted (or revoked) by the district leader whose scope holds the unit. A
campaign's settings are updated in place, each change audited old → new. Deadlines are
history: a changed deadline is a new row and the one it replaces gets ``superseded_at``
(never updated otherwise, never deleted), so a page as of a past day reads the deadlines in
force then (``data_access.deadlines``). Times come in and go out as naive UTC; the page and
the command convert from and to Beijing time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from campaign.errors import ActionRefused
from campaign.i18n import t
from campaign.logsafe import redact
from campaign.orglevels import KIND_ORDER
from campaign.rules.eligibility import RULE_SETS
from campaign.stages import MILESTONES
from campaign.timeutil import format_local, now_utc
from data_access.actions.base import NotAllowed, NotFound, log_action, require_role
from data_access.auth import CurrentUser
from data_access.deadlines import live_at
from data_access.models import Campaign, Deadline, OrgLevel, OrgUnit, Submission

SEVERITIES = ("warning", "error")
EDITABLE = ("name", "reference_date", "retirement_rules", "shared_phone_severity", "activation_date", "review_levels")
EXTENDERS = ("admin", "district_leader")
MAX_TEXT = 200


class CampaignRefused(ActionRefused):
    """A campaign setting, deadline or extension that cannot be saved as given; ``key`` names
    the reason (``cs.refuse.*`` in campaign/i18n/campaign_settings.py)."""

    key = "cs.refuse.name"

    def __init__(self, key: str = "cs.refuse.name", **fields: object) -> None:
        self.key = key
        super().__init__(**fields)


def _refuse(key: str, **fields: object) -> CampaignRefused:
    return CampaignRefused(key, **fields)


@dataclass(frozen=True)
class CampaignSaved:
    """What ``create_campaign`` / ``update_campaign`` did: the campaign and each change (field, old, new)."""

    campaign_id: int
    name: str
    created: bool = False
    changes: tuple[tuple[str, str, str], ...] = ()

    def message(self, lang: str = "zh") -> str:
        if self.created:
            return t("cs.done.created", lang, name=self.name, id=self.campaign_id)
        if not self.changes:
            return t("cs.done.unchanged", lang)
        sep = "；" if lang == "zh" else "; "
        text = sep.join(f"{t(f'cs.field.{name}', lang)}: {old or '—'} → {new or '—'}" for name, old, new in self.changes)
        return t("cs.done.updated", lang, changes=text)


@dataclass(frozen=True)
class DeadlineSaved:
    """What a deadline or extension action did: the new row (None when nothing was written) and
    the rows it superseded."""

    kind: str  # deadline, extension, revoked, cleared, same
    milestone: str
    target: str
    due_at: datetime | None
    deadline_id: int | None = None
    superseded: tuple[int, ...] = ()
    old_due_at: datetime | None = None
    unit_code: str | None = None
    extra: tuple[str, ...] = field(default_factory=tuple)

    def message(self, lang: str = "zh") -> str:
        milestone = t(f"cs.milestone.{self.milestone}", lang)
        target = self.target_label(lang)
        due = format_local(self.due_at)
        if self.kind == "same":
            return t("cs.done.deadline_same", lang, target=target, milestone=milestone, due=due)
        if self.kind == "extension":
            text = t("cs.done.extension", lang, unit=target, milestone=milestone, due=due)
        elif self.kind == "revoked":
            return t("cs.done.revoked", lang, unit=target, milestone=milestone)
        elif self.kind == "cleared":
            return t("cs.done.cleared", lang, target=target, milestone=milestone)
        else:
            text = t("cs.done.deadline", lang, target=target, milestone=milestone, due=due)
        if self.old_due_at is not None:
            text += t("cs.done.deadline_replaced", lang, old=format_local(self.old_due_at))
        return text

    def target_label(self, lang: str = "zh") -> str:
        if self.target == "*":
            return t("cs.target.all", lang)
        if self.target.startswith("level:"):
            return t("cs.target.level", lang, level=self.target[len("level:"):])
        return self.target


# --- checks ---------------------------------------------------------------------------------


def _clean_name(session: Session, name: str, campaign_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_TEXT:
        raise _refuse("cs.refuse.name")
    clash = select(Campaign.id).where(Campaign.name == name)
    if campaign_id is not None:
        clash = clash.where(Campaign.id != campaign_id)
    if session.scalar(clash.limit(1)) is not None:
        raise _refuse("cs.refuse.name_taken", name=name)
    return name


def _check_rules(rules: str) -> str:
    if rules not in RULE_SETS:
        raise _refuse("cs.refuse.rules", allowed=", ".join(RULE_SETS))
    return rules


def _check_severity(severity: str) -> str:
    if severity not in SEVERITIES:
        raise _refuse("cs.refuse.severity")
    return severity


def _check_milestone(milestone: str) -> str:
    if milestone not in MILESTONES:
        raise _refuse("cs.refuse.milestone", milestone=milestone, allowed=", ".join(MILESTONES))
    return milestone


def _levels(session: Session) -> dict[str, OrgLevel]:
    return {level.code: level for level in session.scalars(select(OrgLevel))}


def _org_by_code(session: Session, code: str) -> OrgUnit:
    org = session.scalar(select(OrgUnit).where(OrgUnit.code == (code or "").strip(), OrgUnit.retired_at.is_(None)))
    if org is None:
        raise _refuse("cs.refuse.unknown_org", code=code)
    return org


def _check_chain(session: Session, chain: Sequence[str] | str, root: OrgUnit | None) -> str:
    """The review chain as stored ('district,new_area'): levels that exist, above the units and
    not above the root, in order from the units upwards, no repeats."""
    items = [part.strip() for part in (chain.split(",") if isinstance(chain, str) else chain) if part and part.strip()]
    if not items:
        raise _refuse("cs.refuse.chain_empty")
    levels = _levels(session)
    root_rank = levels[root.level].rank if root is not None and root.level in levels else None
    root_label = root.name if root is not None else "—"
    for code in items:
        level = levels.get(code)
        if level is None:
            raise _refuse("cs.refuse.unknown_level", level=code)
        if KIND_ORDER[level.kind] >= KIND_ORDER["unit"] or (root_rank is not None and level.rank < root_rank):
            raise _refuse("cs.refuse.chain_level", level=code, root=root_label)
    ranks = [levels[code].rank for code in items]
    if any(lower <= higher for lower, higher in zip(ranks, ranks[1:], strict=False)):
        raise _refuse("cs.refuse.chain_order", levels=",".join(items))
    return ",".join(items)


def _campaign(session: Session, campaign_id: int) -> Campaign:
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(what=f"campaign {campaign_id}")
    return campaign


def _root(session: Session, campaign: Campaign) -> OrgUnit | None:
    return session.get(OrgUnit, campaign.root_id) if campaign.root_id is not None else None


def _in_campaign(session: Session, campaign: Campaign, org: OrgUnit) -> None:
    root = _root(session, campaign)
    if root is not None and not org.path.startswith(root.path):
        raise _refuse("cs.refuse.outside_campaign", code=org.code, root=root.name)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_local(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- campaign -------------------------------------------------------------------------------


def create_campaign(
    session: Session,
    user: CurrentUser,
    name: str,
    reference_date: date,
    root_code: str,
    retirement_rules: str = "2014",
    shared_phone_severity: str = "warning",
    activation_date: date | None = None,
    review_levels: Sequence[str] | str = ("district",),
    at: datetime | None = None,
) -> CampaignSaved:
    """A new campaign over the subtree of ``root_code`` (several may run side by side)."""
    require_role(user, ("admin",))
    at = at or now_utc()
    name = _clean_name(session, name)
    root = _org_by_code(session, root_code)
    chain = _check_chain(session, review_levels, root)
    campaign = Campaign(
        name=name, reference_date=reference_date, retirement_rules=_check_rules(retirement_rules),
        shared_phone_severity=_check_severity(shared_phone_severity), activation_date=activation_date,
        root_id=root.id, created_at=at, review_levels=chain, created_by=user.login,
    )
    session.add(campaign)
    session.flush()
    detail = (
        f"name={name} reference_date={reference_date.isoformat()} root={root.code} rules={campaign.retirement_rules} "
        f"shared_phone={campaign.shared_phone_severity} activation={_text(activation_date) or '-'} review_levels={chain}"
    )
    log_action(session, user, "campaign_create", f"campaign:{campaign.id}", 1, redact(detail))
    return CampaignSaved(campaign.id, name, created=True)


def update_campaign(session: Session, user: CurrentUser, campaign_id: int, at: datetime | None = None, **changes: object) -> CampaignSaved:
    """Change the named settings (``EDITABLE``) in place, audited old → new. The review chain
    cannot change while any submission waits for review (its level would no longer exist)."""
    require_role(user, ("admin",))
    campaign = _campaign(session, campaign_id)
    unknown = [key for key in changes if key not in EDITABLE]
    if unknown:
        raise _refuse("cs.refuse.unknown_field", field=", ".join(unknown))
    wanted: dict[str, object] = {}
    if "name" in changes:
        wanted["name"] = _clean_name(session, str(changes["name"] or ""), campaign.id)
    if "reference_date" in changes:
        if not isinstance(changes["reference_date"], date):
            raise _refuse("cs.refuse.unknown_field", field="reference_date")
        wanted["reference_date"] = changes["reference_date"]
    if "retirement_rules" in changes:
        wanted["retirement_rules"] = _check_rules(str(changes["retirement_rules"]))
    if "shared_phone_severity" in changes:
        wanted["shared_phone_severity"] = _check_severity(str(changes["shared_phone_severity"]))
    if "activation_date" in changes:
        wanted["activation_date"] = changes["activation_date"]
    if "review_levels" in changes:
        wanted["review_levels"] = _check_chain(session, changes["review_levels"], _root(session, campaign))  # type: ignore[arg-type]
    diffs = tuple(
        (key, _text(getattr(campaign, key)), _text(value)) for key, value in wanted.items() if getattr(campaign, key) != value
    )
    if any(key == "review_levels" for key, _, _ in diffs):
        pending = int(session.scalar(
            select(func.count()).select_from(Submission).where(Submission.campaign_id == campaign.id, Submission.outcome == "pending")
        ) or 0)
        if pending:
            raise _refuse("cs.refuse.chain_pending", count=pending)
    if not diffs:
        return CampaignSaved(campaign.id, campaign.name)
    for key, _, _ in diffs:
        setattr(campaign, key, wanted[key])
    session.flush()
    detail = "; ".join(f"{key}: {old or '-'} -> {new or '-'}" for key, old, new in diffs)
    log_action(session, user, "campaign_update", f"campaign:{campaign.id}", 1, redact(detail))
    return CampaignSaved(campaign.id, campaign.name, changes=diffs)


# --- deadlines ------------------------------------------------------------------------------


def _live_rows(session: Session, campaign_id: int, milestone: str, org_id: int | None, level: str | None, extension: bool) -> list[Deadline]:
    query = select(Deadline).where(
        Deadline.campaign_id == campaign_id, Deadline.milestone == milestone, Deadline.superseded_at.is_(None),
        Deadline.is_extension == extension,
    )
    if org_id is not None:
        query = query.where(Deadline.org_unit_id == org_id)
    else:
        query = query.where(Deadline.org_unit_id.is_(None))
        query = query.where(Deadline.level == level) if level is not None else query.where(Deadline.level.is_(None))
    return list(session.scalars(query.order_by(Deadline.id)))


def _supersede(session: Session, rows: Sequence[Deadline], at: datetime) -> tuple[int, ...]:
    ids = tuple(row.id for row in rows)
    if ids:
        session.execute(
            update(Deadline).where(Deadline.id.in_(ids), Deadline.superseded_at.is_(None)).values(superseded_at=at),
            execution_options={"synchronize_session": False},
        )
    return ids


def _target(session: Session, campaign: Campaign, level: str | None, org_code: str | None) -> tuple[OrgUnit | None, str | None, str]:
    if level and org_code:
        raise _refuse("cs.refuse.target")
    if org_code:
        org = _org_by_code(session, org_code)
        _in_campaign(session, campaign, org)
        return org, None, f"{org.name}（{org.code}）"
    if level:
        levels = _levels(session)
        if level not in levels:
            raise _refuse("cs.refuse.unknown_level", level=level)
        return None, level, f"level:{levels[level].name}"
    return None, None, "*"


def set_deadline(
    session: Session,
    user: CurrentUser,
    campaign_id: int,
    milestone: str,
    due_at: datetime,
    level: str | None = None,
    org_code: str | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> DeadlineSaved:
    """A milestone's deadline for every node of a level, for one org node (any level), or for the
    whole campaign (neither). The live deadline it replaces is superseded; the same time and
    note again writes nothing."""
    require_role(user, ("admin",))
    at = at or now_utc()
    campaign = _campaign(session, campaign_id)
    _check_milestone(milestone)
    org, level, target = _target(session, campaign, level, org_code)
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_TEXT:
        raise _refuse("cs.refuse.note")
    current = _live_rows(session, campaign.id, milestone, org.id if org else None, level, False)
    if len(current) == 1 and current[0].due_at == due_at and current[0].note == note:
        return DeadlineSaved("same", milestone, target, due_at, current[0].id)
    old_due = current[-1].due_at if current else None
    superseded = _supersede(session, current, at)
    row = Deadline(
        campaign_id=campaign.id, milestone=milestone, level=org.level if org else level, org_unit_id=org.id if org else None,
        is_extension=False, due_at=due_at, note=note, set_by=user.login, set_at=at,
    )
    session.add(row)
    session.flush()
    where = org.code if org else (f"level={level}" if level else "campaign")
    detail = f"{milestone} {where}: {format_local(old_due) or '-'} -> {format_local(due_at)} (UTC {due_at.isoformat(sep=' ')})"
    if note:
        detail += f" note={note}"
    log_action(session, user, "deadline_set", f"deadline:{row.id}:{where}", 1, redact(detail))
    return DeadlineSaved("deadline", milestone, target, due_at, row.id, superseded, old_due)


def clear_deadline(
    session: Session, user: CurrentUser, campaign_id: int, milestone: str, level: str | None = None,
    org_code: str | None = None, at: datetime | None = None,
) -> DeadlineSaved:
    """Withdraw a deadline (mark it superseded): the next more general one applies again."""
    require_role(user, ("admin",))
    at = at or now_utc()
    campaign = _campaign(session, campaign_id)
    _check_milestone(milestone)
    org, level, target = _target(session, campaign, level, org_code)
    current = _live_rows(session, campaign.id, milestone, org.id if org else None, level, False)
    if not current:
        raise _refuse("cs.refuse.no_deadline")
    superseded = _supersede(session, current, at)
    where = org.code if org else (f"level={level}" if level else "campaign")
    log_action(session, user, "deadline_clear", f"deadline:{superseded[-1]}:{where}", len(superseded),
               f"{milestone} {where}: {format_local(current[-1].due_at)} -> -")
    return DeadlineSaved("cleared", milestone, target, None, None, superseded, current[-1].due_at)


def _extension_unit(session: Session, user: CurrentUser, campaign: Campaign, unit_code: str) -> OrgUnit:
    require_role(user, EXTENDERS)
    unit = _org_by_code(session, unit_code)
    kind = session.scalar(select(OrgLevel.kind).where(OrgLevel.code == unit.level))
    if (kind or unit.level) != "unit":
        raise _refuse("cs.refuse.not_unit", code=unit.code)
    if not user.scope.contains_path(unit.path):
        raise NotAllowed(role=user.role, allowed=f"scope {user.scope.cache_key()}")
    _in_campaign(session, campaign, unit)
    return unit


def grant_extension(
    session: Session,
    user: CurrentUser,
    campaign_id: int,
    unit_code: str,
    milestone: str,
    due_at: datetime,
    reason: str,
    at: datetime | None = None,
) -> DeadlineSaved:
    """Extend one unit's deadline for a milestone, with a reason; who granted it and when are
    kept (``set_by``/``set_at``). An administrator, or the district leader over the unit."""
    at = at or now_utc()
    campaign = _campaign(session, campaign_id)
    unit = _extension_unit(session, user, campaign, unit_code)
    _check_milestone(milestone)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise _refuse("cs.refuse.reason")
    current = _live_rows(session, campaign.id, milestone, unit.id, None, True)
    old_due = current[-1].due_at if current else None
    superseded = _supersede(session, current, at)
    row = Deadline(
        campaign_id=campaign.id, milestone=milestone, level=unit.level, org_unit_id=unit.id, is_extension=True,
        due_at=due_at, note=reason, set_by=user.login, set_at=at,
    )
    session.add(row)
    session.flush()
    detail = f"{milestone} {unit.code}: {format_local(old_due) or '-'} -> {format_local(due_at)} reason={reason}"
    log_action(session, user, "extension_grant", f"deadline:{row.id}:{unit.code}", 1, redact(detail))
    return DeadlineSaved("extension", milestone, f"{unit.name}（{unit.code}）", due_at, row.id, superseded, old_due, unit.code)


def revoke_extension(
    session: Session, user: CurrentUser, campaign_id: int, unit_code: str, milestone: str, at: datetime | None = None,
) -> DeadlineSaved:
    """End a unit's extension (it is marked superseded; the unit's deadline falls back)."""
    at = at or now_utc()
    campaign = _campaign(session, campaign_id)
    unit = _extension_unit(session, user, campaign, unit_code)
    _check_milestone(milestone)
    current = _live_rows(session, campaign.id, milestone, unit.id, None, True)
    if not current:
        raise _refuse("cs.refuse.no_extension", code=unit.code, milestone=milestone)
    superseded = _supersede(session, current, at)
    log_action(session, user, "extension_revoke", f"deadline:{superseded[-1]}:{unit.code}", len(superseded),
               f"{milestone} {unit.code}: {format_local(current[-1].due_at)} -> -")
    return DeadlineSaved("revoked", milestone, f"{unit.name}（{unit.code}）", None, None, superseded, current[-1].due_at, unit.code)


# --- reads for the page and the command -------------------------------------------------------


def campaign_table(session: Session) -> pd.DataFrame:
    """Every campaign with its settings and root, newest first."""
    root = aliased(OrgUnit)
    query = (
        select(
            Campaign.id, Campaign.name, Campaign.reference_date, Campaign.retirement_rules, Campaign.shared_phone_severity,
            Campaign.activation_date, Campaign.review_levels, root.code.label("root_code"), root.name.label("root_name"),
            Campaign.created_at, Campaign.created_by,
        )
        .join(root, root.id == Campaign.root_id, isouter=True)
        .order_by(Campaign.id.desc())
    )
    columns = ["id", "name", "reference_date", "retirement_rules", "shared_phone_severity", "activation_date",
               "review_levels", "root_code", "root_name", "created_at", "created_by"]
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def deadline_table(session: Session, campaign_id: int, superseded: bool = False, cutoff: datetime | None = None) -> pd.DataFrame:
    """The campaign's deadline rows (in force at the cut-off, or with ``superseded`` the ones
    replaced or revoked), with the node or level they apply to and who set them when."""
    org = aliased(OrgUnit)
    condition = Deadline.superseded_at.is_not(None) if superseded else live_at(cutoff)
    query = (
        select(
            Deadline.id, Deadline.milestone, Deadline.level, OrgLevel.name.label("level_name"), Deadline.is_extension,
            org.code.label("org_code"), org.name.label("org_name"), org.level.label("org_level"), Deadline.due_at,
            Deadline.note, Deadline.set_by, Deadline.set_at, Deadline.superseded_at,
        )
        .join(org, org.id == Deadline.org_unit_id, isouter=True)
        .join(OrgLevel, OrgLevel.code == Deadline.level, isouter=True)
        .where(Deadline.campaign_id == campaign_id, condition)
        .order_by(Deadline.milestone, Deadline.is_extension, org.path, Deadline.level, Deadline.id)
    )
    columns = ["id", "milestone", "level", "level_name", "is_extension", "org_code", "org_name", "org_level", "due_at",
               "note", "set_by", "set_at", "superseded_at"]
    return pd.DataFrame(session.execute(query).all(), columns=columns)


def level_table(session: Session) -> pd.DataFrame:
    """The levels of the tree (code, name, kind, rank), top first."""
    rows = session.execute(select(OrgLevel.code, OrgLevel.name, OrgLevel.kind, OrgLevel.rank).order_by(OrgLevel.rank)).all()
    return pd.DataFrame(rows, columns=["code", "name", "kind", "rank"])


def find_orgs(
    session: Session, text: str = "", units_only: bool = False, root_code: str | None = None, limit: int = 50,
    kinds: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Live org nodes whose name or code contains ``text`` (a unit picked by name), under a
    root; ``kinds`` keeps the nodes whose level is of those kinds (e.g. a campaign's root)."""
    query = select(OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.path).where(OrgUnit.retired_at.is_(None))
    if units_only:
        query = query.where(OrgUnit.level == "unit")
    if kinds is not None:
        query = query.where(OrgUnit.level.in_(select(OrgLevel.code).where(OrgLevel.kind.in_(list(kinds)))))
    if root_code:
        root_path = session.scalar(select(OrgUnit.path).where(OrgUnit.code == root_code))
        if root_path:
            query = query.where(OrgUnit.path.startswith(root_path, autoescape=True))
    text = (text or "").strip()
    if text:
        query = query.where(OrgUnit.name.contains(text, autoescape=True) | OrgUnit.code.contains(text, autoescape=True))
    rows = session.execute(query.order_by(OrgUnit.path).limit(limit)).all()
    return pd.DataFrame(rows, columns=["code", "name", "level", "path"]).drop(columns=["path"])


def tree_is_empty(session: Session) -> bool:
    """Whether no org node exists yet (the settings page asks for the tree first)."""
    return session.scalar(select(OrgUnit.id).limit(1)) is None
