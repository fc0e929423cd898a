"""A tiny hand-built campaign for the bank and distribution tests; every figure is chosen so the
expected numbers can be worked out on paper (see the test modules).

Tree: district D (area A: units U1, U2) and district E (area B: unit U3).
Batches: B1 (D, sent 11-01, results 11-04), B2 (D, sent 11-08, results 11-11),
B3 (E, sent 11-02, results 11-05). All times naive UTC, 2026.

    member unit  B1 (11-04)          B2 (11-11)       B3 (11-05)       corrected
    m1     U1    produced
    m2     U1    id_name_mismatch    produced                          11-06
    m3     U1    phone_invalid
    m4     U2    produced
    m5     U2    id_name_mismatch    id_invalid                        11-06
    m6     U3                                         id_expired       11-07

Card movements: m1 received 11-06, handed 11-09, delivered 11-12, activated 11-15;
m4 received 11-06 (still at the district); m2 received 11-18.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine

from data_access.db import write_session
from data_access.models import BankBatch, BankResult, Campaign, CardMovement, Member, OrgUnit
from data_access.scope import Scope


def at(day: int, hour: int = 2) -> datetime:
    """A naive UTC time in November 2026."""
    return datetime(2026, 11, day, hour, 0)


NOW = at(20)


@dataclass(frozen=True)
class Tiny:
    campaign_id: int
    district_d: Scope
    district_e: Scope
    area_a: Scope
    unit_u1: Scope
    members: dict[str, int]


def build(engine: Engine) -> Tiny:
    """Insert the tiny campaign and return its ids and scopes."""
    with write_session(engine) as s:
        orgs = [
            OrgUnit(id=1, code="D", name="甲区工会", level="district", path="/1/", district_id=1),
            OrgUnit(id=2, code="A", name="甲一片区", level="area", path="/1/2/", district_id=1, area_id=2, parent_id=1),
            OrgUnit(id=3, code="U1", name="一号单位", level="unit", path="/1/2/3/", district_id=1, area_id=2, parent_id=2,
                    contact_name="王五", contact_phone="13900000001", expected_members=3),
            OrgUnit(id=4, code="U2", name="二号单位", level="unit", path="/1/2/4/", district_id=1, area_id=2, parent_id=2,
                    expected_members=2),
            OrgUnit(id=5, code="E", name="乙区工会", level="district", path="/5/", district_id=5),
            OrgUnit(id=6, code="B", name="乙一片区", level="area", path="/5/6/", district_id=5, area_id=6, parent_id=5),
            OrgUnit(id=7, code="U3", name="三号单位", level="unit", path="/5/6/7/", district_id=5, area_id=6, parent_id=6,
                    expected_members=1),
        ]
        for org in orgs:
            s.add(org)
            s.flush()
        campaign = Campaign(id=1, name="测试活动", reference_date=date(2026, 10, 1), created_at=at(1, 0))
        s.add(campaign)
        s.flush()
        unit_of = {"m1": 3, "m2": 3, "m3": 3, "m4": 4, "m5": 4, "m6": 7}
        members: dict[str, int] = {}
        for k, (key, unit) in enumerate(unit_of.items(), start=1):
            id_number = f"11010519800101{k:03d}X"[:18].ljust(18, "0")
            m = Member(
                id=k, campaign_id=1, unit_id=unit, name=f"会员{k}", id_number=id_number,
                id_hash=hashlib.sha256(id_number.encode()).hexdigest(), phone=f"1380000000{k}",
                sex="M", birth_date=date(1980, 1, 1), stage="sent_to_bank",
                validated_at=at(1, 0), submitted_at=at(1, 0), approved_at=at(1, 1),
                sent_at=at(5) if key == "m6" else at(1),
            )
            s.add(m)
            members[key] = k
        s.flush()
        s.add_all([
            BankBatch(id=1, campaign_id=1, district_id=1, reference="B1", sent_at=at(1), branch="甲支行", member_count=5),
            BankBatch(id=2, campaign_id=1, district_id=1, reference="B2", sent_at=at(8), branch="甲支行", member_count=2),
            BankBatch(id=3, campaign_id=1, district_id=5, reference="B3", sent_at=at(2), branch="乙支行", member_count=1),
        ])
        s.flush()
        results = [
            ("m1", 1, "produced", None, at(4), "6222000000001111"),
            ("m2", 1, "failed", "id_name_mismatch", at(4), None),
            ("m3", 1, "failed", "phone_invalid", at(4), None),
            ("m4", 1, "produced", None, at(4), "6222000000004444"),
            ("m5", 1, "failed", "id_name_mismatch", at(4), None),
            ("m2", 2, "produced", None, at(11), "6222000000002222"),
            ("m5", 2, "failed", "id_invalid", at(11), None),
            ("m6", 3, "failed", "id_expired", at(5), None),
        ]
        for key, batch, outcome, reason, when, card in results:
            s.add(BankResult(
                member_id=members[key], batch_id=batch, outcome=outcome, reason_code=reason,
                reason_text=reason and f"原因 {reason}", at=when,
                card_number_masked=card and "*" * 12 + card[-4:],
            ))
        stamps = {
            "m1": {"produced_at": at(4), "received_at": at(6), "distributed_at": at(9), "delivered_at": at(12), "activated_at": at(15)},
            "m2": {"failed_at": at(4), "corrected_at": at(6), "produced_at": at(11), "received_at": at(18)},
            "m3": {"failed_at": at(4)},
            "m4": {"produced_at": at(4), "received_at": at(6)},
            "m5": {"failed_at": at(11), "corrected_at": at(6)},
            "m6": {"failed_at": at(5), "corrected_at": at(7)},
        }
        steps = {"received_at": "received_by_district", "distributed_at": "handed_to_unit", "delivered_at": "delivered", "activated_at": "activated"}
        for key, values in stamps.items():
            member = s.get(Member, members[key])
            assert member is not None
            for column, value in values.items():
                setattr(member, column, value)
                if column in steps:
                    s.add(CardMovement(member_id=member.id, step=steps[column], at=value, by="测试"))
    return Tiny(
        campaign_id=1,
        district_d=Scope(1, "/1/"),
        district_e=Scope(5, "/5/"),
        area_a=Scope(2, "/1/2/"),
        unit_u1=Scope(3, "/1/2/3/"),
        members=members,
    )
