"""Headline figures, funnel, roll-up, pace and burn-up against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from data_access import metrics
from data_access.db import read_session, write_session
from data_access.models import BankBatch, BankResult, Campaign, Deadline, Finding, Member, OrgUnit, Submission, Upload
from data_access.scope import Scope

D = datetime  # naive UTC throughout


def _member(n: int, unit: OrgUnit, upload: Upload, **times: datetime) -> Member:
    first17 = f"12010119800101{n:03d}"
    return Member(
        campaign_id=1, unit_id=unit.id, upload_id=upload.id, name=f"会员{n}", id_number=first17 + "0",
        id_hash=f"{n:064d}", phone=f"138000000{n:02d}", sex="M", birth_date=date(1980, 1, 1),
        stage="validated", **times,
    )


@pytest.fixture
def tiny(engine):
    """One district, one area, three units (expected 10, 5, 5); U3 has an extension."""
    with write_session(engine) as s:
        city = OrgUnit(id=1, code="C", name="市总", level="city", path="/1/")
        district = OrgUnit(id=2, code="D", name="保税区工会", level="district", parent_id=1, path="/1/2/", district_id=2)
        area = OrgUnit(id=3, code="A", name="第一片区", level="area", parent_id=2, path="/1/2/3/", district_id=2, area_id=3)
        s.add_all([city, district, area])
        s.flush()
        units = [
            OrgUnit(id=10 + i, code=f"U{i}", name=f"单位{i}", level="unit", parent_id=3, path=f"/1/2/3/{10 + i}/",
                    district_id=2, area_id=3, expected_members=e)
            for i, e in ((1, 10), (2, 5), (3, 5))
        ]
        s.add_all(units)
        s.add(Campaign(id=1, name="测试活动", reference_date=date(2026, 11, 1), created_at=D(2026, 11, 1)))
        s.flush()
        s.add(Deadline(campaign_id=1, milestone="unit_submission", level="district", org_unit_id=2, due_at=D(2026, 11, 10, 4)))
        s.add(Deadline(campaign_id=1, milestone="unit_submission", org_unit_id=13, is_extension=True, due_at=D(2026, 11, 13, 4)))
        u1, u2, u3 = units
        up1 = Upload(campaign_id=1, unit_id=u1.id, file_name="a.xlsx", sha256="1" * 64, uploaded_at=D(2026, 11, 5), rows=4)
        up2 = Upload(campaign_id=1, unit_id=u2.id, file_name="b.xlsx", sha256="2" * 64, uploaded_at=D(2026, 11, 9), rows=3, error_count=2)
        up3 = Upload(campaign_id=1, unit_id=u3.id, file_name="c.xlsx", sha256="3" * 64, uploaded_at=D(2026, 11, 12), rows=1)
        s.add_all([up1, up2, up3])
        s.flush()
        s.add_all([Finding(upload_id=up2.id, row=r, column="身份证号码", code="id_check_digit", severity="error", message="x") for r in (4, 5)])
        s.add(Finding(upload_id=up2.id, row=6, column="手机号码", code="phone_duplicate", severity="warning", message="x"))
        common = {"collected_at": D(2026, 11, 5), "validated_at": D(2026, 11, 5), "submitted_at": D(2026, 11, 6), "approved_at": D(2026, 11, 7)}
        m1 = _member(1, u1, up1, **common, sent_at=D(2026, 11, 8), produced_at=D(2026, 11, 9), received_at=D(2026, 11, 10), distributed_at=D(2026, 11, 10, 8), delivered_at=D(2026, 11, 11))
        m2 = _member(2, u1, up1, **common, sent_at=D(2026, 11, 8), failed_at=D(2026, 11, 9))
        m3 = _member(3, u1, up1, **common)
        m4 = _member(4, u1, up1, **common)
        m5 = _member(5, u3, up3, collected_at=D(2026, 11, 12), validated_at=D(2026, 11, 12), submitted_at=D(2026, 11, 12, 6))
        s.add_all([m1, m2, m3, m4, m5])
        s.add(Submission(campaign_id=1, unit_id=u1.id, upload_id=up1.id, submitted_at=D(2026, 11, 6), on_time=True, outcome="approved", reviewed_at=D(2026, 11, 7)))
        s.add(Submission(campaign_id=1, unit_id=u3.id, upload_id=up3.id, submitted_at=D(2026, 11, 12, 6), on_time=True))
        s.add(BankBatch(id=1, campaign_id=1, district_id=2, reference="B1", sent_at=D(2026, 11, 8), branch="工行", member_count=2))
        s.flush()
        s.add(BankResult(member_id=m1.id, batch_id=1, outcome="produced", at=D(2026, 11, 9)))
        s.add(BankResult(member_id=m2.id, batch_id=1, outcome="failed", reason_code="id_expired", at=D(2026, 11, 9)))
    return engine


def test_headline_at_a_cutoff_after_everything(tiny):
    with read_session(tiny) as s:
        h = metrics.headline(s, Scope.everything(), 1, D(2026, 11, 12, 12))
    assert (h.units_expected, h.units_submitted, h.units_on_time) == (3, 2, 1)
    # DHIS2's on-time rate: U1 and U2 are due (11-10 04:00), U3's extension (11-13) is not; U1
    # submitted in time, U2 not at all: 1 / 2, with one unit not yet due beside it (U3 submitted
    # early, but is not counted until its deadline passes).
    assert (h.units_due, h.units_not_due) == (2, 1)
    assert h.submission_rate == pytest.approx(2 / 3) and h.on_time_rate == pytest.approx(1 / 2)
    assert (h.members_expected, h.members_validated) == (20, 5) and h.coverage == pytest.approx(0.25)
    assert h.open_errors == 2  # the warning does not count
    assert (h.results_received, h.produced) == (2, 1) and h.bank_success_rate == pytest.approx(0.5)
    assert h.delivered == 1 and h.distribution_rate == pytest.approx(1.0)
    assert h.late_units == 1  # U2: deadline passed, nothing submitted; U3's extension still runs


def test_headline_as_it_stood_earlier(tiny):
    with read_session(tiny) as s:
        h = metrics.headline(s, Scope.everything(), 1, D(2026, 11, 8, 0))
    assert (h.units_submitted, h.members_validated, h.open_errors, h.results_received, h.delivered, h.late_units) == (1, 4, 0, 0, 0, 0)


def test_scope_narrows_every_figure(tiny):
    with read_session(tiny) as s:
        h = metrics.headline(s, Scope(root_id=13, root_path="/1/2/3/13/"), 1, D(2026, 11, 12, 12))
    assert (h.units_expected, h.units_submitted, h.members_validated, h.results_received) == (1, 1, 1, 0)


def test_funnel_and_rollup(tiny):
    with read_session(tiny) as s:
        units = metrics.unit_progress(s, Scope.everything(), 1, D(2026, 11, 12, 12))
    funnel = dict(zip(*metrics.funnel(units).to_dict("list").values(), strict=True))
    assert funnel == {
        "collected": 8, "validated": 5, "submitted": 5, "approved": 4, "sent_to_bank": 2,
        "produced": 1, "received": 1, "distributed": 1, "delivered": 1,
    }
    area = metrics.rollup(units, "area").iloc[0]
    assert (area["org_name"], area["units"], area["units_submitted"], area["late_units"]) == ("第一片区", 3, 2, 1)
    assert area["coverage"] == pytest.approx(0.25)


def test_pace_projects_the_last_week_to_the_deadline(tiny):
    cutoff = D(2026, 11, 8, 4)  # two days before the district deadline; U1 submitted 2 days ago
    with read_session(tiny) as s:
        units = metrics.unit_progress(s, Scope.everything(), 1, cutoff)
    (p,) = metrics.pace(units, cutoff)
    assert (p.district_name, p.units, p.submitted, p.recent) == ("保税区工会", 3, 1, 1)
    # 1 unit in 7 days = 1/7 a day; 2 days left -> round(0.29) = 0 more; 2 remaining -> 14 days.
    assert p.projected_at_deadline == 1
    assert p.finishes_at == D(2026, 11, 22, 4)


def test_burn_up_counts_first_submissions_per_shanghai_day(tiny):
    with read_session(tiny) as s:
        units = metrics.unit_progress(s, Scope.everything(), 1, D(2026, 11, 12, 12))
    burn = metrics.cumulative_submissions(units)
    assert [d.strftime("%m-%d") for d in burn["day"]] == ["11-06", "11-12"]
    assert burn["submitted"].tolist() == [1, 2]


def test_deadlines_seen_from_a_unit_include_its_district_and_extension(tiny):
    with read_session(tiny) as s:
        frame = metrics.deadlines_in_scope(s, Scope(root_id=13, root_path="/1/2/3/13/"), 1)
    assert frame["is_extension"].tolist() == [False, True]
