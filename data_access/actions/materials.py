"""纸质材料: the district records the paper a unit handed in for a submission.

Each recording is a ``paper_receipt`` row (append-only; the latest one counts) and refreshes
the submission's cache: the stamped personal sheet and unit form ticked, ID copies complete at
two per member submitted, consents complete at one per member. The 报送进度 page and the
chase reminder read those booleans (and the counts) to say what is still missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from campaign.errors import ActionRefused
from campaign.i18n import t
from campaign.timeutil import now_utc
from data_access import unit_state
from data_access.actions.base import NotFound, log_action, require_role, unit_in_scope
from data_access.auth import CurrentUser
from data_access.history import live
from data_access.models import Member, MemberEvent, PaperReceipt, Submission

MATERIALS_ROLES = ("admin", "district_leader")
MAX_COUNT = 100_000
ID_COPIES_PER_MEMBER = 2


class BadCount(ActionRefused):
    """A negative or absurd count of papers."""

    key = "wfr.refuse.bad_count"


@dataclass(frozen=True)
class MaterialsResult:
    """The submission's paper materials after this recording, and what is still missing."""

    submission_id: int
    unit_name: str
    member_count: int
    sheet: bool
    unit_form: bool
    id_copies: int
    consents: int

    @property
    def id_copies_missing(self) -> int:
        return max(0, ID_COPIES_PER_MEMBER * self.member_count - self.id_copies)

    @property
    def consents_missing(self) -> int:
        return max(0, self.member_count - self.consents)

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the incomplete items (sheet, unit_form, id_copies, consents)."""
        flags = {"sheet": self.sheet, "unit_form": self.unit_form,
                 "id_copies": self.id_copies_missing == 0, "consents": self.consents_missing == 0}
        return tuple(name for name, ok in flags.items() if not ok)

    def message(self, lang: str = "zh") -> str:
        """One line: recorded, and complete or what is missing."""
        return t("wfr.materials.done", lang, unit=self.unit_name) + " " + missing_text(
            self.missing, self.id_copies_missing, self.consents_missing, lang
        )


def missing_text(missing: tuple[str, ...], id_copies_missing: int, consents_missing: int, lang: str = "zh") -> str:
    """'材料齐全' or the missing items, with counts for copies and consents."""
    if not missing:
        return t("wfr.materials.complete", lang)
    parts = []
    for name in missing:
        if name == "id_copies":
            parts.append(t("wfr.materials.missing_id_copies", lang, n=id_copies_missing))
        elif name == "consents":
            parts.append(t("wfr.materials.missing_consents", lang, n=consents_missing))
        else:
            parts.append(t(f"wfr.paper.{name}", lang))
    return t("wfr.materials.missing", lang, items=("、" if lang == "zh" else ", ").join(parts))


def submitted_members(session: Session, submission: Submission) -> int:
    """The members a submission holds: its recorded count, else its 'submitted' events."""
    if submission.member_count is not None:
        return int(submission.member_count)
    counted = session.scalar(
        select(func.count(func.distinct(MemberEvent.member_id))).where(
            MemberEvent.submission_id == submission.id, MemberEvent.kind == "submitted"
        )
    )
    if counted:
        return int(counted)
    return int(
        session.scalar(
            select(func.count()).where(
                Member.campaign_id == submission.campaign_id, Member.unit_id == submission.unit_id,
                live(), Member.submitted_at.is_not(None),
            )
        )
        or 0
    )


def record_materials(
    session: Session,
    user: CurrentUser,
    submission_id: int,
    *,
    sheet: bool,
    unit_form: bool,
    id_copies: int,
    consents: int,
    at: datetime | None = None,
) -> MaterialsResult:
    """Record the paper received for a submission (district leader or admin, in scope)."""
    at = at or now_utc()
    require_role(user, MATERIALS_ROLES)
    submission = session.get(Submission, int(submission_id))
    if submission is None:
        raise NotFound(what=f"submission {submission_id}")
    unit = unit_in_scope(session, user, submission.unit_id)
    for value in (id_copies, consents):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > MAX_COUNT:
            raise BadCount(value=str(value)[:12], max=MAX_COUNT)
    members = submitted_members(session, submission)
    session.execute(
        insert(PaperReceipt),
        [{"submission_id": submission.id, "sheet": bool(sheet), "unit_form": bool(unit_form),
          "id_copies": id_copies, "consents": consents, "by": user.login, "at": at}],
    )
    result = MaterialsResult(submission.id, unit.name, members, bool(sheet), bool(unit_form), id_copies, consents)
    session.execute(
        update(Submission).where(Submission.id == submission.id).values(
            paper_sheet=result.sheet, paper_unit_form=result.unit_form,
            paper_id_copies=result.id_copies_missing == 0, paper_consents=result.consents_missing == 0,
            id_copies_received=id_copies, consents_received=consents,
        ),
        execution_options={"synchronize_session": False},
    )
    unit_state.refresh_submissions(session, [submission.id])  # the unit's state versions, in this transaction
    session.expire(submission)
    log_action(
        session, user, "materials", f"submission:{submission.id}:{unit.code}", members,
        f"sheet={int(sheet)} unit_form={int(unit_form)} id_copies={id_copies}/{2 * members} consents={consents}/{members}",
    )
    return result


__all__ = ["BadCount", "MaterialsResult", "missing_text", "record_materials", "submitted_members"]
