"""The demo campaign as a story: dated steps that people take through the app's actions.

``generate_story(now, config)`` returns the tree, campaign, deadlines and users as rows (the
setup an administrator loads), and a list of ``Step``\\ s: units upload sheets (some with real
mistakes, large units one file per workshop), submit, districts record paper materials and
review, the new-area union reviews after them, districts send batches to the bank, liaisons
chase late units. What happens after a batch (bank results, corrections, cards) is decided by
the driver as it goes, from the same seed. ``data_access.demo_driver`` replays the steps in
time order through ``data_access.actions``, so the demo holds only states the app can reach.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from campaign.demo import names
from campaign.demo.generator import DemoConfig, DemoData, Setup, _hours, _work_time, build_setup
from campaign.timeutil import utc_to_local

# Mistakes a clerk makes in a first sheet, weighted like the findings seen in 2014.
MISTAKES: dict[str, int] = {
    "check_digit": 25, "excel_number": 15, "phone_format": 15, "id_length": 8, "name_spaces": 8,
    "duplicate_row": 6, "birth_date": 5, "phone_unallocated": 5,
}
RETURN_REASON_CODES = ("materials_missing", "card_unit_name", "sheet_errors", "other")


@dataclass(frozen=True, order=True)
class Step:
    """One thing a person does at a time; ``seq`` keeps the generated order among equal times."""

    at: datetime
    seq: int
    kind: str  # upload | submit | materials | review | batch | chase
    unit_id: int | None = field(default=None, compare=False)
    district_id: int | None = field(default=None, compare=False)
    payload: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Story:
    """The setup rows and the steps, in time order."""

    data: DemoData
    steps: list[Step]
    now: datetime
    seed: int
    clerk_of: dict[int, str]
    leader_of: dict[int, str]
    liaison_of: dict[int, str]
    branch_of: dict[int, str]


def generate_story(now: datetime, config: DemoConfig | None = None) -> Story:
    """The demo campaign in progress at ``now`` (naive UTC), as setup rows and dated steps."""
    cfg = config or DemoConfig()
    setup = build_setup(now, cfg, clerks_for_all=True)
    steps: list[Step] = []

    def add(at: datetime, kind: str, **kwargs: Any) -> None:
        if at <= now:
            steps.append(Step(at, len(steps), kind, **kwargs))

    for unit in setup.units:
        _unit_story(setup, unit, add)
    _batches(setup, add)
    _chases(setup, add)
    steps.sort()
    users = setup.data.tables["user"]
    leader_of = {u["scope_id"]: u["login"] for u in users if u["role"] == "district_leader"}
    liaison_of = {u["scope_id"]: u["login"] for u in users if u["role"] == "liaison"}
    clerk_of = {u["id"]: u.pop("clerk") for u in setup.units}
    branch_of = {d["id"]: names.BANK_BRANCHES[i % len(names.BANK_BRANCHES)] for i, d in enumerate(setup.districts)}
    for unit in setup.units:
        unit.pop("sub_units", None)
    return Story(setup.data, steps, now, cfg.seed, clerk_of, leader_of, liaison_of, branch_of)


def _unit_story(setup: Setup, unit: dict[str, Any], add: Any) -> None:
    rng, now, people = setup.rng, setup.now, setup.people
    due = setup.unit_deadline[unit["id"]]
    persona = rng.choices(("early", "deadline", "late", "errors", "clean", "idle"), (30, 25, 15, 10, 7, 13))[0]
    unit["persona"] = persona
    if persona == "idle":
        return
    submit_at: datetime | None = {
        "early": due - _hours(rng, 36, 12 * 24),
        "deadline": due - _hours(rng, 0.2, 30),
        "late": due + _hours(rng, 2, 6 * 24),
    }.get(persona)
    first = _work_time(max((submit_at or now) - _hours(rng, 24, 8 * 24), setup.start + _hours(rng, 0, 72)))
    size = max(3, round(unit["expected_members"] * rng.uniform(0.82, 1.0)))
    rows = [people.person() for _ in range(size)]
    sheet = [(name, number, phone) for name, number, phone, _, _ in rows]
    parts = _split(rng, sheet, unit) if size >= 250 else [("", sheet)]
    error_rounds = 0 if rng.random() < 0.55 else rng.choice((1, 1, 2, 3))
    if persona == "errors":
        error_rounds = max(1, error_rounds)
    at = first
    for round_no in range(error_rounds + (0 if persona == "errors" else 1)):
        clean = round_no >= error_rounds
        for k, (part, part_rows) in enumerate(parts):
            mistakes = [] if clean or k > 0 else _mistakes(rng, len(part_rows))
            suffix = "" if round_no == 0 else f"（第{round_no + 1}版）"
            label = f"-{part}" if part else ""
            add(at + timedelta(minutes=5 * k), "upload", unit_id=unit["id"], payload={
                "part": part, "rows": part_rows, "mistakes": mistakes,
                "file_name": f"{unit['card_unit_name']}{label}-个人信息采集表{suffix}.csv",
            })
            if not clean and k == 0:
                break  # a sheet with errors: the clerk fixes it before sending the others
        at = _work_time(at + _hours(rng, 3, 40))
    if submit_at is None:
        return
    submit_at = max(submit_at, at + _hours(rng, 0.5, 6))
    for round_no in range(3):
        add(submit_at, "submit", unit_id=unit["id"], payload={"filler": unit["contact_name"], "phone": unit["contact_phone"]})
        reviewed_at = _work_time(submit_at + _hours(rng, 6, 72))
        short = [rng.random() < 0.06 for _ in range(4)]
        add(reviewed_at - timedelta(hours=1), "materials", unit_id=unit["id"], district_id=unit["district_id"], payload={
            "sheet": not short[0], "unit_form": not short[1],
            "id_copies_short": rng.randint(1, 4) if short[2] else 0, "consents_short": rng.randint(1, 3) if short[3] else 0,
        })
        returned = round_no < 2 and rng.random() < (0.12 if round_no == 0 else 0.05)
        if returned:
            reason = rng.choice(RETURN_REASON_CODES)
            add(reviewed_at, "review", unit_id=unit["id"], district_id=unit["district_id"], payload={
                "decision": "returned", "reason": reason, "note": rng.choice(names.RETURN_REASONS), "level": "district",
            })
            submit_at = reviewed_at + _hours(rng, 12, 96)
            if rng.random() < 0.25:
                return
            continue
        add(reviewed_at, "review", unit_id=unit["id"], district_id=unit["district_id"],
            payload={"decision": "approved", "level": "district"})
        add(_work_time(reviewed_at + _hours(rng, 2, 30)), "review", unit_id=unit["id"], district_id=unit["district_id"],
            payload={"decision": "approved", "level": "new_area"})
        return


def _split(rng: Any, rows: list[tuple[str, str, str]], unit: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """A large unit's list as one file per workshop (车间/部门)."""
    count = rng.randint(2, 4)
    workshops = rng.sample(names.SUB_UNIT_NAMES, count)
    size = -(-len(rows) // count)
    return [(workshops[k], rows[k * size : (k + 1) * size]) for k in range(count) if rows[k * size : (k + 1) * size]]


def _mistakes(rng: Any, size: int) -> list[tuple[int, str]]:
    count = min(size, max(1, round(size * rng.uniform(0.01, 0.08))))
    kinds = rng.choices(list(MISTAKES), list(MISTAKES.values()), k=count)
    return list(zip(rng.sample(range(size), count), kinds, strict=True))


def _batches(setup: Setup, add: Any) -> None:
    """Each district sends what is ready to the bank every few days, from a week after its deadline."""
    rng = setup.rng
    for district in setup.districts:
        dues = [setup.unit_deadline[u["id"]] for u in setup.units if u["district_id"] == district["id"]]
        at = _work_time(min(dues) - timedelta(days=6))
        while at <= setup.now:
            add(at, "batch", district_id=district["id"])
            at = _work_time(at + timedelta(days=rng.choice((3, 4, 4, 5))))


def _chases(setup: Setup, add: Any) -> None:
    rng = setup.rng
    for unit in setup.units:
        if unit.get("persona") not in ("late", "errors", "idle", "clean") or rng.random() < 0.45:
            continue
        due = setup.unit_deadline[unit["id"]]
        at = min(setup.now, due) - _hours(rng, 24, 240)
        for _ in range(rng.randint(1, 3)):
            at = _work_time(at + _hours(rng, 10, 80))
            promised = utc_to_local(at).date() + timedelta(days=rng.randint(1, 5))
            add(at, "chase", unit_id=unit["id"], payload={
                "channel": rng.choice(("phone", "phone", "wechat", "sms", "visit")),
                "note": rng.choice(names.CHASE_NOTES), "promised": promised,
            })
