"""Fixtures of the database tests: a small tree of two districts with one unit each."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine

from data_access.db import write_session
from data_access.models import Campaign, OrgUnit

NOW = datetime(2014, 10, 20, 2, 0)
AS_OF = date(2014, 10, 1)


@pytest.fixture
def tree(engine: Engine) -> dict[str, object]:
    """Two districts, one unit in each, and a campaign."""
    with write_session(engine) as session:
        city = OrgUnit(code="C", name="市总工会", level="city", path="/")
        session.add(city)
        session.flush()
        city.path = f"/{city.id}/"
        made: dict[str, object] = {"city": city.id}
        for d in (1, 2):
            district = OrgUnit(code=f"D{d}", name=f"第{d}区工会", level="district", path="", parent_id=city.id)
            session.add(district)
            session.flush()
            district.path = f"{city.path}{district.id}/"
            unit = OrgUnit(code=f"U{d}", name=f"{d}号机密单位工会", level="unit", path="", parent_id=district.id, district_id=district.id)
            session.add(unit)
            session.flush()
            unit.path = f"{district.path}{unit.id}/"
            made[f"unit{d}"] = unit.id
            made[f"unit{d}_path"] = unit.path
        campaign = Campaign(name="2014", reference_date=AS_OF, created_at=NOW)
        session.add(campaign)
        session.flush()
        made["campaign"] = campaign.id
    return made


