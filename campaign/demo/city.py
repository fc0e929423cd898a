"""A city-size campaign generated as a stream of row chunks (``python -m campaign scale``).

The tree, campaign, deadlines and users come from ``generator.build_setup`` (as the demo's);
everything below the tree is generated unit by unit and handed to a writer in chunks of whole
units (plain tuples), so memory stays flat whatever the size. Each unit's story follows the
demo's (personas, uploads with planted findings, submission, returns, a two-level review chain,
paper receipts), then each approved member goes through its district's bank batch schedule
(``bank_batch_member`` rows, results, failures, corrections and re-sends, card movements).

Times are shared as the actions share them: an upload, a submission, a review decision, a
batch, a result file, a hand-over or a delivery session writes one time for all its members;
only a correction is per member. So the member events are not built here: the generator writes
each unit's shared events once (``unit_event``) and each correction (``corrected``), and the
loader derives every ``member_event`` row in SQL from those and from the chunk's batch members,
results and card movements, in the order the actions would write them
(``data_access.loader._DERIVE_EVENTS``). The member row's cache columns (``stage``, ``..._at`` =
first time reached) are computed here with the same rule as ``actions.base.add_events``; the
tests prove the cache equals the derived events. Times and dates are written as the text
SQLAlchemy stores on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``), which PostgreSQL's COPY accepts too.

Synthetic people: ID numbers are made unique by construction (a bijection of the member id onto
county x birth date x sequence number), so no set of seen numbers is kept.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from campaign.demo import names
from campaign.demo.generator import PLANTED_FINDINGS, DemoConfig, Setup, _work_time, build_setup
from campaign.rules.id_number import CHECK_CHARS as _CHECK_CHARS
from campaign.rules.id_number import WEIGHTS, calc_check_digit
from campaign.stages import BANK_FAILURE_REASONS, STAGE_TIME_COLUMN

REVIEW_LEVELS = "district,new_area"

# Columns written per table, in this order (the tuples the generator yields).
COLUMNS: dict[str, tuple[str, ...]] = {
    "upload": (
        "id", "campaign_id", "unit_id", "file_name", "sha256", "uploaded_by", "uploaded_at", "rows",
        "error_count", "warning_count", "attempt", "part", "superseded_at", "superseded_by_upload_id",
    ),
    "issue": ("id", "upload_id", "row", "column", "code", "severity", "message", "suggestion", "resolved_at"),
    "member": (
        "id", "campaign_id", "unit_id", "sub_unit_id", "upload_id", "sheet_row", "name", "id_number", "id_hash",
        "phone", "sex", "birth_date", "stage", "collected_at", "validated_at", "submitted_at", "approved_at",
        "sent_at", "produced_at", "failed_at", "corrected_at", "received_at", "distributed_at", "delivered_at",
        "activated_at",
    ),
    "member_event": (
        "id", "member_id", "campaign_id", "unit_id", "kind", "at", "by", "upload_id", "submission_id", "batch_id",
        "reason", "note",
    ),
    "submission": (
        "id", "campaign_id", "unit_id", "upload_id", "submitted_at", "on_time", "paper_sheet", "paper_unit_form",
        "paper_id_copies", "paper_consents", "outcome", "return_reason", "reviewer", "reviewed_at", "submitted_by",
        "card_unit_name", "filler_name", "filler_phone", "member_count", "consents_confirmed", "due_at",
        "id_copies_received", "consents_received", "review_level",
    ),
    "review_decision": ("id", "submission_id", "level", "decision", "reason", "note", "by", "at"),
    "paper_receipt": ("id", "submission_id", "sheet", "unit_form", "id_copies", "consents", "by", "at"),
    "bank_batch": ("id", "campaign_id", "district_id", "reference", "sent_at", "branch", "member_count", "created_by"),
    "bank_batch_member": ("id", "batch_id", "member_id"),
    "bank_result": ("id", "member_id", "batch_id", "outcome", "reason_code", "reason_text", "card_number_masked", "at"),
    "card_movement": ("id", "member_id", "step", "at", "by", "handed_to"),
    "chase": ("id", "unit_id", "at", "by", "channel", "note", "promised_date"),
    # Not tables: what the loader turns into ``member_event`` rows in SQL (see ``load_city``).
    "unit_event": ("unit_id", "seq", "kind", "at", "by", "upload_id", "submission_id", "reason", "note"),
    "corrected": ("member_id", "campaign_id", "unit_id", "at", "by"),
}
# Foreign-key order of the streamed tables (batches first: members' rows point at them).
STREAM_ORDER = (
    "bank_batch", "upload", "issue", "submission", "review_decision", "paper_receipt", "member",
    "bank_batch_member", "bank_result", "card_movement", "chase", "unit_event", "corrected",
)
# Card movement step -> the member event it records (as data_access.actions.cards.EVENT_OF).
CARD_STEP_KIND = {"received_by_district": "received", "handed_to_unit": "distributed", "delivered": "delivered", "activated": "activated"}
CHUNK_MEMBERS = 40_000  # members per chunk (one transaction each)

# Event kind -> stage the cached member.stage moves to (None: unchanged); as actions.base.
_STAGE_AFTER = {
    "collected": "collected", "validated": "validated", "submitted": "submitted", "returned": "validated",
    "approved": "approved", "sent_to_bank": "sent_to_bank", "produced": "produced", "failed": "failed",
    "corrected": "corrected", "received": "received", "distributed": "distributed", "delivered": "delivered",
    "activated": "activated",
}
_MEMBER_TIME_COLUMNS = COLUMNS["member"][13:]  # collected_at .. activated_at
_TIME_INDEX = {kind: _MEMBER_TIME_COLUMNS.index(col) for kind, col in STAGE_TIME_COLUMN.items()}
_REASONS = list(BANK_FAILURE_REASONS)
_REASON_WEIGHTS = [30, 12, 18, 10, 15, 8, 7]
_ERROR_CODES = [c for c, v in PLANTED_FINDINGS.items() if v[1] == "error"]
_ERROR_WEIGHTS = [v[0] for v in PLANTED_FINDINGS.values() if v[1] == "error"]
_WARNING_CODES = [c for c, v in PLANTED_FINDINGS.items() if v[1] == "warning"]
_WARNING_WEIGHTS = [v[0] for v in PLANTED_FINDINGS.values() if v[1] == "warning"]
_AGE_DAYS = 30 * 365  # birth dates over 30 years (ages about 19 to 49: nobody retired)
_REGIONS = tuple(dict.fromkeys(names.REGION_CODES))  # the list repeats some counties: unique ones only
_MULTIPLIER = 7_919  # prime: k -> k * 7919 mod capacity is a bijection (capacity not a multiple)
_UPLOAD_KINDS = ("collected", "validated")
_SENT, _PRODUCED, _FAILED, _CORRECTED, _ACTIVATED = (
    _TIME_INDEX[k] for k in ("sent_to_bank", "produced", "failed", "corrected", "activated")
)
_SEQ_CODE = [f"{seq:03d}" for seq in range(1000)]
_SEQ_SUM = [sum(int(d) * w for d, w in zip(code, WEIGHTS[14:], strict=True)) for code in _SEQ_CODE]
_MASKED_CARD = ["*" * 15 + f"{n:04d}" for n in range(10_000)]


def ts(value: datetime | None) -> str | None:
    """A naive UTC time as SQLAlchemy stores it on SQLite (and COPY reads on PostgreSQL)."""
    return None if value is None else value.isoformat(" ", "microseconds")


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


@dataclass
class CityPlan:
    """The setup and per-district batch schedules (small, kept in memory)."""

    setup: Setup
    batches: dict[int, list[tuple[int, datetime, datetime]]]  # district -> (batch id, sent_at, result_at)
    activations: list[datetime]  # the bank's weekly activation reports, in time order


class _Ids:
    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        value = self.next.get(table, 0) + 1
        self.next[table] = value
        return value


def plan_city(now: datetime, cfg: DemoConfig) -> CityPlan:
    """Tree, campaign, deadlines, users (as the demo) and each district's batch schedule."""
    setup = build_setup(now, cfg)
    setup.campaign["review_levels"] = REVIEW_LEVELS
    rng = random.Random(cfg.seed * 17 + 3)
    batches: dict[int, list[tuple[int, datetime, datetime]]] = {}
    batch_id = 0
    for district in setup.districts:
        rows: list[tuple[int, datetime, datetime]] = []
        at = _work_time(setup.start + timedelta(days=rng.uniform(6, 10)))
        while at <= now:
            batch_id += 1
            rows.append((batch_id, at, _work_time(at + _hours(rng, 60, 130))))
            at = _work_time(at + timedelta(days=rng.choice((3, 4, 4, 5))))
        batches[district["id"]] = rows
    activations, at = [], _work_time(setup.start + timedelta(days=14, hours=rng.uniform(0, 8)))
    while at <= now:
        activations.append(at)
        at = _work_time(at + timedelta(days=7))
    return CityPlan(setup, batches, activations)


class CityGenerator:
    """Yields (table, rows) chunks, unit by unit; ``batch_counts`` holds members per batch."""

    def __init__(self, plan: CityPlan, id_key: bytes) -> None:
        self.plan = plan
        self.setup = plan.setup
        self.cfg = plan.setup.cfg
        self.id_key = id_key
        self.ids = _Ids()
        self.batch_counts: dict[int, int] = {}
        self.capacity = 1000 * _AGE_DAYS * len(_REGIONS)
        if self.capacity % _MULTIPLIER == 0:  # pragma: no cover - the lists would have to change
            raise ValueError("capacity must not be a multiple of the multiplier")
        self.birth_base = self.setup.today - timedelta(days=19 * 366 + _AGE_DAYS)
        days = [self.birth_base + timedelta(days=d) for d in range(_AGE_DAYS)]
        self._day_code = [f"{day:%Y%m%d}" for day in days]
        self._day_iso = [day.isoformat() for day in days]
        self._day_sum = [sum(int(c) * w for c, w in zip(code, WEIGHTS[6:14], strict=True)) for code in self._day_code]
        self._region_code = list(_REGIONS)
        self._region_sum = [sum(int(c) * w for c, w in zip(code, WEIGHTS[:6], strict=True)) for code in _REGIONS]

    # --- people ---------------------------------------------------------------------------
    @staticmethod
    def capacity_for() -> int:
        """How many distinct synthetic ID numbers ``person_at`` can make."""
        return 1000 * _AGE_DAYS * len(_REGIONS)

    @staticmethod
    def person_at(k: int, rng: random.Random, today: date | None = None) -> tuple[str, str, str]:
        """(name, id_number, phone) of position ``k`` of the bijection (benchmarks' fresh people)."""
        today = today or date.today()
        seq, rest = k % 1000, k // 1000
        birth = today - timedelta(days=19 * 366 + _AGE_DAYS) + timedelta(days=rest % _AGE_DAYS)
        first17 = f"{_REGIONS[rest // _AGE_DAYS]}{birth:%Y%m%d}{seq:03d}"
        name = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_CHARS) + rng.choice(names.GIVEN_CHARS)
        return name, first17 + calc_check_digit(first17), rng.choice(names.PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"

    # --- the stream ---------------------------------------------------------------------
    def chunks(self) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
        """Every unit's rows, as chunks of whole units: table -> rows (``COLUMNS`` order, ids
        ascending), about ``CHUNK_MEMBERS`` members each."""
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in STREAM_ORDER if t != "bank_batch"}
        for unit in self.setup.units:
            self._unit(unit, out)
            if len(out["member"]) >= CHUNK_MEMBERS:
                yield out
                out = {t: [] for t in out}
        if any(out.values()):
            yield out

    def batch_rows(self) -> list[tuple[Any, ...]]:
        """The bank batches (member counts filled in after the members: see ``batch_counts``)."""
        setup, rows = self.setup, []
        for d_index, district in enumerate(setup.districts):
            for batch_id, sent_at, _ in self.plan.batches[district["id"]]:
                rows.append((
                    batch_id, setup.campaign["id"], district["id"], f"PL{setup.today.year}-{district['code']}-{batch_id:04d}",
                    ts(sent_at), names.BANK_BRANCHES[d_index % len(names.BANK_BRANCHES)], 0, f"leader{d_index + 1}",
                ))
        return rows

    def _unit(self, unit: dict[str, Any], out: dict[str, list[tuple[Any, ...]]]) -> None:  # noqa: C901, PLR0912, PLR0915
        setup, cfg, now = self.setup, self.cfg, self.setup.now
        campaign_id = setup.campaign["id"]
        rng = random.Random(cfg.seed * 1_000_003 + unit["id"])
        due = setup.unit_deadline[unit["id"]]
        persona = rng.choices(("early", "deadline", "late", "errors", "clean", "idle"), (30, 25, 15, 10, 7, 13))[0]
        if persona in ("late", "errors", "idle", "clean") and rng.random() < 0.55:
            at = min(now, due) - _hours(rng, 24, 240)
            for _ in range(rng.randint(1, 3)):
                at = _work_time(at + _hours(rng, 10, 80))
                if at > now:
                    break
                out["chase"].append((
                    self.ids.take("chase"), unit["id"], ts(at), f"liaison-{unit['area_id']}",
                    rng.choice(("phone", "phone", "wechat", "sms", "visit")), rng.choice(names.CHASE_NOTES),
                    (at.date() + timedelta(days=rng.randint(1, 5))).isoformat(),
                ))
        if persona == "idle":
            return
        if persona == "early":
            submit_at: datetime | None = due - _hours(rng, 36, 12 * 24)
        elif persona == "deadline":
            submit_at = due - _hours(rng, 0.2, 30)
        elif persona == "late":
            submit_at = due + _hours(rng, 2, 6 * 24)
        else:
            submit_at = None
        first = _work_time(max((submit_at or now) - _hours(rng, 24, 8 * 24), setup.start + _hours(rng, 0, 72)))
        n_members = max(3, round(unit["expected_members"] * rng.uniform(0.82, 1.0)))
        error_attempts = 0 if rng.random() < 0.55 else rng.choice((1, 1, 2, 3))
        if persona == "errors":
            error_attempts = max(1, error_attempts)
        attempts = [first]
        for _ in range(error_attempts):
            attempts.append(attempts[-1] + _hours(rng, 3, 40))
        if persona == "errors" and len(attempts) > 1:
            attempts = attempts[:-1]
            error_attempts = len(attempts)
        attempts = [t for t in attempts if t <= now]
        if not attempts:
            return
        clerk = f"clerk-{unit['code'].lower()}"
        upload_ids = [self.ids.take("upload") for _ in attempts]
        clean_at: datetime | None = None
        unit_uploads: list[tuple[Any, ...]] = []
        for index, at in enumerate(attempts):
            attempt = index + 1
            is_clean = attempt > error_attempts
            n_err = 0 if is_clean else max(1, round(n_members * rng.uniform(0.01, 0.08)))
            n_warn = round(n_members * rng.uniform(0.0, 0.03))
            planted = rng.choices(_ERROR_CODES, _ERROR_WEIGHTS, k=n_err) + rng.choices(_WARNING_CODES, _WARNING_WEIGHTS, k=n_warn)
            resolved = ts(attempts[index + 1]) if index + 1 < len(attempts) else None
            counts = {"error": 0, "warning": 0}
            for code, row_no in zip(planted, rng.sample(range(4, 4 + n_members), k=min(len(planted), n_members)), strict=False):
                _, severity, column, message, suggestion = PLANTED_FINDINGS[code]
                counts[severity] += 1
                out["issue"].append((self.ids.take("issue"), upload_ids[index], row_no, column, code, severity, message, suggestion, resolved))
            nxt = attempts[index + 1] if index + 1 < len(attempts) else None
            unit_uploads.append((
                upload_ids[index], campaign_id, unit["id"],
                f"{unit['card_unit_name']}-个人信息采集表{'' if attempt == 1 else f'（第{attempt}版）'}.xlsx",
                hashlib.sha256(f"{cfg.seed}-{unit['id']}-{attempt}".encode()).hexdigest(), clerk, ts(at), n_members,
                counts["error"], counts["warning"], attempt, "", ts(nxt), upload_ids[index + 1] if nxt else None,
            ))
            if is_clean:
                clean_at = at
        out["upload"].extend(reversed(unit_uploads))  # a superseded upload points at a later one, already written
        if clean_at is None:
            return
        upload_id = upload_ids[-1]
        # Unit-level events shared by all members: (kind, at, by, submission_id, reason, note).
        shared: list[tuple[str, datetime, str | None, int | None, str | None, str | None]] = [
            ("collected", attempts[0], clerk, None, None, None), ("validated", clean_at, clerk, None, None, None),
        ]
        approved_at: datetime | None = None
        if submit_at is not None and submit_at <= now:
            submit_at = max(submit_at, clean_at + _hours(rng, 0.5, 6))
        if submit_at is not None and submit_at <= now:
            filler = rng.choice(names.SURNAMES) + rng.choice(names.GIVEN_CHARS)
            filler_phone = rng.choice(names.PHONE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
            district_reviewer = f"leader{setup.districts.index(next(d for d in setup.districts if d['id'] == unit['district_id'])) + 1}"
            for round_no in range(3):
                sub_id = self.ids.take("submission")
                shared.append(("submitted", submit_at, clerk, sub_id, None, None))
                returned = round_no < 2 and rng.random() < (0.12 if round_no == 0 else 0.05)
                paper_at = _work_time(submit_at + _hours(rng, 2, 30))
                complete = paper_at <= now and rng.random() > 0.06
                if paper_at <= now:
                    out["paper_receipt"].append((
                        self.ids.take("paper_receipt"), sub_id, 1, 1, n_members if complete else n_members // 2,
                        n_members if complete else n_members // 2, district_reviewer, ts(paper_at),
                    ))
                reviewed = _work_time(submit_at + _hours(rng, 6, 72))
                second = _work_time(reviewed + _hours(rng, 4, 48))
                outcome, reason_text, reviewer, reviewed_at, level = "pending", None, None, None, "district"
                if reviewed <= now and returned:
                    reason_text = rng.choice(names.RETURN_REASONS)
                    out["review_decision"].append((self.ids.take("review_decision"), sub_id, "district", "returned", "other", reason_text, district_reviewer, ts(reviewed)))
                    shared.append(("returned", reviewed, district_reviewer, sub_id, "other", reason_text))
                    outcome, reviewer, reviewed_at = "returned", district_reviewer, reviewed
                elif reviewed <= now and complete:
                    out["review_decision"].append((self.ids.take("review_decision"), sub_id, "district", "approved", None, None, district_reviewer, ts(reviewed)))
                    level = "new_area"
                    if second <= now:
                        out["review_decision"].append((self.ids.take("review_decision"), sub_id, "new_area", "approved", None, None, "newarea", ts(second)))
                        shared.append(("approved", second, "newarea", sub_id, None, None))
                        outcome, reviewer, reviewed_at, level, approved_at = "approved", "newarea", second, "", second
                paper = 1 if complete else 0
                out["submission"].append((
                    sub_id, campaign_id, unit["id"], upload_id, ts(submit_at), 1 if submit_at <= due else 0,
                    paper, paper, paper, paper, outcome, reason_text, reviewer, ts(reviewed_at), clerk,
                    unit["card_unit_name"], filler, filler_phone, n_members, 1, ts(due),
                    n_members if complete else 0, n_members if complete else 0, level,
                ))
                if outcome != "returned":
                    break
                submit_at = reviewed + _hours(rng, 12, 96)
                if submit_at > now or rng.random() < 0.25:
                    break
        self._members(unit, rng, n_members, upload_id, shared, approved_at, out)

    def _members(  # noqa: PLR0913
        self, unit: dict[str, Any], rng: random.Random, n_members: int, upload_id: int,
        shared: list[tuple[str, datetime, str | None, int | None, str | None, str | None]],
        approved_at: datetime | None, out: dict[str, list[tuple[Any, ...]]],
    ) -> None:
        """The unit's members, its shared events (one ``unit_event`` row per action: the loader
        gives every member of the unit its copy in SQL) and each approved member's bank path."""
        campaign_id, unit_id = self.setup.campaign["id"], unit["id"]
        times0: list[str | None] = [None] * len(_MEMBER_TIME_COLUMNS)
        stage0 = "collected"
        unit_events = out["unit_event"]
        for seq, (kind, at, by, sid, reason, note) in enumerate(shared):
            at_text = ts(at)
            unit_events.append((unit_id, seq, kind, at_text, by, upload_id if kind in _UPLOAD_KINDS else None, sid, reason, note))
            stage0 = _STAGE_AFTER[kind]
            index = _TIME_INDEX.get(kind)
            if index is not None and times0[index] is None:
                times0[index] = at_text
        tail0 = (stage0, *times0)
        first_id = self.ids.next.get("member", 0) + 1
        self.ids.next["member"] = first_id + n_members - 1
        sub_units = unit["sub_units"] or [None]
        n_sub = len(sub_units)
        members = out["member"]
        people = self._people(first_id, n_members, rng)
        if approved_at is None:
            for i, person in enumerate(people):
                members.append((first_id + i, campaign_id, unit_id, sub_units[i % n_sub], upload_id, i + 4, *person, *tail0))
            return
        path = _BankPath(self, unit, rng, approved_at, times0, out)
        for i, person in enumerate(people):
            member_id = first_id + i
            members.append((member_id, campaign_id, unit_id, sub_units[i % n_sub], upload_id, i + 4, *person, *path.walk(member_id)))

    def _people(self, first_id: int, n: int, rng: random.Random) -> list[tuple[str, str, str, str, str, str]]:
        """(name, id_number, id_hash, phone, sex, birth date text) of members ``first_id`` on.

        The ID number's check character comes from per-part weighted sums (region, birth date,
        sequence), the same value ``calc_check_digit`` computes digit by digit."""
        cap, seed, key = self.capacity, self.cfg.seed, self.id_key
        region_code, region_sum = self._region_code, self._region_sum
        day_code, day_iso, day_sum = self._day_code, self._day_iso, self._day_sum
        surnames = rng.choices(names.SURNAMES, k=n)
        given = rng.choices(names.GIVEN_CHARS, k=2 * n)
        prefixes = rng.choices(names.PHONE_PREFIXES, k=n)
        random_ = rng.random
        digest = hmac.digest
        found = []
        for i in range(n):
            k = ((first_id + i) * _MULTIPLIER + seed) % cap
            seq, rest = k % 1000, k // 1000
            day, region = rest % _AGE_DAYS, rest // _AGE_DAYS
            number = (
                f"{region_code[region]}{day_code[day]}{_SEQ_CODE[seq]}"
                f"{_CHECK_CHARS[(region_sum[region] + day_sum[day] + _SEQ_SUM[seq]) % 11]}"
            )
            name = surnames[i] + given[2 * i] + given[2 * i + 1] if random_() < 0.7 else surnames[i] + given[2 * i]
            found.append((
                name, number, digest(key, number.encode("ascii"), "sha256").hex(),
                f"{prefixes[i]}{int(random_() * 100_000_000):08d}", "M" if seq % 2 else "F", day_iso[day],
            ))
        return found


class _BankPath:
    """One approved unit's members through their district's batches, one member at a time.

    Times are shared as the actions share them: a member is sent at its batch's time, its result
    lands with the batch's result file, its card is received and handed to the unit with the
    unit's other cards of that result, delivered at one of the unit's two delivery sessions for
    them, and activated at the next weekly activation report; only a correction (one member at
    a time in the app) has its own time."""

    def __init__(
        self, city: CityGenerator, unit: dict[str, Any], rng: random.Random, approved_at: datetime,
        times0: list[str | None], out: dict[str, list[tuple[Any, ...]]],
    ) -> None:
        self.city, self.rng, self.out = city, rng, out
        self.now = city.setup.now
        self.unit_id, self.campaign_id = unit["id"], city.setup.campaign["id"]
        self.clerk = f"clerk-{unit['code'].lower()}"
        self.approved_at = approved_at
        self.times0 = times0
        self.schedule = [
            (batch_id, sent_at, ts(sent_at), result_at, ts(result_at))
            for batch_id, sent_at, result_at in city.plan.batches[unit["district_id"]]
            if sent_at >= approved_at
        ]
        self.groups: dict[int, tuple[tuple[str, str, str], ...]] = {}  # batch -> the unit's card steps (step, at text, by)

    def _cards(self, result_at: datetime) -> tuple[tuple[str, str, str], ...]:
        """The unit's card steps for one result: received, handed over, two delivery sessions."""
        rng, now = self.rng, self.now
        received = _work_time(result_at + _hours(rng, 20, 80))
        handed = _work_time(received + _hours(rng, 24, 170))
        first = _work_time(handed + _hours(rng, 4, 72))
        second = _work_time(first + _hours(rng, 24, 200))
        steps = (
            ("received_by_district", received, "区工会发卡组"), ("handed_to_unit", handed, "区工会发卡组"),
            ("delivered", first, self.clerk), ("delivered", second, self.clerk),
        )
        return tuple((step, ts(at), by) if at <= now else (step, "", by) for step, at, by in steps)

    def walk(self, member_id: int) -> tuple[str | None, ...]:  # noqa: C901, PLR0912
        """Write the member's bank and card rows; return its cached (stage, *times)."""
        rng, out, ids, now, city = self.rng, self.out, self.city.ids, self.now, self.city
        times = list(self.times0)
        stage = "approved"
        ready, failed_before = self.approved_at, False
        for batch_id, sent_at, sent_text, result_at, result_text in self.schedule:
            if sent_at < ready:
                continue
            out["bank_batch_member"].append((ids.take("bank_batch_member"), batch_id, member_id))
            city.batch_counts[batch_id] = city.batch_counts.get(batch_id, 0) + 1
            stage = "sent_to_bank"
            if times[_SENT] is None:
                times[_SENT] = sent_text
            if result_at > now:
                break
            if rng.random() < (0.12 if failed_before else 0.035):
                code = rng.choices(_REASONS, _REASON_WEIGHTS)[0]
                out["bank_result"].append((ids.take("bank_result"), member_id, batch_id, "failed", code, BANK_FAILURE_REASONS[code][0], None, result_text))
                stage = "failed"
                if times[_FAILED] is None:
                    times[_FAILED] = result_text
                failed_before = True
                if rng.random() >= 0.65:
                    break
                corrected = _work_time(result_at + _hours(rng, 20, 150))
                if corrected > now:
                    break
                corrected_text = ts(corrected)
                out["corrected"].append((member_id, self.campaign_id, self.unit_id, corrected_text, self.clerk))
                stage = "corrected"
                if times[_CORRECTED] is None:
                    times[_CORRECTED] = corrected_text
                ready = corrected
                continue
            out["bank_result"].append((ids.take("bank_result"), member_id, batch_id, "produced", None, None, _MASKED_CARD[rng.randrange(10_000)], result_text))
            stage = "produced"
            times[_PRODUCED] = result_text
            steps = self.groups.get(batch_id)
            if steps is None:
                steps = self.groups[batch_id] = self._cards(result_at)
            pick = rng.random()
            chosen = steps[:3] if pick < 0.7 else (steps[:2] + steps[3:]) if pick < 0.85 else steps[:2]
            movements = out["card_movement"]
            for step, at_text, by in chosen:
                if not at_text:
                    break
                movements.append((ids.take("card_movement"), member_id, step, at_text, by, None))
                kind = CARD_STEP_KIND[step]
                stage = kind
                times[_TIME_INDEX[kind]] = at_text
            else:
                if len(chosen) == 3 and rng.random() < 0.5:
                    activated = self._activation(chosen[2][1], rng)
                    if activated is not None:
                        movements.append((ids.take("card_movement"), member_id, "activated", activated, "本人", None))
                        stage = "activated"
                        times[_ACTIVATED] = activated
            break
        return (stage, *times)

    def _activation(self, delivered_text: str, rng: random.Random) -> str | None:
        """The weekly activation report that first lists a card activated 12-400 h after delivery."""
        reports = self.city.plan.activations
        personal = datetime.fromisoformat(delivered_text) + _hours(rng, 12, 400)
        index = bisect.bisect_left(reports, personal)
        return None if index >= len(reports) else ts(reports[index])


def generate_city(now: datetime, cfg: DemoConfig, id_key: bytes) -> tuple[CityPlan, CityGenerator]:
    """The plan (small rows: tree, campaign, deadlines, users) and the generator of the rest."""
    plan = plan_city(now, cfg)
    return plan, CityGenerator(plan, id_key)


ProgressFn = Callable[[int, int], None]
__all__ = ["CARD_STEP_KIND", "COLUMNS", "STREAM_ORDER", "CityGenerator", "CityPlan", "generate_city", "plan_city", "ts"]
