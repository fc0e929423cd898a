"""A tiny hand-built campaign for the progress-page tests; every number in the tests is worked
out by hand from the timeline below (times are naive UTC; Shanghai is UTC+8).

Tree: city 1 → district 2 → areas 3 (A1) and 4 (A2); units 10, 11, 12 in A1, unit 13 in A2.
Deadline (unit_submission): district 2 at 11-10 04:00 (12:00 Shanghai); unit 12 extended to 11-13 04:00.

Unit 10 (U1, expects 10): upload 101 at 11-03 02:00 with errors f1 id_check_digit (resolved
    11-04 01:00), f2 phone_format (never marked resolved: superseded), warning f3; upload 102 at
    11-05 02:00 clean but for warning f4; submitted 11-10 06:00 (2 h late), ID copies missing,
    pending; 3 members submitted.
Unit 11 (U2, expects 5): upload 103 at 11-04 20:00 (11-05 04:00 in Shanghai) with errors f5
    id_excel_number, f6 id_check_digit (resolved 11-12 00:00), f7 id_15_digit whose suggestion
    holds a full ID number; never submitted.
Unit 12 (U3, expects 8): nothing uploaded; extension to 11-13 04:00.
Unit 13 (U4, expects 4): upload 104 at 11-02 03:00 clean; submitted 11-09 04:00 (24 h early),
    returned at 11-10 02:00 for a missing unit form; 4 members submitted.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from sqlalchemy import Engine

from data_access.db import write_session
from data_access.models import Campaign, Deadline, Finding, Member, OrgUnit, Submission, Upload
from data_access.scope import Scope

U1, U2, U3, U4 = 10, 11, 12, 13
AREA1, AREA2 = 3, 4
CAMPAIGN = 1
DUE = datetime(2026, 11, 10, 4, 0)
EXTENDED_DUE = datetime(2026, 11, 13, 4, 0)
CUTOFF = datetime(2026, 11, 11, 2, 0)  # 11-11 10:00 in Shanghai
FULL_ID = "11010519491231002X"

EVERYTHING = Scope.everything()
SCOPE_A1 = Scope(root_id=AREA1, root_path="/1/2/3/")
SCOPE_A2 = Scope(root_id=AREA2, root_path="/1/2/4/")


def _org(id: int, level: str, path: str, name: str, **extra: object) -> OrgUnit:
    return OrgUnit(id=id, code=f"X{id:03d}", name=name, level=level, path=path, **extra)


def _members(unit_id: int, count: int, upload_id: int, submitted_at: datetime, start: int) -> list[Member]:
    members = []
    for n in range(count):
        id_number = f"11010519800101{start + n:03d}1"[:17] + "X"
        members.append(Member(
            campaign_id=CAMPAIGN, unit_id=unit_id, upload_id=upload_id, sheet_row=4 + n,
            name=f"测试{start + n}", id_number=id_number, id_hash=hashlib.sha256(id_number.encode()).hexdigest(),
            phone=f"1380000{start + n:04d}", sex="M", birth_date=date(1980, 1, 1), stage="submitted",
            collected_at=datetime(2026, 11, 2), validated_at=datetime(2026, 11, 5, 2, 0), submitted_at=submitted_at,
        ))
    return members


def build(engine: Engine) -> None:
    """Load the tiny campaign into an empty migrated database."""
    with write_session(engine) as s:
        s.add_all([
            _org(1, "city", "/1/", "市总工会"),
            _org(2, "district", "/1/2/", "保税区工会", parent_id=1, district_id=2),
        ])
        s.flush()
        s.add_all([
            _org(AREA1, "area", "/1/2/3/", "第一片区", parent_id=2, district_id=2, area_id=AREA1,
                 liaison_name="李强", liaison_phone="13900000001"),
            _org(AREA2, "area", "/1/2/4/", "第二片区", parent_id=2, district_id=2, area_id=AREA2,
                 liaison_name="赵敏", liaison_phone="13900000002"),
        ])
        s.flush()
        for unit_id, area, name, expected in ((U1, AREA1, "甲公司工会", 10), (U2, AREA1, "乙公司工会", 5),
                                              (U3, AREA1, "丙公司工会", 8), (U4, AREA2, "丁公司工会", 4)):
            s.add(_org(unit_id, "unit", f"/1/2/{area}/{unit_id}/", name, parent_id=area, district_id=2, area_id=area,
                       contact_name=f"{name[0]}填表人", contact_phone=f"1370000{unit_id:04d}", expected_members=expected))
        s.add(Campaign(id=CAMPAIGN, name="测试活动", reference_date=date(2026, 11, 1), root_id=1,
                       created_at=datetime(2026, 11, 1)))
        s.flush()
        s.add_all([
            Deadline(campaign_id=CAMPAIGN, milestone="unit_submission", level="district", org_unit_id=2, due_at=DUE),
            Deadline(campaign_id=CAMPAIGN, milestone="unit_submission", org_unit_id=U3, is_extension=True,
                     due_at=EXTENDED_DUE, note="人数多，同意延期"),
        ])
        uploads = [
            (101, U1, datetime(2026, 11, 3, 2, 0), 2, 1, 1),
            (102, U1, datetime(2026, 11, 5, 2, 0), 0, 1, 2),
            (103, U2, datetime(2026, 11, 4, 20, 0), 3, 0, 1),
            (104, U4, datetime(2026, 11, 2, 3, 0), 0, 0, 1),
        ]
        for upload_id, unit_id, at, errors, warnings, attempt in uploads:
            s.add(Upload(id=upload_id, campaign_id=CAMPAIGN, unit_id=unit_id, file_name=f"名单{upload_id}.xlsx",
                         sha256=f"{upload_id:064d}", uploaded_at=at, rows=10, error_count=errors,
                         warning_count=warnings, attempt=attempt))
        s.flush()
        findings = [
            (1, 101, 5, "身份证号码", "id_check_digit", "error", datetime(2026, 11, 4, 1, 0), None),
            (2, 101, 7, "手机号码", "phone_format", "error", None, None),
            (3, 101, 9, "手机号码", "phone_duplicate", "warning", None, None),
            (4, 102, 9, "手机号码", "phone_duplicate", "warning", None, None),
            (5, 103, 4, "身份证号码", "id_excel_number", "error", None, None),
            (6, 103, 8, "身份证号码", "id_check_digit", "error", datetime(2026, 11, 12, 0, 0), None),
            (7, 103, 6, "身份证号码", "id_15_digit", "error", None,
             f"对应的18位号码可能是 {FULL_ID}，请对照本人现行身份证核实后填写"),
        ]
        for finding_id, upload_id, row, column, code, severity, resolved, suggestion in findings:
            s.add(Finding(id=finding_id, upload_id=upload_id, row=row, column=column, code=code, severity=severity,
                          message=f"{code} 第{row}行", suggestion=suggestion, resolved_at=resolved))
        s.add_all([
            Submission(campaign_id=CAMPAIGN, unit_id=U1, upload_id=102, submitted_at=datetime(2026, 11, 10, 6, 0),
                       on_time=False, paper_sheet=True, paper_unit_form=True, paper_id_copies=False,
                       paper_consents=True, outcome="pending"),
            Submission(campaign_id=CAMPAIGN, unit_id=U4, upload_id=104, submitted_at=datetime(2026, 11, 9, 4, 0),
                       on_time=True, paper_sheet=True, paper_unit_form=False, paper_id_copies=True,
                       paper_consents=True, outcome="returned", return_reason="缺少单位信息审核表",
                       reviewer="审核员", reviewed_at=datetime(2026, 11, 10, 2, 0)),
        ])
        s.add_all(_members(U1, 3, 102, datetime(2026, 11, 10, 6, 0), 100))
        s.add_all(_members(U4, 4, 104, datetime(2026, 11, 9, 4, 0), 200))
