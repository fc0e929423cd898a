"""Campaign settings actions on both databases: create, update (audited old → new), deadlines
superseded never rewritten, extensions with who/when, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import ActionRefused
from data_access.actions.base import NotAllowed
from data_access.actions.campaigns import (
    CampaignRefused,
    campaign_table,
    create_campaign,
    deadline_table,
    find_orgs,
    grant_extension,
    revoke_extension,
    set_deadline,
    update_campaign,
)
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Audit, Campaign, Deadline, OrgUnit, Submission, Upload
from data_access.scope import Scope

T0 = datetime(2026, 10, 1, 2, 0)
DUE = datetime(2026, 11, 1, 4, 0)
ADMIN = CurrentUser("admin", "管理员", "admin", Scope.everything())


def _org(session, code: str, level: str, parent: OrgUnit | None, **kw) -> OrgUnit:  # type: ignore[no-untyped-def]
    org = OrgUnit(code=code, name=f"{code}工会", level=level, path="", parent_id=parent.id if parent else None, **kw)
    session.add(org)
    session.flush()
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    return org


@pytest.fixture
def tree(engine: Engine) -> dict[str, object]:
    """City → new area → D1 (U1, U2), D2 (U3); a second city C2 outside the campaign."""
    with write_session(engine) as s:
        city = _org(s, "C", "city", None)
        new_area = _org(s, "N", "new_area", city)
        d1 = _org(s, "D1", "district", new_area)
        d2 = _org(s, "D2", "district", new_area)
        u1 = _org(s, "U1", "unit", d1, district_id=d1.id)
        u2 = _org(s, "U2", "unit", d1, district_id=d1.id)
        u3 = _org(s, "U3", "unit", d2, district_id=d2.id)
        other = _org(s, "C2", "city", None)
        made: dict[str, object] = {o.code: o for o in (city, new_area, d1, d2, u1, u2, u3, other)}
        made = {code: (o.id, o.path) for code, o in made.items()}  # type: ignore[union-attr]
    return made


def leader(tree: dict, code: str) -> CurrentUser:
    org_id, path = tree[code]
    return CurrentUser(f"leader-{code}", "领导", "district_leader", Scope(org_id, path))


def count(engine: Engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def make(engine: Engine, name: str = "2026年会员服务卡", **kw) -> int:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return create_campaign(s, ADMIN, name, date(2026, 9, 30), kw.pop("root", "N"), at=T0, **kw).campaign_id


def test_create_and_update_are_audited_old_to_new(engine: Engine, tree: dict) -> None:
    cid = make(engine, review_levels=("district", "new_area"), activation_date=date(2027, 1, 1))
    with read_session(engine) as s:
        c = s.get(Campaign, cid)
        assert (c.review_levels, c.root_id, c.created_by, c.retirement_rules) == ("district,new_area", tree["N"][0], "admin", "2014")
    with write_session(engine) as s:
        result = update_campaign(s, ADMIN, cid, name="2026年第一批", retirement_rules="2025", shared_phone_severity="error",
                                 activation_date=None, review_levels="district")
    assert {name for name, _, _ in result.changes} == {"name", "retirement_rules", "shared_phone_severity", "activation_date", "review_levels"}
    assert "2014 → 2025" in result.message() and "2027-01-01 → —" in result.message()
    with read_session(engine) as s:
        c = s.get(Campaign, cid)
        assert (c.name, c.retirement_rules, c.shared_phone_severity, c.activation_date, c.review_levels) == (
            "2026年第一批", "2025", "error", None, "district")
        audits = s.execute(select(Audit.action, Audit.detail).order_by(Audit.id)).all()
    assert [a.action for a in audits] == ["campaign_create", "campaign_update"]
    assert "retirement_rules: 2014 -> 2025" in audits[1].detail and "name: 2026年会员服务卡 -> 2026年第一批" in audits[1].detail
    with write_session(engine) as s:
        assert update_campaign(s, ADMIN, cid, retirement_rules="2025").changes == ()
    assert count(engine, Audit) == 2  # nothing changed, nothing audited


def test_two_campaigns_side_by_side_keep_their_own_deadlines(engine: Engine, tree: dict) -> None:
    first, second = make(engine, "第一批"), make(engine, "第二批")
    with write_session(engine) as s:
        set_deadline(s, ADMIN, first, "unit_submission", DUE, org_code="D1", at=T0)
        set_deadline(s, ADMIN, second, "unit_submission", DUE + timedelta(days=365), org_code="D1", at=T0)
    with read_session(engine) as s:
        assert list(deadline_table(s, first)["due_at"]) == [DUE]
        assert list(deadline_table(s, second)["due_at"]) == [DUE + timedelta(days=365)]
        assert list(campaign_table(s)["name"]) == ["第二批", "第一批"]


def test_a_changed_deadline_supersedes_the_old_row(engine: Engine, tree: dict) -> None:
    cid = make(engine)
    t1 = T0 + timedelta(days=3)
    with write_session(engine) as s:
        set_deadline(s, ADMIN, cid, "unit_submission", DUE, level="unit", at=T0)
        set_deadline(s, ADMIN, cid, "unit_submission", DUE, org_code="D1", at=T0)
    with write_session(engine) as s:
        same = set_deadline(s, ADMIN, cid, "unit_submission", DUE, org_code="D1", at=t1)
        moved = set_deadline(s, ADMIN, cid, "unit_submission", DUE + timedelta(days=2), org_code="D1", note="区里统一推迟", at=t1)
    assert same.kind == "same" and moved.old_due_at == DUE and len(moved.superseded) == 1
    assert "已作废" in moved.message()
    assert count(engine, Deadline) == 3  # level-wide, D1 old (superseded), D1 new
    assert count(engine, Deadline, Deadline.superseded_at == t1) == 1
    with read_session(engine) as s:
        live = deadline_table(s, cid)
        history = deadline_table(s, cid, superseded=True)
    assert sorted(live["due_at"]) == [DUE, DUE + timedelta(days=2)]
    assert list(history["due_at"]) == [DUE] and history["set_by"].tolist() == ["admin"]
    assert count(engine, Audit, Audit.action == "deadline_set") == 3


def test_extension_by_district_leader_in_scope_keeps_who_and_when(engine: Engine, tree: dict) -> None:
    cid = make(engine)
    boss = leader(tree, "D1")
    with write_session(engine) as s:
        granted = grant_extension(s, boss, cid, "U1", "unit_submission", DUE + timedelta(days=3), "单位停电，资料晚到", at=T0)
    with write_session(engine) as s:
        again = grant_extension(s, ADMIN, cid, "U1", "unit_submission", DUE + timedelta(days=5), "再延两天", at=T0 + timedelta(days=1))
    assert again.old_due_at == DUE + timedelta(days=3) and again.superseded == (granted.deadline_id,)
    with read_session(engine) as s:
        row = s.get(Deadline, granted.deadline_id)
        assert (row.set_by, row.set_at, row.note, row.is_extension, row.superseded_at) == (
            "leader-D1", T0, "单位停电，资料晚到", True, T0 + timedelta(days=1))
    with write_session(engine) as s:
        revoked = revoke_extension(s, boss, cid, "U1", "unit_submission", at=T0 + timedelta(days=2))
    assert revoked.superseded == (again.deadline_id,)
    assert count(engine, Deadline, Deadline.superseded_at.is_(None)) == 0
    assert count(engine, Audit, Audit.action.in_(("extension_grant", "extension_revoke"))) == 3


def _refusals(tree: dict, cid: int) -> list:  # type: ignore[type-arg]
    boss = leader(tree, "D1")
    liaison = CurrentUser("liaison", "联络员", "liaison", Scope(*tree["D1"]))
    return [
        (ActionRefused, lambda s: create_campaign(s, boss, "x", date(2026, 1, 1), "N")),
        (NotAllowed, lambda s: update_campaign(s, boss, cid, name="x")),
        (NotAllowed, lambda s: set_deadline(s, boss, cid, "unit_submission", DUE, org_code="D1")),
        (NotAllowed, lambda s: grant_extension(s, liaison, cid, "U1", "unit_submission", DUE, "r")),
        (NotAllowed, lambda s: grant_extension(s, boss, cid, "U3", "unit_submission", DUE, "outside scope")),
        (CampaignRefused, lambda s: grant_extension(s, ADMIN, cid, "U1", "unit_submission", DUE, "  ")),
        (CampaignRefused, lambda s: grant_extension(s, ADMIN, cid, "D1", "unit_submission", DUE, "not a unit")),
        (CampaignRefused, lambda s: grant_extension(s, ADMIN, cid, "NOPE", "unit_submission", DUE, "r")),
        (CampaignRefused, lambda s: set_deadline(s, ADMIN, cid, "party", DUE)),
        (CampaignRefused, lambda s: set_deadline(s, ADMIN, cid, "unit_submission", DUE, level="galaxy")),
        (CampaignRefused, lambda s: set_deadline(s, ADMIN, cid, "unit_submission", DUE, level="unit", org_code="D1")),
        (CampaignRefused, lambda s: set_deadline(s, ADMIN, cid, "unit_submission", DUE, org_code="C2")),
        (CampaignRefused, lambda s: create_campaign(s, ADMIN, "x", date(2026, 1, 1), "NOPE")),
        (CampaignRefused, lambda s: create_campaign(s, ADMIN, "2026年会员服务卡", date(2026, 1, 1), "N")),
        (CampaignRefused, lambda s: create_campaign(s, ADMIN, " ", date(2026, 1, 1), "N")),
        (CampaignRefused, lambda s: create_campaign(s, ADMIN, "x", date(2026, 1, 1), "N", retirement_rules="1990")),
        (CampaignRefused, lambda s: create_campaign(s, ADMIN, "x", date(2026, 1, 1), "N", shared_phone_severity="fatal")),
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="new_area,district")),  # wrong order
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="district,city")),  # above the root
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="unit")),  # units do not approve
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="district,district")),
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="")),
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, review_levels="galaxy")),
        (CampaignRefused, lambda s: update_campaign(s, ADMIN, cid, root_id=5)),
        (CampaignRefused, lambda s: revoke_extension(s, ADMIN, cid, "U2", "unit_submission")),
    ]


def test_refusals_write_nothing(engine: Engine, tree: dict) -> None:
    cid = make(engine)
    before = (count(engine, Campaign), count(engine, Deadline), count(engine, Audit))
    for index, (error, act) in enumerate(_refusals(tree, cid)):
        with pytest.raises(error), write_session(engine) as s:
            act(s)
        assert (count(engine, Campaign), count(engine, Deadline), count(engine, Audit)) == before, index
    with read_session(engine) as s:
        assert s.get(Campaign, cid).review_levels == "district"


def test_review_chain_cannot_change_while_reviews_wait(engine: Engine, tree: dict) -> None:
    cid = make(engine)
    with write_session(engine) as s:
        upload = Upload(campaign_id=cid, unit_id=tree["U1"][0], file_name="a.xlsx", sha256="0" * 64, uploaded_at=T0)
        s.add(upload)
        s.flush()
        s.add(Submission(campaign_id=cid, unit_id=tree["U1"][0], upload_id=upload.id, submitted_at=T0, on_time=True, outcome="pending",
                         paper_sheet=False, paper_unit_form=False, paper_id_copies=False, paper_consents=False))
    with pytest.raises(CampaignRefused) as refused, write_session(engine) as s:
        update_campaign(s, ADMIN, cid, review_levels="district,new_area")
    assert "1 份报送正在审核中" in refused.value.message()
    with write_session(engine) as s:  # other settings still change
        assert update_campaign(s, ADMIN, cid, name="改名", review_levels="district").changes == (("name", "2026年会员服务卡", "改名"),)


def test_find_orgs_searches_by_name_under_the_root(engine: Engine, tree: dict) -> None:
    with read_session(engine) as s:
        assert list(find_orgs(s, "U", units_only=True, root_code="N")["code"]) == ["U1", "U2", "U3"]
        assert list(find_orgs(s, "C2")["code"]) == ["C2"]
        assert find_orgs(s, "C2", root_code="N").empty
