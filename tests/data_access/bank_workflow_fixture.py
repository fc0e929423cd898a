"""A small campaign for the bank-workflow tests: two districts, approved members, users, and
builders of bank result files (csv / xlsx)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine, select

from campaign.rules.id_number import calc_check_digit
from campaign.validate import Config, validate_bytes
from data_access.actions.base import add_events
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Campaign, Member, OrgUnit, User
from data_access.scope import scope_for
from data_access.uploads import store_upload
from tests.campaign.conftest import build_csv, build_xlsx, sheet_rows

NOW = datetime(2014, 10, 20, 2, 0)
APPROVED_AT = datetime(2014, 10, 28, 2, 0)
BATCH_AT = datetime(2014, 10, 30, 2, 0)
RESULT_AT = datetime(2014, 11, 5, 2, 0)
AS_OF = date(2014, 10, 1)
GIVEN = "零一二三四五六七八九"
UNIT_SIZES = {"U1": 5, "U2": 3, "U3": 2}


def person(k: int) -> tuple[str, str, str]:
    """(name, ID number, phone) of test person k."""
    first17 = f"1101051980{k // 28 % 12 + 1:02d}{k % 28 + 1:02d}{k % 1000:03d}"[:17]
    number = first17 + calc_check_digit(first17)
    given = "".join(GIVEN[int(d)] for d in f"{k:02d}")
    return f"王{given}", number, f"138{k:08d}"


@dataclass
class Tree:
    """Ids of the test campaign."""

    engine: Engine
    campaign: int
    orgs: dict[str, int] = field(default_factory=dict)
    people: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)

    def user(self, login: str) -> CurrentUser:
        with read_session(self.engine) as session:
            row = session.scalar(select(User).where(User.login == login))
            assert row is not None
            return CurrentUser(row.login, row.display_name, row.role, scope_for(session, row.scope_id))

    def member_ids(self, unit: str) -> list[int]:
        with read_session(self.engine) as session:
            return list(session.scalars(
                select(Member.id).where(Member.unit_id == self.orgs[unit], Member.superseded_at.is_(None)).order_by(Member.id)
            ))


def _org(session, code: str, name: str, level: str, parent: OrgUnit | None, **extra) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=name, level=level, path="", parent_id=parent.id if parent else None, **extra)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


def build_tree(engine: Engine) -> Tree:
    """City → D1 (area A1: units U1, U2), D2 (area A2: unit U3); users; approved members."""
    with write_session(engine) as session:
        city = _org(session, "C", "市总工会", "city", None)
        orgs: dict[str, OrgUnit] = {"C": city}
        for d, units in (("D1", ("U1", "U2")), ("D2", ("U3",))):
            district = _org(session, d, f"{d}区工会", "district", city)
            area = _org(session, f"A{d[1]}", f"{d}一片", "area", district, district_id=district.id)
            orgs[d], orgs[area.code] = district, area
            for code in units:
                orgs[code] = _org(session, code, f"{code}公司工会", "unit", area, district_id=district.id, area_id=area.id,
                                  card_unit_name=f"{d}区工会-{code}公司工会")
        campaign = Campaign(name="2014", reference_date=AS_OF, created_at=NOW)
        session.add(campaign)
        session.flush()
        for login, role, scope in (
            ("admin", "admin", None), ("leader1", "district_leader", "D1"), ("leader2", "district_leader", "D2"),
            ("liaison1", "liaison", "A1"), ("clerk1", "unit", "U1"), ("clerk2", "unit", "U2"), ("clerk3", "unit", "U3"),
        ):
            session.add(User(login=login, display_name=login, password_hash="x", role=role,
                             scope_id=orgs[scope].id if scope else None))
        tree = Tree(engine, campaign.id, {code: org.id for code, org in orgs.items()})
    k = 0
    for unit, size in UNIT_SIZES.items():
        people = [person(k + i) for i in range(size)]
        k += size
        tree.people[unit] = people
        rows = [[i + 1, name, number, phone, ""] for i, (name, number, phone) in enumerate(people)]
        data = build_csv(sheet_rows(rows, unit=None))
        result = validate_bytes(data, "s.csv", Config(as_of=AS_OF))
        assert not [f for f in result.findings if f.severity == "error"], result.findings
        with write_session(engine) as session:
            store_upload(session, campaign_id=tree.campaign, unit_id=tree.orgs[unit], file_name="s.csv",
                         content_bytes=data, result=result, uploaded_by="clerk", now=NOW)
    with write_session(engine) as session:
        pairs = list(session.execute(select(Member.id, Member.unit_id).where(Member.campaign_id == tree.campaign)))
        for kind, at in (("submitted", NOW), ("approved", APPROVED_AT)):
            add_events(session, [tuple(p) for p in pairs], kind, campaign_id=tree.campaign, at=at, by="test")
    return tree


HEADER = ["序号", "身份证号码", "姓名", "开卡结果", "失败原因", "卡号"]


def result_rows(lines: list[tuple[tuple[str, str, str], str, str]]) -> list[list[object]]:
    """[(person, outcome 成功/失败, reason)] → rows of a result file with card numbers."""
    rows: list[list[object]] = [HEADER]
    for i, ((name, number, _), outcome, reason) in enumerate(lines, start=1):
        card = f"622202{i:013d}" if outcome == "成功" else ""
        rows.append([i, number, name, outcome, reason, card])
    return rows


def result_csv(lines: list[tuple[tuple[str, str, str], str, str]], encoding: str = "utf-8") -> bytes:
    """A bank result CSV in an encoding."""
    text = io.StringIO()
    csv.writer(text).writerows(result_rows(lines))
    return text.getvalue().encode(encoding)


def result_xlsx(lines: list[tuple[tuple[str, str, str], str, str]]) -> bytes:
    """A bank result workbook."""
    return build_xlsx({"结果": result_rows(lines)})
