"""One district through the whole campaign, every step an action of a signed-in user, on both
databases. After each step the figures every page draws (overview, submissions, validation
errors, bank, distribution) are compared with counts this test keeps itself.

upload with errors → fix → submit late → paper missing → return → resubmit → district
approves → new-area union approves → batch → bank results with failures → correction →
second batch → cards received → handed to units → delivered → activated → hand-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, select

from campaign.rules.id_number import calc_check_digit
from campaign.validate import Config, validate_bytes
from data_access import bank, distribution, metrics, submissions, validation_stats
from data_access.actions import batch as batch_actions
from data_access.actions import cards, corrections, handoff, materials, results, review, submit
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Campaign, Deadline, Member, OrgUnit
from data_access.scope import Scope
from data_access.uploads import lookup_for_sheet, store_upload
from tests.campaign.conftest import build_csv, sheet_rows

START = datetime(2014, 10, 20, 1, 0)  # naive UTC, 09:00 in Shanghai
DUE = START + timedelta(days=3)
GIVEN = "零一二三四五六七八九"


def person(k: int) -> tuple[str, str, str]:
    first17 = f"1201011985{k % 12 + 1:02d}{k % 28 + 1:02d}{k:03d}"
    return f"张{''.join(GIVEN[int(d)] for d in str(k))}", first17 + calc_check_digit(first17), f"139{k:08d}"


@dataclass
class World:
    engine: Engine
    campaign: int
    ids: dict[str, int]
    users: dict[str, CurrentUser] = field(default_factory=dict)


@pytest.fixture
def world(engine: Engine) -> World:
    """City → new area → district → area → units U1 and U2 (and a second district with U3)."""
    ids: dict[str, int] = {}
    with write_session(engine) as session:
        def node(code: str, level: str, parent: str | None, **extra: object) -> OrgUnit:
            up = session.get(OrgUnit, ids[parent]) if parent else None
            org = OrgUnit(code=code, name=f"{code}工会", level=level, path="", parent_id=up.id if up else None, **extra)
            session.add(org)
            session.flush()
            org.path = f"{up.path if up else '/'}{org.id}/"
            ids[code] = org.id
            return org

        node("C", "city", None)
        node("N", "new_area", "C")
        for d in ("D1", "D2"):
            district = node(d, "district", "N")
            district.district_id = district.id
            area = node(f"{d}A", "area", d, district_id=district.id)
            area.area_id = area.id
        for code, d, n in (("U1", "D1", 10), ("U2", "D1", 5), ("U3", "D2", 4)):
            node(code, "unit", f"{d}A", district_id=ids[d], area_id=ids[f"{d}A"], expected_members=n,
                 card_unit_name=f"滨海新区{d}工会-{code}工会", contact_name="填表人", contact_phone="13800000000")
        campaign = Campaign(name="2014", reference_date=date(2014, 10, 1), created_at=START, root_id=ids["N"],
                            review_levels="district,new_area", activation_date=date(2014, 11, 1))
        session.add(campaign)
        session.flush()
        session.add(Deadline(campaign_id=campaign.id, milestone="unit_submission", level="district",
                             org_unit_id=ids["D1"], due_at=DUE))
        session.add(Deadline(campaign_id=campaign.id, milestone="unit_submission", level="district",
                             org_unit_id=ids["D2"], due_at=DUE))
    w = World(engine, campaign.id, ids)
    with read_session(engine) as session:
        for login, role, scope in (("clerk1", "unit", "U1"), ("clerk2", "unit", "U2"), ("leader1", "district_leader", "D1"),
                                   ("newarea", "district_leader", "N"), ("admin", "admin", None)):
            org = session.get(OrgUnit, ids[scope]) if scope else None
            w.users[login] = CurrentUser(login, login, role, Scope(org.id, org.path) if org else Scope.everything())
    return w


def upload(w: World, login: str, unit: str, rows: list[tuple[str, str, str]], at: datetime) -> None:
    user = w.users[login]
    data = build_csv(sheet_rows([[k + 1, *row, ""] for k, row in enumerate(rows)]))
    with write_session(w.engine) as session:
        lookup = lookup_for_sheet(session, w.campaign, w.ids[unit], user.scope)
        result = validate_bytes(data, f"{unit}.csv", Config(as_of=date(2014, 10, 1), lookup_ids=lookup))
        store_upload(session, campaign_id=w.campaign, unit_id=w.ids[unit], file_name=f"{unit}-{at:%d%H}.csv",
                     content_bytes=data, result=result, uploaded_by=login, now=at, scope=user.scope)


def act(w: World, login: str, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    with write_session(w.engine) as session:
        return fn(session, w.users[login], *args, **kwargs)


def figures(w: World, at: datetime) -> dict[str, object]:
    """What the pages show for district D1 at a cut-off, through the functions they call."""
    scope = w.users["leader1"].scope
    with read_session(w.engine) as session:
        units = metrics.unit_progress(session, scope, w.campaign, at).set_index("code")
        head = metrics.headline(session, scope, w.campaign, at)
        board = submissions.submission_board(session, scope, w.campaign, at).set_index("code")
        codes = validation_stats.by_code(session, scope, w.campaign, at)
        yields = validation_stats.yield_summary(session, scope, w.campaign, at)
        loop = bank.correction_loop(session, scope, w.campaign, at)
        open_fail = bank.open_failures(session, scope, w.campaign, at)
        batches = bank.batches(session, scope, w.campaign, at)
        waiting = distribution.waiting_cards(session, scope, w.campaign, at)
    pipe = distribution.pipeline(units.reset_index())
    return {
        "status": {u: units.loc[u, "status"] for u in ("U1", "U2")},
        "validated": int(head.members_validated),
        "submitted_units": int(head.units_submitted),
        "on_time_units": int(head.units_on_time),
        "open_errors": int(codes.loc[codes["severity"] == "error", "open"].sum()) if not codes.empty else 0,
        "first_clean": (int(yields.clean_first_try), int(yields.units_uploaded)),
        "missing_U1": tuple(board.loc["U1", "missing_materials"]),
        "short_U1": tuple(None if pd.isna(v) else int(v) for v in board.loc["U1", ["id_copies_missing", "consents_missing"]]),
        "members": {step: int(units[step].sum()) for step in ("approved", "sent_to_bank")},
        "batches": (len(batches), int(batches["member_count"].sum()) if not batches.empty else 0),
        "results": (int(head.results_received), int(head.produced)),
        "loop": (loop.failed, loop.corrected, loop.recovered, loop.still_open),
        "open_failures": len(open_fail),
        "cards": dict(zip(pipe["step"], pipe["cards"], strict=True)),
        "waiting_at_district": int(waiting["cards"].sum()),
    }


def check(w: World, at: datetime, expected: dict[str, object]) -> None:
    got = figures(w, at)
    assert got == expected, {k: (got[k], v) for k, v in expected.items() if got[k] != v}


def test_one_district_through_the_whole_campaign(world: World) -> None:
    w = world
    u1 = [person(k) for k in range(1, 11)]
    u2 = [person(k) for k in range(11, 16)]
    cards0 = {"produced": 0, "received": 0, "distributed": 0, "delivered": 0, "activated": 0}
    exp: dict[str, object] = {
        "status": {"U1": "not_started", "U2": "not_started"}, "validated": 0, "submitted_units": 0,
        "on_time_units": 0, "open_errors": 0, "first_clean": (0, 0),
        "missing_U1": ("sheet", "unit_form", "id_copies", "consents"), "short_U1": (None, None),
        "members": {"approved": 0, "sent_to_bank": 0},
        "batches": (0, 0), "results": (0, 0), "loop": (0, 0, 0, 0), "open_failures": 0, "cards": dict(cards0),
        "waiting_at_district": 0,
    }
    check(w, START, exp)

    # U1's first sheet has two mistakes; U2's is clean and submitted on time
    t = START + timedelta(hours=1)
    bad = list(u1)
    bad[2] = (bad[2][0], bad[2][1][:-1] + ("0" if bad[2][1][-1] != "0" else "1"), bad[2][2])
    bad[5] = (bad[5][0], bad[5][1], bad[5][2][:-1])
    upload(w, "clerk1", "U1", bad, t)
    upload(w, "clerk2", "U2", u2, t)
    exp.update(status={"U1": "errors", "U2": "clean"}, validated=5, open_errors=2, first_clean=(1, 2))
    check(w, t, exp)

    t = START + timedelta(hours=5)
    act(w, "clerk2", submit.submit_list, w.ids["U2"], filler_name="李四", filler_phone="13912345678",
        consents_confirmed=True, campaign_id=w.campaign, at=t)
    upload(w, "clerk1", "U1", u1, t)  # fixed
    # U2 submitted before its deadline, but the on-time rate counts units only once their
    # deadline has passed (DHIS2): not yet.
    exp.update(status={"U1": "clean", "U2": "submitted"}, validated=15, open_errors=0, submitted_units=1, on_time_units=0)
    check(w, t, exp)

    # U1 submits late, its paper is incomplete, the district returns it
    t = DUE + timedelta(hours=6)
    done = act(w, "clerk1", submit.submit_list, w.ids["U1"], filler_name="张三", filler_phone="13812345678",
               consents_confirmed=True, campaign_id=w.campaign, at=t)
    assert done.on_time is False
    exp.update(status={"U1": "submitted", "U2": "submitted"}, submitted_units=2, on_time_units=1,
               missing_U1=("sheet", "unit_form", "id_copies", "consents"))
    check(w, t, exp)
    sub1 = done.submission_id
    t += timedelta(hours=2)
    act(w, "leader1", materials.record_materials, sub1, sheet=True, unit_form=True, id_copies=16, consents=10, at=t)
    exp.update(missing_U1=("id_copies",), short_U1=(4, 0))  # 16 copies for 10 members
    check(w, t, exp)
    t += timedelta(hours=1)
    act(w, "leader1", review.review, [sub1], "returned", reason="materials_missing", note="缺2份身份证复印件", at=t)
    exp.update(status={"U1": "returned", "U2": "submitted"}, submitted_units=1)  # returned is not submitted
    check(w, t, exp)

    # resubmitted with the paper complete; both levels approve both units
    t += timedelta(hours=20)
    again = act(w, "clerk1", submit.submit_list, w.ids["U1"], filler_name="张三", filler_phone="13812345678",
                consents_confirmed=True, campaign_id=w.campaign, at=t)
    act(w, "leader1", materials.record_materials, again.submission_id, sheet=True, unit_form=True, id_copies=20, consents=10, at=t)
    exp.update(status={"U1": "submitted", "U2": "submitted"}, submitted_units=2, missing_U1=(), short_U1=(0, 0))
    check(w, t, exp)
    with read_session(w.engine) as session:
        subs = review.latest_submission_ids(session, [w.ids["U1"], w.ids["U2"]], w.campaign)
    t += timedelta(hours=1)
    act(w, "leader1", review.review, list(subs.values()), "approved", at=t)
    check(w, t, exp)  # waiting at the new-area union: still "submitted"
    t += timedelta(hours=1)
    act(w, "newarea", review.review, list(subs.values()), "approved", at=t)
    exp.update(status={"U1": "approved", "U2": "approved"}, members={"approved": 15, "sent_to_bank": 0})
    check(w, t, exp)

    # the first batch; the bank fails two of U1's people
    t += timedelta(days=1)
    first = act(w, "leader1", batch_actions.create_batch, w.campaign, district_id=w.ids["D1"], branch="建行滨海支行", at=t)
    assert first.member_count == 15
    exp.update(members={"approved": 15, "sent_to_bank": 15}, batches=(1, 15))
    check(w, t, exp)
    failed = {u1[0][1]: "身份证号与姓名联网核查不一致", u1[1][1]: "手机号码无效或为空号"}
    lines = ["身份证号码,姓名,开卡结果,失败原因,卡号"] + [
        f"{n},{name},{'失败' if n in failed else '成功'},{failed.get(n, '')},{'' if n in failed else '6217000011112222'}"
        for name, n, _ in [*u1, *u2]
    ]
    t += timedelta(days=3)
    act(w, "leader1", results.import_results, first.batch_id, ("\n".join(lines) + "\n").encode("gbk"), "结果.csv", at=t)
    cards_now = dict(cards0, produced=13)
    exp.update(results=(15, 13), loop=(2, 0, 0, 2), open_failures=2, cards=cards_now)
    check(w, t, exp)

    # U1 corrects one phone; the second batch carries it and the bank produces the card
    with read_session(w.engine) as session:
        member_id = session.scalar(select(Member.id).where(Member.id_number == u1[1][1]))
    t += timedelta(hours=5)
    act(w, "clerk1", corrections.correct_member, member_id, phone="13987654321", at=t)
    exp.update(loop=(2, 1, 0, 2))
    check(w, t, exp)
    t += timedelta(days=1)
    second = act(w, "leader1", batch_actions.create_batch, w.campaign, district_id=w.ids["D1"], branch="建行滨海支行", at=t)
    assert second.member_count == 1
    exp.update(batches=(2, 16))
    check(w, t, exp)
    t += timedelta(days=2)
    act(w, "leader1", results.import_results, second.batch_id,
        f"身份证号码,姓名,开卡结果,失败原因,卡号\n{u1[1][1]},{u1[1][0]},成功,,6217000033334444\n".encode(), "结果2.csv", at=t)
    cards_now = dict(cards0, produced=14)
    exp.update(results=(16, 14), loop=(2, 1, 1, 1), open_failures=1, cards=cards_now)
    check(w, t, exp)

    # cards: received by the district, handed to the units, delivered, activated
    t += timedelta(days=2)
    act(w, "leader1", cards.record_received, w.campaign, unit_ids=[w.ids["U1"], w.ids["U2"]], at=t)
    exp.update(cards=dict(cards_now, received=14), waiting_at_district=14)
    check(w, t, exp)
    t += timedelta(days=1)
    act(w, "leader1", cards.hand_to_unit, w.ids["U1"], handed_to="张三", at=t, campaign_id=w.campaign)
    act(w, "leader1", cards.hand_to_unit, w.ids["U2"], handed_to="李四", at=t, campaign_id=w.campaign)
    exp.update(cards=dict(cards_now, received=14, distributed=14), waiting_at_district=0)
    check(w, t, exp)
    with read_session(w.engine) as session:
        u1_cards = session.scalars(select(Member.id).where(Member.unit_id == w.ids["U1"], Member.produced_at.is_not(None))).all()
    t += timedelta(days=1)
    act(w, "clerk1", cards.record_delivered, member_ids=list(u1_cards), at=t)
    exp.update(cards=dict(cards_now, received=14, distributed=14, delivered=9))
    check(w, t, exp)
    t += timedelta(days=2)
    assert t.date() > date(2014, 11, 1)  # after the activation date
    act(w, "leader1", cards.record_activated, w.campaign, member_ids=list(u1_cards)[:4], at=t)
    exp.update(cards=dict(cards_now, received=14, distributed=14, delivered=9, activated=4))
    check(w, t, exp)

    # hand-off to the city card system: the delivered cards, once
    done_handoff = act(w, "leader1", handoff.handoff, w.campaign, at=t + timedelta(hours=1))
    assert done_handoff.members == 9 and done_handoff.xlsx[:2] == b"PK"
    with pytest.raises(handoff.NothingToHandOff):
        act(w, "leader1", handoff.handoff, w.campaign, at=t + timedelta(hours=2))
    # and nothing of it changed what the pages show for earlier days
    check(w, t, exp)
    past = figures(w, DUE + timedelta(hours=9))
    assert past["status"] == {"U1": "returned", "U2": "submitted"} and past["results"] == (0, 0)
