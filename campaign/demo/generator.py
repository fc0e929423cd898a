"""A realistic simulated campaign, deterministic for a seed and a 'now', dated around now.

The generator only produces rows (plain dicts keyed by table, with explicit ids so rows can
refer to each other); ``data_access.loader`` writes them. Every person is synthetic.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from campaign.demo import names
from campaign.rules.id_number import calc_check_digit, id_hash
from campaign.stages import BANK_FAILURE_REASONS
from campaign.timeutil import local_noon_utc, local_to_utc, utc_to_local

Row = dict[str, Any]

# Planted validation findings: code -> (weight, severity, column, message, suggestion).
PLANTED_FINDINGS: dict[str, tuple[int, str, str, str, str | None]] = {
    "id_check_digit": (25, "error", "身份证号码", "身份证号码校验位不正确，可能有数字录错。", "请与身份证原件逐位核对。"),
    "id_excel_number": (15, "error", "身份证号码", "身份证号码被 Excel 存成了数字，末尾几位已经丢失。", "把该列设置为“文本”格式后重新输入号码。"),
    "phone_format": (15, "error", "手机号码", "手机号码不是 11 位手机号。", "请填写 1 开头的 11 位手机号，可填亲属手机号。"),
    "id_length": (8, "error", "身份证号码", "身份证号码不是 18 位。", "请核对身份证号码位数。"),
    "name_spaces": (8, "error", "姓名", "姓名中间有空格。", "删除姓名中的空格，与身份证上的姓名保持一致。"),
    "id_duplicate_sheet": (6, "error", "身份证号码", "同一表格中身份证号码重复出现。", "删除重复的一行。"),
    "id_birth_date": (5, "error", "身份证号码", "身份证号码中的出生日期不存在。", "请与身份证原件核对出生日期部分。"),
    "phone_unallocated": (5, "error", "手机号码", "手机号码号段不存在。", "请与本人核对手机号码。"),
    "age_retired": (4, "error", "身份证号码", "该会员已到法定退休年龄，不在办卡范围内。", "从名单中删除该会员。"),
    "id_duplicate_campaign": (3, "error", "身份证号码", "该身份证号码已由其他单位申报。", "与对方单位核实该会员的会籍所在单位。"),
    "id_15_digit": (3, "error", "身份证号码", "这是 15 位的老身份证号码。", "请改填 18 位身份证号码。"),
    "name_digits": (3, "error", "姓名", "姓名中含有数字。", "请按身份证填写姓名。"),
    "phone_duplicate": (6, "warning", "手机号码", "多名会员填写了同一个手机号码。", "可填亲属手机号，请确认无误。"),
    "age_check_cadre": (3, "warning", "身份证号码", "女性会员已满 50 周岁，若非干部身份则已到退休年龄。", "请确认该会员是否为干部身份。"),
    "id_normalised": (4, "warning", "身份证号码", "身份证号码含有空格或全角字符，已自动规范。", None),
}


@dataclass
class DemoConfig:
    """Size and randomness of the simulated campaign."""

    seed: int = 2014
    units: int = 400
    members: int = 40_000
    districts: int = 4
    areas_per_district: int = 3
    password: str = "demo1234"


@dataclass
class DemoData:
    """Rows per table, in an order that respects foreign keys."""

    tables: dict[str, list[Row]] = field(default_factory=dict)
    planted_duplicate_ids: list[str] = field(default_factory=list)

    def add(self, table: str, row: Row) -> Row:
        rows = self.tables.setdefault(table, [])
        row.setdefault("id", len(rows) + 1)
        rows.append(row)
        return row


TABLE_ORDER = (
    "org_unit", "campaign", "deadline", "user", "upload", "issue", "member", "submission",
    "bank_batch", "bank_result", "card_movement", "chase", "audit",
)


class _People:
    """Makes unique synthetic people: name, valid ID, phone."""

    def __init__(self, rng: random.Random, reference: date) -> None:
        self.rng = rng
        self.reference = reference
        self.seen: set[str] = set()
        self.last_phone = ""

    def name(self) -> str:
        rng = self.rng
        if rng.random() < 0.004:
            return rng.choice(names.MINORITY_NAMES)
        given = rng.choice(names.GIVEN_CHARS)
        if rng.random() < 0.7:
            given += rng.choice(names.GIVEN_CHARS)
        return rng.choice(names.SURNAMES) + given

    def person(self) -> tuple[str, str, str, str, date]:
        rng = self.rng
        while True:
            sex = "M" if rng.random() < 0.55 else "F"
            max_age = 58 if sex == "M" else 49
            if sex == "F" and rng.random() < 0.03:
                max_age = 54  # women cadres up to 55
            age_days = rng.randint(19 * 366, max_age * 365 + 300)
            birth = self.reference - timedelta(days=age_days)
            seq = rng.randint(0, 499) * 2 + (1 if sex == "M" else 0)
            first17 = f"{rng.choice(names.REGION_CODES)}{birth:%Y%m%d}{seq:03d}"
            id_number = first17 + calc_check_digit(first17)
            if id_number in self.seen:
                continue
            self.seen.add(id_number)
            break
        if self.last_phone and rng.random() < 0.01:
            phone = self.last_phone  # a relative's phone shared by two members
        else:
            phone = rng.choice(names.PHONE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
        self.last_phone = phone
        return self.name(), id_number, phone, sex, birth


def _hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def _work_time(value: datetime) -> datetime:
    """Move a naive UTC time forward into Shanghai office hours (08:30-18:00)."""
    local = utc_to_local(value)
    if local.hour >= 18:
        local = (local + timedelta(days=1)).replace(hour=9 + (local.minute % 8), minute=(local.second * 7) % 60)
    elif local.hour < 8:
        local = local.replace(hour=9 + (local.minute % 8), minute=(local.second * 7) % 60)
    return local_to_utc(local)


@dataclass
class Setup:
    """The tree, campaign, deadlines and users of a simulated campaign, and what its story needs."""

    data: DemoData
    cfg: DemoConfig
    rng: random.Random
    people: _People
    now: datetime
    start: datetime
    today: date
    campaign: Row
    new_area: Row
    districts: list[Row]
    areas: list[Row]
    units: list[Row]
    unit_deadline: dict[int, datetime]


def build_setup(now: datetime, cfg: DemoConfig, clerks_for_all: bool = False) -> Setup:
    """The organisation tree, campaign, deadlines and users (``clerks_for_all``: a clerk account
    for every unit, as a campaign driven through the app's actions needs)."""
    rng = random.Random(cfg.seed)
    today = utc_to_local(now).date()
    data = DemoData()
    start = local_to_utc(datetime.combine(today - timedelta(days=30), datetime.min.time())) + timedelta(hours=1)
    reference = today

    # --- organisation tree -------------------------------------------------------------
    def org(**row: Any) -> Row:
        parent = row.get("parent")
        row.pop("parent", None)
        row.setdefault("card_unit_name", None)
        for key in ("liaison_name", "liaison_phone", "contact_name", "contact_phone", "district_id", "area_id"):
            row.setdefault(key, None)
        row.setdefault("expected_members", 0)
        added = data.add("org_unit", row)
        added["parent_id"] = parent["id"] if parent else None
        added["path"] = (parent["path"] if parent else "/") + f"{added['id']}/"
        return added

    people = _People(rng, reference)
    city = org(code="C01", name="天津市总工会", level="city")
    new_area = org(code="N01", name="滨海新区总工会", level="new_area", parent=city)
    districts: list[Row] = []
    areas: list[Row] = []
    units: list[Row] = []
    used_company_names: set[str] = set()
    units_per_area = max(1, cfg.units // (cfg.districts * cfg.areas_per_district))
    for d_index in range(cfg.districts):
        d_name, d_short = names.DISTRICTS[d_index % len(names.DISTRICTS)]
        district = org(code=f"D{d_index + 1:02d}", name=d_name, level="district", parent=new_area)
        district["district_id"] = district["id"]
        districts.append(district)
        for a_index in range(cfg.areas_per_district):
            liaison, _, liaison_phone, *_ = people.person()
            area = org(
                code=f"D{d_index + 1:02d}A{a_index + 1:02d}",
                name=f"{d_short}{names.AREA_ORDINALS[a_index % len(names.AREA_ORDINALS)]}",
                level="area",
                parent=district,
                liaison_name=liaison,
                liaison_phone=liaison_phone,
                district_id=district["id"],
            )
            area["area_id"] = area["id"]
            areas.append(area)
            for u_index in range(units_per_area):
                for attempt in range(1, 10_000):
                    company = (
                        rng.choice(names.COMPANY_PLACES) + rng.choice(names.COMPANY_WORDS)
                        + rng.choice(names.COMPANY_TRADES) + rng.choice(names.COMPANY_FORMS)
                    )
                    if attempt > 20:  # a city has more units than the pool has names: a branch
                        company += f"第{attempt - 20}分公司"
                    if company not in used_company_names:
                        used_company_names.add(company)
                        break
                contact, _, contact_phone, *_ = people.person()
                expected = int(min(1500, max(8, rng.lognormvariate(4.2, 0.9))))
                unit = org(
                    code=f"D{d_index + 1:02d}A{a_index + 1:02d}U{u_index + 1:03d}",
                    name=company + "工会",
                    card_unit_name=f"滨海新区{d_name}-{company}工会",
                    level="unit",
                    parent=area,
                    contact_name=contact,
                    contact_phone=contact_phone,
                    district_id=district["id"],
                    area_id=area["id"],
                    expected_members=expected,
                )
                units.append(unit)
    # Scale expected headcounts toward the requested member total (about 60% of units have a clean sheet by now).
    total_expected = sum(u["expected_members"] for u in units)
    factor = cfg.members / 0.58 / max(1, total_expected)
    for unit in units:
        unit["expected_members"] = max(5, round(unit["expected_members"] * factor))
        unit["sub_units"] = []
        if unit["expected_members"] >= 250:
            for s_index, s_name in enumerate(rng.sample(names.SUB_UNIT_NAMES, rng.randint(2, 4))):
                sub = org(
                    code=f"{unit['code']}S{s_index + 1}", name=s_name, level="sub_unit", parent=unit,
                    district_id=unit["district_id"], area_id=unit["area_id"],
                )
                unit["sub_units"].append(sub["id"])

    # --- campaign and deadlines ----------------------------------------------------------
    campaign = data.add("campaign", {
        "name": f"{today.year}年工会会员服务卡集中办理",
        "reference_date": reference,
        "retirement_rules": "2014",
        "shared_phone_severity": "warning",
        "activation_date": date(today.year + 1, 1, 1),
        "root_id": new_area["id"],
        "created_at": start,
    })
    offsets = (-12, -5, 2, 9, 16)
    district_deadline: dict[int, datetime] = {}
    for d_index, district in enumerate(districts):
        due = local_noon_utc(today + timedelta(days=offsets[d_index % len(offsets)]))
        district_deadline[district["id"]] = due
        for milestone, extra in (("unit_submission", 0), ("district_review", 7), ("bank_batch", 14), ("distribution", 40)):
            data.add("deadline", {
                "campaign_id": campaign["id"], "milestone": milestone, "level": "district",
                "org_unit_id": district["id"], "is_extension": False,
                "due_at": due + timedelta(days=extra), "note": None,
            })
    unit_deadline: dict[int, datetime] = {}
    for unit in units:
        due = district_deadline[unit["district_id"]]
        if rng.random() < 0.03:
            due += timedelta(days=rng.choice((2, 3, 5)))
            data.add("deadline", {
                "campaign_id": campaign["id"], "milestone": "unit_submission", "level": None,
                "org_unit_id": unit["id"], "is_extension": True, "due_at": due,
                "note": "单位人数多，经区工会同意延期报送",
            })
        unit_deadline[unit["id"]] = due

    # --- users ---------------------------------------------------------------------------
    data.add("user", {"login": "admin", "display_name": "系统管理员", "role": "admin", "scope_id": None})
    for i, district in enumerate(districts):
        data.add("user", {"login": f"leader{i + 1}", "display_name": f"{district['name']}领导", "role": "district_leader", "scope_id": district["id"]})
    for i, area in enumerate(areas):
        data.add("user", {"login": f"liaison{i + 1}", "display_name": area["liaison_name"], "role": "liaison", "scope_id": area["id"]})
    for i, unit in enumerate(units if clerks_for_all else units[:5]):
        login = f"unit{i + 1}" if i < 5 else f"clerk-{unit['code'].lower()}"
        data.add("user", {"login": login, "display_name": unit["contact_name"], "role": "unit", "scope_id": unit["id"]})
        unit["clerk"] = login
    if clerks_for_all:  # the new-area union reviews after the districts (the seed's chain)
        data.add("user", {"login": "newarea", "display_name": "滨海新区总工会审核员", "role": "district_leader", "scope_id": new_area["id"]})
    for user in data.tables["user"]:
        user["password"] = cfg.password
        user["active"] = True
    return Setup(data, cfg, rng, people, now, start, today, campaign, new_area, districts, areas, units, unit_deadline)


def generate_demo(now: datetime, config: DemoConfig | None = None) -> DemoData:
    """Simulate a campaign in progress at ``now`` (naive UTC) as rows (the bulk path of
    ``python -m campaign scale``; the demo itself is driven through the app's actions)."""
    setup = build_setup(now, config or DemoConfig())
    data, cfg, rng, people = setup.data, setup.cfg, setup.rng, setup.people
    start, today, campaign = setup.start, setup.today, setup.campaign
    districts, areas, units, unit_deadline = setup.districts, setup.areas, setup.units, setup.unit_deadline

    # --- per-unit story: uploads, findings, members, submissions -------------------------
    members_by_district: dict[int, list[Row]] = {d["id"]: [] for d in districts}
    persona_weights = (("early", 30), ("deadline", 25), ("late", 15), ("errors", 10), ("clean", 7), ("idle", 13))
    personas = [p for p, _ in persona_weights]
    weights = [w for _, w in persona_weights]
    all_ids: list[str] = []
    for unit in units:
        persona = rng.choices(personas, weights)[0]
        due = unit_deadline[unit["id"]]
        unit["persona"] = persona
        if persona == "idle":
            continue
        if persona == "early":
            submit_at = due - _hours(rng, 36, 12 * 24)
        elif persona == "deadline":
            submit_at = due - _hours(rng, 0.2, 30)
        elif persona == "late":
            submit_at = due + _hours(rng, 2, 6 * 24)
        else:
            submit_at = None
        first_upload = (submit_at or now) - _hours(rng, 24, 8 * 24)
        first_upload = _work_time(max(first_upload, start + _hours(rng, 0, 72)))
        n_members = max(3, round(unit["expected_members"] * rng.uniform(0.82, 1.0)))
        error_attempts = 0 if rng.random() < 0.55 else rng.choice((1, 1, 2, 3))
        if persona == "errors":
            error_attempts = max(1, error_attempts)
        attempts_at = [first_upload]
        for _ in range(error_attempts):
            attempts_at.append(attempts_at[-1] + _hours(rng, 3, 40))
        if persona == "errors":
            attempts_at = attempts_at[:-1] if len(attempts_at) > 1 else attempts_at
            error_attempts = len(attempts_at)
        attempts_at = [t for t in attempts_at if t <= now]
        if not attempts_at:
            unit["persona"] = "idle"
            continue
        clean_at: datetime | None = None
        uploads: list[Row] = []
        unit_findings: list[tuple[Row, int]] = []
        for attempt, at in enumerate(attempts_at, start=1):
            is_clean = attempt > error_attempts
            upload = data.add("upload", {
                "campaign_id": campaign["id"], "unit_id": unit["id"],
                "file_name": f"{unit['card_unit_name']}-个人信息采集表{'' if attempt == 1 else f'（第{attempt}版）'}.xlsx",
                "sha256": hashlib.sha256(f"{cfg.seed}-{unit['id']}-{attempt}".encode()).hexdigest(),
                "uploaded_by": unit["contact_name"], "uploaded_at": at, "rows": n_members,
                "error_count": 0, "warning_count": 0, "attempt": attempt,
            })
            uploads.append(upload)
            n_errors = 0 if is_clean else max(1, round(n_members * rng.uniform(0.01, 0.08)))
            n_warnings = round(n_members * rng.uniform(0.0, 0.03))
            planted = rng.choices(
                [c for c, v in PLANTED_FINDINGS.items() if v[1] == "error"],
                [v[0] for v in PLANTED_FINDINGS.values() if v[1] == "error"], k=n_errors,
            ) + rng.choices(
                [c for c, v in PLANTED_FINDINGS.items() if v[1] == "warning"],
                [v[0] for v in PLANTED_FINDINGS.values() if v[1] == "warning"], k=n_warnings,
            )
            rows_hit = rng.sample(range(4, 4 + n_members), k=min(len(planted), n_members))
            for code, row_no in zip(planted, rows_hit, strict=False):
                _, severity, column, message, suggestion = PLANTED_FINDINGS[code]
                if code == "id_duplicate_campaign" and all_ids:
                    other = rng.choice(all_ids)
                    data.planted_duplicate_ids.append(other)
                    message = f"该身份证号码已由其他单位申报（{other[:3]}***********{other[-4:]}）。"
                finding = data.add("issue", {
                    "upload_id": upload["id"], "row": row_no, "column": column, "code": code,
                    "severity": severity, "message": message, "suggestion": suggestion,
                    "resolved_at": None,
                })
                unit_findings.append((finding, attempt - 1))
                upload["error_count" if severity == "error" else "warning_count"] += 1
            if is_clean:
                clean_at = at
        # Findings of an upload are resolved by the unit's next upload.
        for finding, index in unit_findings:
            if index + 1 < len(uploads):
                finding["resolved_at"] = uploads[index + 1]["uploaded_at"]
        unit["uploads"] = uploads
        if clean_at is None:
            continue
        clean_upload = uploads[-1]
        # Members of the clean upload.
        unit_members: list[Row] = []
        for row_no in range(n_members):
            name, id_number, phone, sex, birth = people.person()
            all_ids.append(id_number)
            sub_units = unit["sub_units"]
            member = data.add("member", {
                "campaign_id": campaign["id"], "unit_id": unit["id"],
                "sub_unit_id": sub_units[row_no % len(sub_units)] if sub_units else None,
                "upload_id": clean_upload["id"], "sheet_row": row_no + 4, "name": name,
                "id_number": id_number, "id_hash": id_hash(id_number), "phone": phone,
                "sex": sex, "birth_date": birth, "stage": "validated",
                "collected_at": uploads[0]["uploaded_at"], "validated_at": clean_at,
                "submitted_at": None, "approved_at": None, "sent_at": None, "produced_at": None,
                "failed_at": None, "corrected_at": None, "received_at": None,
                "distributed_at": None, "delivered_at": None, "activated_at": None,
            })
            unit_members.append(member)
        if submit_at is None or submit_at > now:
            continue
        submit_at = max(submit_at, clean_at + _hours(rng, 0.5, 6))
        if submit_at > now:
            continue
        # Submission(s) and review.
        approved_at: datetime | None = None
        first_submit = submit_at
        for round_no in range(3):
            returned = round_no < 2 and rng.random() < (0.12 if round_no == 0 else 0.05)
            missing = [rng.random() < 0.06 for _ in range(4)]
            reviewed_at = _work_time(submit_at + _hours(rng, 6, 72))
            row = data.add("submission", {
                "campaign_id": campaign["id"], "unit_id": unit["id"], "upload_id": clean_upload["id"],
                "submitted_at": submit_at, "on_time": submit_at <= due,
                "paper_sheet": not missing[0], "paper_unit_form": not missing[1],
                "paper_id_copies": not missing[2], "paper_consents": not missing[3],
                "outcome": "pending", "return_reason": None, "reviewer": None, "reviewed_at": None,
            })
            if reviewed_at > now:
                break
            row["reviewer"] = f"{unit['district_id']}号审核员"
            row["reviewed_at"] = reviewed_at
            if returned:
                row["outcome"] = "returned"
                row["return_reason"] = rng.choice(names.RETURN_REASONS)
                submit_at = reviewed_at + _hours(rng, 12, 96)
                if submit_at > now or rng.random() < 0.25:
                    break
                continue
            row["paper_sheet"] = row["paper_unit_form"] = row["paper_id_copies"] = row["paper_consents"] = True
            row["outcome"] = "approved"
            approved_at = reviewed_at
            break
        for member in unit_members:
            member["submitted_at"] = first_submit
            member["stage"] = "submitted"
            if approved_at is not None:
                member["approved_at"] = approved_at
                member["stage"] = "approved"
                members_by_district[unit["district_id"]].append(member)

    # --- bank batches, results, corrections ---------------------------------------------
    reasons = list(BANK_FAILURE_REASONS)
    reason_weights = [30, 12, 18, 10, 15, 8, 7]
    batch_no = 0
    for d_index, district in enumerate(districts):
        pending = sorted(members_by_district[district["id"]], key=lambda m: m["approved_at"])
        if not pending:
            continue
        waiting: list[Row] = []  # corrected members waiting for the next batch
        batch_at = _work_time(pending[0]["approved_at"] + timedelta(days=1))
        cursor = 0
        while batch_at <= now:
            selected: list[Row] = []
            while cursor < len(pending) and pending[cursor]["approved_at"] <= batch_at:
                selected.append(pending[cursor])
                cursor += 1
            resent = [m for m in waiting if m["corrected_at"] <= batch_at]
            waiting = [m for m in waiting if m["corrected_at"] > batch_at]
            selected += resent
            if selected:
                batch_no += 1
                batch = data.add("bank_batch", {
                    "campaign_id": campaign["id"], "district_id": district["id"],
                    "reference": f"PL{today.year}-{district['code']}-{batch_no:03d}",
                    "sent_at": batch_at, "branch": names.BANK_BRANCHES[d_index % len(names.BANK_BRANCHES)],
                    "member_count": len(selected),
                })
                result_at = _work_time(batch_at + _hours(rng, 60, 130))
                for member in selected:
                    if member["sent_at"] is None:
                        member["sent_at"] = batch_at
                    member["stage"] = "sent_to_bank"
                    if result_at > now:
                        continue
                    fail_p = 0.035 if member["failed_at"] is None else 0.12
                    if rng.random() < fail_p:
                        code = rng.choices(reasons, reason_weights)[0]
                        data.add("bank_result", {
                            "member_id": member["id"], "batch_id": batch["id"], "outcome": "failed",
                            "reason_code": code, "reason_text": BANK_FAILURE_REASONS[code][0],
                            "card_number_masked": None, "at": result_at,
                        })
                        member["failed_at"] = result_at
                        member["stage"] = "failed"
                        if rng.random() < 0.65:
                            corrected = _work_time(result_at + _hours(rng, 20, 150))
                            if corrected <= now:
                                member["corrected_at"] = corrected
                                member["stage"] = "corrected"
                                waiting.append(member)
                    else:
                        data.add("bank_result", {
                            "member_id": member["id"], "batch_id": batch["id"], "outcome": "produced",
                            "reason_code": None, "reason_text": None,
                            "card_number_masked": "*" * 15 + f"{rng.randint(0, 9999):04d}", "at": result_at,
                        })
                        member["produced_at"] = result_at
                        member["stage"] = "produced"
            batch_at = _work_time(batch_at + timedelta(days=rng.choice((3, 4, 4, 5))))

    # --- card movements ------------------------------------------------------------------
    for member in data.tables.get("member", []):
        if member["produced_at"] is None:
            continue
        rng_local = random.Random(member["id"] * 7919 + cfg.seed)
        steps = (
            ("received_by_district", "received_at", "received", 20, 80, 1.0),
            ("handed_to_unit", "distributed_at", "distributed", 24, 170, 0.95),
            ("delivered", "delivered_at", "delivered", 4, 240, 0.85),
            ("activated", "activated_at", "activated", 12, 400, 0.5),
        )
        at = member["produced_at"]
        for step, column, stage, low, high, p in steps:
            at = _work_time(at + _hours(rng_local, low, high))
            if at > now or rng_local.random() > p:
                break
            member[column] = at
            member["stage"] = stage
            data.add("card_movement", {"member_id": member["id"], "step": step, "at": at, "by": "区工会发卡组" if step != "delivered" else "单位工会"})

    # --- chase log -----------------------------------------------------------------------
    area_by_id = {a["id"]: a for a in areas}
    for unit in units:
        if unit["persona"] not in ("late", "errors", "idle", "clean"):
            continue
        if rng.random() < 0.45:
            continue
        due = unit_deadline[unit["id"]]
        liaison = area_by_id[unit["area_id"]]["liaison_name"]
        at = min(now, due) - _hours(rng, 24, 240)
        for _ in range(rng.randint(1, 3)):
            at = _work_time(at + _hours(rng, 10, 80))
            if at > now:
                break
            promised = utc_to_local(at).date() + timedelta(days=rng.randint(1, 5))
            data.add("chase", {
                "unit_id": unit["id"], "at": at, "by": liaison,
                "channel": rng.choice(("phone", "phone", "wechat", "sms", "visit")),
                "note": rng.choice(names.CHASE_NOTES), "promised_date": promised,
            })

    # --- audit trail of the simulated imports --------------------------------------------
    for upload in data.tables.get("upload", []):
        data.add("audit", {
            "at": upload["uploaded_at"], "user_login": None, "action": "import_sheet",
            "object": upload["file_name"], "detail": "demo", "row_count": upload["rows"],
        })
    for unit in units:
        for key in ("sub_units", "persona", "uploads", "clerk"):
            unit.pop(key, None)
    return data
