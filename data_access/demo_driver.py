"""Drive the demo story through the app's own actions, in time order, as the people who act.

The setup (tree, campaign, deadlines, users) is loaded as an administrator would import it;
everything after that goes through the write functions the pages and commands use: sheets are
built as CSV files (some with real mistakes) and checked by the validator, then stored; units
submit; districts record paper and review, the new-area union reviews after them; districts
send batches and import the bank's result files; clerks correct failures; cards are received,
handed to units and delivered. So the demo cannot hold a state the app could not reach.

What happens after a batch (which members fail, when corrections and cards follow) is drawn
from a generator seeded by the story, as the simulation goes.
"""

from __future__ import annotations

import heapq
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from campaign.demo import names
from campaign.demo.generator import _hours, _work_time
from campaign.demo.story import Step, Story
from campaign.errors import ActionRefused, IngestError
from campaign.rules.id_number import calc_check_digit
from campaign.sheets.isolated import trusted_files
from campaign.stages import BANK_FAILURE_REASONS
from campaign.timeutil import local_to_utc, utc_to_local
from campaign.validate import Config, validate_bytes
from data_access.actions.batch import create_batch, ready_members
from data_access.actions.cards import hand_to_unit, record_delivered, record_received
from data_access.actions.corrections import correct_member
from data_access.actions.materials import record_materials
from data_access.actions.results import import_results
from data_access.actions.review import review
from data_access.actions.submit import latest_submission, submit_list
from data_access.auth import CurrentUser, load_user
from data_access.chase import ChaseRefused, record_chase
from data_access.loader import load_generated
from data_access.models import BankBatchMember, Campaign, Member, OrgUnit, Submission
from data_access.uploads import lookup_for_sheet, store_upload

HEADER = "序号,姓名,身份证号码,手机号码,车间/部门"
FAIL_WEIGHTS = {"id_name_mismatch": 30, "id_invalid": 12, "id_expired": 18, "duplicate_account": 10,
                "phone_invalid": 15, "unit_name_mismatch": 8, "info_incomplete": 7}
REVIEW_LEVELS = "district,new_area"


@dataclass
class DriveReport:
    """What the drive did, by step kind; and the steps the app refused (with why)."""

    done: dict[str, int] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def count(self, kind: str, ok: bool = True) -> None:
        bucket = self.done if ok else self.refused
        bucket[kind] = bucket.get(kind, 0) + 1


class _Driver:
    def __init__(self, session: Session, story: Story, progress: Callable[[int, int], None] | None) -> None:
        self.session = session
        self.story = story
        self.progress = progress
        self.rng = random.Random(story.seed * 31 + 7)
        self.report = DriveReport()
        self.users: dict[str, CurrentUser] = {}
        self.heap: list[tuple[datetime, int, Step]] = [(s.at, s.seq, s) for s in story.steps]
        heapq.heapify(self.heap)
        self.seq = len(story.steps)
        self.card_groups: dict[tuple[str, int, str], list[int]] = {}
        self.failed_before: set[int] = set()

    # --- helpers -----------------------------------------------------------------------
    def user(self, login: str) -> CurrentUser:
        if login not in self.users:
            found = load_user(self.session, login)
            if found is None:
                raise LookupError(login)
            self.users[login] = found
        return self.users[login]

    def push(self, at: datetime, kind: str, **kwargs: Any) -> None:
        if at <= self.story.now:
            self.seq += 1
            heapq.heappush(self.heap, (at, self.seq, Step(at, self.seq, kind, **kwargs)))

    def leader(self, district_id: int) -> CurrentUser:
        return self.user(self.story.leader_of[district_id])

    # --- the loop ----------------------------------------------------------------------
    def start(self) -> None:
        campaign = self.session.scalars(select(Campaign)).one()
        campaign.review_levels = REVIEW_LEVELS
        self.campaign = campaign
        self.session.flush()

    def run(self, until: datetime | None = None) -> DriveReport:
        """Take the steps in time order up to ``until`` (default: all, to the story's now)."""
        total, done = len(self.heap), 0
        while self.heap and (until is None or self.heap[0][0] <= until):
            _, _, step = heapq.heappop(self.heap)
            handler = getattr(self, f"do_{step.kind}")
            try:
                with self.session.begin_nested():
                    handler(step)
                self.report.count(step.kind)
            except (ActionRefused, IngestError, ChaseRefused) as refused:
                self.report.count(step.kind, ok=False)
                if len(self.report.reasons) < 50:
                    self.report.reasons.append(f"{step.kind} {step.unit_id or step.district_id}: {refused}")
            done += 1
            if self.progress and done % 50 == 0:
                self.progress(done, max(total, done + len(self.heap)))
        return self.report

    # --- steps of the story ------------------------------------------------------------
    def do_upload(self, step: Step) -> None:
        unit = self.session.get(OrgUnit, step.unit_id)
        assert unit is not None
        clerk = self.user(self.story.clerk_of[unit.id])
        payload = step.payload
        data = _sheet_bytes(payload["rows"], payload["mistakes"], payload["part"], gbk=unit.id % 3 == 0)
        config = Config(
            as_of=self.campaign.reference_date, retirement_rules=self.campaign.retirement_rules,
            shared_phone_severity=self.campaign.shared_phone_severity,  # type: ignore[arg-type]
            lookup_ids=lookup_for_sheet(self.session, self.campaign.id, unit.id, clerk.scope, payload["part"]),
        )
        result = validate_bytes(data, payload["file_name"], config)
        store_upload(
            self.session, campaign_id=self.campaign.id, unit_id=unit.id, file_name=payload["file_name"],
            content_bytes=data, result=result, uploaded_by=clerk.login, now=step.at, scope=clerk.scope,
            confirm_removal=True, part=payload["part"],
        )

    def do_submit(self, step: Step) -> None:
        assert step.unit_id is not None
        clerk = self.user(self.story.clerk_of[step.unit_id])
        submit_list(
            self.session, clerk, step.unit_id, filler_name=step.payload["filler"],
            filler_phone=step.payload["phone"], consents_confirmed=True, campaign_id=self.campaign.id, at=step.at,
        )

    def _latest(self, unit_id: int) -> Submission:
        submission = latest_submission(self.session, self.campaign.id, unit_id)
        if submission is None:
            raise _Skip("no submission")
        return submission

    def do_materials(self, step: Step) -> None:
        assert step.unit_id is not None and step.district_id is not None
        submission = self._latest(step.unit_id)
        count = submission.member_count or 0
        p = step.payload
        record_materials(
            self.session, self.leader(step.district_id), submission.id, sheet=p["sheet"], unit_form=p["unit_form"],
            id_copies=max(0, 2 * count - p["id_copies_short"]), consents=max(0, count - p["consents_short"]), at=step.at,
        )

    def do_review(self, step: Step) -> None:
        assert step.unit_id is not None and step.district_id is not None
        submission = self._latest(step.unit_id)
        reviewer = self.leader(step.district_id) if step.payload["level"] == "district" else self.user("newarea")
        p = step.payload
        review(self.session, reviewer, [submission.id], p["decision"], reason=p.get("reason"), note=p.get("note"), at=step.at)

    def do_chase(self, step: Step) -> None:
        assert step.unit_id is not None
        unit = self.session.get(OrgUnit, step.unit_id)
        assert unit is not None and unit.area_id is not None
        liaison = self.user(self.story.liaison_of[unit.area_id])
        p = step.payload
        record_chase(self.session, liaison.scope, unit.id, at=step.at, by=liaison.login, channel=p["channel"],
                     note=p["note"], promised_date=p["promised"])

    def do_batch(self, step: Step) -> None:
        assert step.district_id is not None
        leader = self.leader(step.district_id)
        if ready_members(self.session, leader.scope, self.campaign.id, district_id=step.district_id).empty:
            return  # the district looks, finds nothing ready, and sends nothing this time
        made = create_batch(
            self.session, self.leader(step.district_id), self.campaign.id, district_id=step.district_id,
            branch=self.story.branch_of[step.district_id], at=step.at,
        )
        self.push(_work_time(step.at + _hours(self.rng, 60, 130)), "results", district_id=step.district_id,
                  payload={"batch_id": made.batch_id, "reference": made.reference})

    # --- what follows a batch ----------------------------------------------------------
    def do_results(self, step: Step) -> None:
        assert step.district_id is not None
        batch_id = step.payload["batch_id"]
        members = self.session.execute(
            select(Member.id, Member.unit_id, Member.name, Member.id_number)
            .join(BankBatchMember, BankBatchMember.member_id == Member.id)
            .where(BankBatchMember.batch_id == batch_id)
            .order_by(Member.id)
        ).all()
        lines = ["身份证号码,姓名,开卡结果,失败原因,卡号"]
        outcome: dict[int, str | None] = {}
        for member_id, _, name, number in members:
            fail_p = 0.12 if member_id in self.failed_before else 0.035
            if self.rng.random() < fail_p:
                code = self.rng.choices(list(FAIL_WEIGHTS), list(FAIL_WEIGHTS.values()))[0]
                outcome[member_id] = code
                lines.append(f"{number},{name},失败,{BANK_FAILURE_REASONS[code][0]},")
            else:
                outcome[member_id] = None
                lines.append(f"{number},{name},成功,,6217{self.rng.randint(0, 10**11 - 1):011d}{self.rng.randint(0, 9999):04d}")
        data = ("\n".join(lines) + "\n").encode("gbk")
        import_results(self.session, self.leader(step.district_id), batch_id, data,
                       f"{step.payload['reference']}-开卡结果.csv", at=step.at)
        for member_id, unit_id, _, _ in members:
            if outcome[member_id] is not None:
                self.failed_before.add(member_id)
                if self.rng.random() < 0.65:
                    self.push(_work_time(step.at + _hours(self.rng, 20, 150)), "correct", unit_id=unit_id,
                              payload={"member_id": member_id})
            else:
                self._plan_cards(member_id, unit_id, step.district_id, step.at)

    def do_correct(self, step: Step) -> None:
        assert step.unit_id is not None
        clerk = self.user(self.story.clerk_of[step.unit_id])
        phone = self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
        correct_member(self.session, clerk, step.payload["member_id"], phone=phone, at=step.at)

    def _plan_cards(self, member_id: int, unit_id: int, district_id: int, produced_at: datetime) -> None:
        rng = self.rng
        at = produced_at
        for kind, key, low, high, chance in (
            ("received", district_id, 20, 80, 1.0),
            ("handed", unit_id, 24, 170, 0.95),
            ("delivered", unit_id, 4, 240, 0.85),
        ):
            at = _work_time(at + _hours(rng, low, high))
            if at > self.story.now or rng.random() > chance:
                return
            day = utc_to_local(at).date()
            end_of_day = local_to_utc(datetime.combine(day, datetime.min.time()) + timedelta(hours=18))
            group = (kind, key, day.isoformat())
            if group not in self.card_groups:
                self.card_groups[group] = []
                self.push(min(end_of_day, self.story.now), "cards", unit_id=unit_id, district_id=district_id,
                          payload={"group": group})
            self.card_groups[group].append(member_id)
            at = max(at, end_of_day)  # the group's step is recorded at the end of that day

    def do_cards(self, step: Step) -> None:
        kind, key, _ = step.payload["group"]
        member_ids = self.card_groups.pop(step.payload["group"])
        assert step.district_id is not None and step.unit_id is not None
        leader = self.leader(step.district_id)
        if kind == "received":
            record_received(self.session, leader, self.campaign.id, member_ids=member_ids, at=step.at)
        elif kind == "handed":
            unit = self.session.get(OrgUnit, key)
            assert unit is not None
            hand_to_unit(self.session, leader, key, handed_to=unit.contact_name or "单位工会", member_ids=member_ids,
                         at=step.at, campaign_id=self.campaign.id)
        else:
            record_delivered(self.session, self.user(self.story.clerk_of[key]), member_ids=member_ids, at=step.at)


class _Skip(ActionRefused):
    """A story step with nothing to act on (e.g. a review of a unit that never submitted)."""

    key = "action.not_found"

    def __init__(self, what: str) -> None:
        super().__init__(what=what)


def _mistaken(rows: list[tuple[str, str, str]], k: int, kind: str) -> tuple[str, str, str]:
    name, number, phone = rows[k]
    if kind == "check_digit":
        wrong = "0123456789X".replace(number[-1], "")
        return name, number[:-1] + wrong[(k * 7) % len(wrong)], phone
    if kind == "excel_number":
        return name, f"{float(number[:-1] + '0'):.14E}", phone
    if kind == "phone_format":
        return name, number, phone[:-1]
    if kind == "id_length":
        return name, number[:-2], phone
    if kind == "name_spaces":
        return (name[0] + " " + name[1:] if len(name) > 1 else name + " "), number, phone
    if kind == "duplicate_row":
        other = rows[0 if k else min(1, len(rows) - 1)][1]
        return name, other, phone
    if kind == "birth_date":
        first17 = number[:10] + "13" + number[12:17]
        return name, first17 + calc_check_digit(first17), phone
    if kind == "phone_unallocated":
        return name, number, "140" + phone[3:]
    return rows[k]


def _sheet_bytes(rows: list[tuple[str, str, str]], mistakes: list[tuple[int, str]], part: str, *, gbk: bool) -> bytes:
    """The member sheet a clerk would send: title, header, one line per member (as CSV)."""
    wrong = dict(mistakes)
    out = io.StringIO()
    out.write("申报会员服务卡个人信息采集表\n")
    out.write(HEADER + "\n")
    for k in range(len(rows)):
        name, number, phone = _mistaken(rows, k, wrong[k]) if k in wrong else rows[k]
        out.write(f"{k + 1},{name},{number},{phone},{part}\n")
    text = out.getvalue()
    return text.encode("gbk") if gbk else ("\ufeff" + text).encode("utf-8")


class StoryRun:
    """A story being replayed: ``until(t)`` takes the steps up to a time, each call in the
    caller's transaction (the as-of tests stop, look at a past day, then go on)."""

    def __init__(self, session: Session, story: Story, progress: Callable[[int, int], None] | None = None) -> None:
        load_generated(session, story.data)  # the tree, campaign, deadlines and accounts
        self._driver = _Driver(session, story, progress)
        self._driver.start()

    def until(self, at: datetime | None = None, session: Session | None = None) -> DriveReport:
        """Replay the steps up to ``at`` (default: to the story's now), optionally in a new session."""
        if session is not None:
            self._driver.session = session
            self._driver.users.clear()
            self._driver.campaign = session.merge(self._driver.campaign)
        with trusted_files():  # the driver reads only files it made itself
            return self._driver.run(at)


def drive_story(session: Session, story: Story, progress: Callable[[int, int], None] | None = None) -> DriveReport:
    """Load the setup, then replay the story through the actions; the caller owns the transaction."""
    return StoryRun(session, story, progress).until()
