"""Card steps after the bank: received by the district (per unit or from the bank's list),
handed to a unit, delivered (ticks or the signed sheet), activated (never before the date)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, func, select

from campaign.errors import IngestError
from campaign.reports.handout_sheet import handout_workbook, read_signed_sheet
from data_access.actions import cards
from data_access.actions.base import NotAllowed, add_events
from data_access.auth import CurrentUser
from data_access.db import read_session, write_session
from data_access.models import Audit, BankBatch, BankResult, Campaign, CardMovement, Member, MemberEvent, OrgUnit
from data_access.scope import Scope
from tests.campaign.conftest import build_csv, sheet_rows
from tests.data_access.test_upload_hostile import people, store

PRODUCED_AT = datetime(2014, 11, 1, 2, 0)
AT = datetime(2014, 11, 10, 2, 0)
ACTIVATION = date(2014, 12, 1)


def user(engine: Engine, role: str, org: int | None, login: str = "someone") -> CurrentUser:
    with read_session(engine) as session:
        if org is None:
            return CurrentUser(login, login, role, Scope.everything())
        path = session.get(OrgUnit, org).path
    return CurrentUser(login, login, role, Scope(root_id=org, root_path=path))


def district_of(engine: Engine, unit_id: int) -> int:
    with read_session(engine) as session:
        return session.get(OrgUnit, unit_id).parent_id


@pytest.fixture
def produced(engine: Engine, tree: dict) -> dict:  # noqa: F811
    """Unit 1 with 6 members and unit 2 with 4, all produced (cards ****0001...)."""
    store(engine, tree, build_csv(sheet_rows(people(1, 6))), unit="unit1")
    store(engine, tree, build_csv(sheet_rows(people(101, 4))), unit="unit2")
    with write_session(engine) as session:
        session.get(Campaign, tree["campaign"]).activation_date = ACTIVATION
        pairs = {m: u for m, u in session.execute(select(Member.id, Member.unit_id).order_by(Member.id))}
        for kind in ("submitted", "approved", "sent_to_bank", "produced"):
            add_events(session, pairs, kind, campaign_id=tree["campaign"], at=PRODUCED_AT, by="test")
        batch = BankBatch(campaign_id=tree["campaign"], district_id=district_of(engine, tree["unit1"]), reference="B1",
                          sent_at=PRODUCED_AT, branch="x", member_count=len(pairs))
        session.add(batch)
        session.flush()
        for k, member_id in enumerate(sorted(pairs), start=1):
            session.add(BankResult(member_id=member_id, batch_id=batch.id, outcome="produced",
                                   card_number_masked="*" * 15 + f"{k:04d}", at=PRODUCED_AT))
    with read_session(engine) as session:
        ids = {u: [m for (m,) in session.execute(select(Member.id).where(Member.unit_id == tree[u]).order_by(Member.id))] for u in ("unit1", "unit2")}
    return {**tree, "members": ids, "d1": district_of(engine, tree["unit1"]), "d2": district_of(engine, tree["unit2"])}


def counts(engine: Engine) -> dict[str, int]:
    with read_session(engine) as session:
        return dict(session.execute(select(CardMovement.step, func.count()).group_by(CardMovement.step)).all())


def events(engine: Engine, kind: str) -> int:
    with read_session(engine) as session:
        return session.scalar(select(func.count()).select_from(MemberEvent).where(MemberEvent.kind == kind)) or 0


def bank_list(rows: list[list[object]], header: tuple[str, ...] = ("身份证号码", "姓名", "卡号"), encoding: str = "utf-8") -> bytes:
    return build_csv([list(header), *rows], encoding)


def test_the_whole_path_by_unit_and_by_tick(engine: Engine, produced: dict) -> None:
    leader = user(engine, "district_leader", produced["d1"])
    with write_session(engine) as session:
        done = cards.record_received(session, leader, produced["campaign"], unit_ids=[produced["unit1"]], at=AT)
    assert (done.recorded, done.already, done.units) == (6, 0, 1)
    with write_session(engine) as session:
        again = cards.record_received(session, leader, produced["campaign"], unit_ids=[produced["unit1"]], at=AT)
    assert (again.recorded, again.already) == (0, 6)
    with write_session(engine) as session:
        handed = cards.hand_to_unit(session, leader, produced["unit1"], handed_to="李会计", at=AT)
    assert handed.recorded == 6
    clerk = user(engine, "unit", produced["unit1"])
    first_three = produced["members"]["unit1"][:3]
    with write_session(engine) as session:
        delivered = cards.record_delivered(session, clerk, member_ids=first_three, at=AT)
    assert delivered.recorded == 3
    assert counts(engine) == {"received_by_district": 6, "handed_to_unit": 6, "delivered": 3}
    assert (events(engine, "received"), events(engine, "distributed"), events(engine, "delivered")) == (6, 6, 3)
    with read_session(engine) as session:
        stages = dict(session.execute(select(Member.stage, func.count()).where(Member.unit_id == produced["unit1"]).group_by(Member.stage)).all())
        handed_to = set(session.scalars(select(CardMovement.handed_to).where(CardMovement.step == "handed_to_unit")))
        audits = session.scalar(select(func.count()).select_from(Audit).where(Audit.action == "cards"))
    assert stages == {"delivered": 3, "distributed": 3} and handed_to == {"李会计"} and audits == 4
    # activation: refused before the date, with the date shown
    with pytest.raises(cards.ActivationTooEarly, match="2014-12-01"), write_session(engine) as session:
        cards.record_activated(session, leader, produced["campaign"], member_ids=first_three, at=AT)
    with write_session(engine) as session:
        act = cards.record_activated(session, leader, produced["campaign"], member_ids=first_three, at=datetime(2014, 12, 2, 2))
    assert act.recorded == 3 and counts(engine)["activated"] == 3


def test_refusals_write_nothing(engine: Engine, produced: dict) -> None:
    campaign = produced["campaign"]
    other_leader = user(engine, "district_leader", produced["d2"])
    liaison = user(engine, "liaison", produced["d1"])
    clerk2 = user(engine, "unit", produced["unit2"])
    leader = user(engine, "district_leader", produced["d1"])
    unit1 = produced["members"]["unit1"]
    with pytest.raises(NotAllowed), write_session(engine) as session:
        cards.record_received(session, other_leader, campaign, unit_ids=[produced["unit1"]], at=AT)
    with pytest.raises(NotAllowed), write_session(engine) as session:
        cards.record_received(session, other_leader, campaign, member_ids=unit1, at=AT)
    with pytest.raises(NotAllowed), write_session(engine) as session:
        cards.record_received(session, liaison, campaign, unit_ids=[produced["unit1"]], at=AT)
    with pytest.raises(cards.NotReady), write_session(engine) as session:  # not received yet
        cards.hand_to_unit(session, leader, produced["unit1"], handed_to="x", member_ids=unit1, at=AT)
    with pytest.raises(cards.HandedToMissing), write_session(engine) as session:
        cards.hand_to_unit(session, leader, produced["unit1"], handed_to="  ", at=AT)
    with pytest.raises(cards.NotReady), write_session(engine) as session:
        cards.record_delivered(session, leader, member_ids=unit1, at=AT)
    with write_session(engine) as session:
        cards.record_received(session, leader, campaign, unit_ids=[produced["unit1"]], at=AT)
        cards.hand_to_unit(session, leader, produced["unit1"], handed_to="李会计", at=AT)
    with pytest.raises(NotAllowed), write_session(engine) as session:  # another unit's clerk
        cards.record_delivered(session, clerk2, member_ids=unit1[:1], at=AT)
    with pytest.raises(cards.NothingChosen), write_session(engine) as session:
        cards.record_received(session, leader, campaign, at=AT)
    assert counts(engine) == {"received_by_district": 6, "handed_to_unit": 6}


def test_bank_list_import_previews_then_writes_all_or_nothing_once(engine: Engine, produced: dict) -> None:
    campaign = produced["campaign"]
    leader = user(engine, "district_leader", produced["d1"])
    mine = [[p[2], p[1], f"6222 0000 0000 000{k}"] for k, p in enumerate(people(1, 4))]
    theirs = [people(101, 1)[0][2], people(101, 1)[0][1], "6222"]
    unknown = [people(900, 1)[0][2], people(900, 1)[0][1], "6222"]
    bad = bank_list([*mine, theirs, unknown, mine[0]])
    with write_session(engine) as session:
        preview = cards.preview_received(session, leader, campaign, bad, "bank.csv", at=AT)
    assert preview.counts() == {"ok": 4, "out_of_scope": 1, "not_found": 1, "duplicate": 1}
    assert (preview.to_record, preview.refused, preview.written) == (4, 3, False)
    assert len(preview.received_not_listed) == 0 and len(preview.listed_not_received) == 6
    with write_session(engine) as session:
        refused = cards.import_received(session, leader, campaign, bad, "bank.csv", at=AT)
    assert not refused.written and counts(engine) == {}
    good = bank_list(mine, encoding="gbk")
    with write_session(engine) as session:
        done = cards.import_received(session, leader, campaign, good, "bank.csv", at=AT)
    assert done.written and done.to_record == 4 and counts(engine) == {"received_by_district": 4}
    with write_session(engine) as session:
        again = cards.import_received(session, leader, campaign, good, "bank.csv", at=AT)
    assert again.already_imported and not again.written and again.already == 4 and counts(engine) == {"received_by_district": 4}
    # received per unit afterwards: the two not on the list; then the reverse gap shows
    with write_session(engine) as session:
        cards.record_received(session, leader, campaign, unit_ids=[produced["unit1"]], at=AT)
        other = cards.preview_received(session, leader, campaign, bank_list(mine[:1]), "one.csv", at=AT)
    assert len(other.received_not_listed) == 5


def test_a_masked_role_learns_nothing_outside_its_scope(engine: Engine, produced: dict) -> None:
    clerk = user(engine, "unit", produced["unit1"])
    theirs = people(101, 1)[0]
    data = build_csv([["身份证号码", "姓名", "签收日期"], [theirs[2], theirs[1], "2014-11-09"]])
    with write_session(engine) as session:
        preview = cards.preview_delivered(session, clerk, produced["campaign"], data, "s.csv", at=AT)
    assert preview.counts() == {"not_found": 1}


def test_signed_sheet_round_trip_with_masked_ids(engine: Engine, produced: dict) -> None:
    campaign = produced["campaign"]
    leader = user(engine, "district_leader", produced["d1"])
    clerk = user(engine, "unit", produced["unit1"])
    with write_session(engine) as session:
        cards.record_received(session, leader, campaign, unit_ids=[produced["unit1"]], at=AT)
        cards.hand_to_unit(session, leader, produced["unit1"], handed_to="李会计", at=AT)
    with read_session(engine) as session:
        ready = cards.unit_cards(session, clerk, campaign, produced["unit1"], "delivered")
    assert len(ready) == 6 and ready["id_masked"].str.contains(r"\*").all() and ready["card_masked"].str.endswith(("1", "2", "3", "4", "5", "6")).all()
    book = handout_workbook("1号单位", "2014", list(zip(ready["name"], ready["id_masked"], ready["card_masked"], strict=True)))
    with pytest.raises(IngestError):  # printed, not signed: no date column is missing, but every date is empty
        read_signed_sheet(b"\x00\x01garbage")
    rows = [["身份证号码", "姓名", "签收日期"]] + [[i, n, "2014年11月9日" if k < 4 else ""] for k, (n, i) in enumerate(zip(ready["name"], ready["id_masked"], strict=True))]
    signed = build_csv(rows)
    with write_session(engine) as session:
        preview = cards.preview_delivered(session, clerk, campaign, signed, "signed.csv", at=AT)
    assert preview.counts() == {"ok": 4, "bad_date": 2} and not preview.ok
    signed = build_csv(rows[:5])
    with write_session(engine) as session:
        done = cards.import_delivered(session, clerk, campaign, signed, "signed.csv", at=AT)
    assert done.written and done.to_record == 4
    with read_session(engine) as session:
        days = set(session.scalars(select(CardMovement.at).where(CardMovement.step == "delivered")))
    assert days == {datetime(2014, 11, 9, 4, 0)}  # local noon of the signing day, in UTC
    assert len(book) > 1000


def test_activation_list_import(engine: Engine, produced: dict) -> None:
    campaign = produced["campaign"]
    leader = user(engine, "district_leader", produced["d1"])
    unit1 = produced["members"]["unit1"]
    with write_session(engine) as session:
        cards.record_received(session, leader, campaign, unit_ids=[produced["unit1"]], at=AT)
        cards.hand_to_unit(session, leader, produced["unit1"], handed_to="李", at=AT)
        cards.record_delivered(session, leader, member_ids=unit1[:2], at=AT)
    data = bank_list([[p[2], p[1], ""] for p in people(1, 3)])
    with pytest.raises(cards.ActivationTooEarly), write_session(engine) as session:
        cards.preview_activated(session, leader, campaign, data, "act.csv", at=AT)
    later = datetime(2014, 12, 5, 2)
    with write_session(engine) as session:
        result = cards.import_activated(session, leader, campaign, data, "act.csv", at=later)
    assert result.counts() == {"ok": 2, "not_ready": 1} and not result.written
    with write_session(engine) as session:
        result = cards.import_activated(session, leader, campaign, bank_list([[p[2], p[1], ""] for p in people(1, 2)]), "act.csv", at=later)
    assert result.written and counts(engine)["activated"] == 2 and events(engine, "activated") == 2


@pytest.mark.parametrize("content", [
    b"",
    "随便,什么\n1,2\n".encode(),
    "身份证号码,姓名,卡号\n".encode(),
    "\ufeff身份证号码,姓名,卡号\n=1+1,张三,1234\n".encode(),
])
def test_hostile_files_write_nothing(engine: Engine, produced: dict, content: bytes) -> None:
    leader = user(engine, "district_leader", produced["d1"])
    try:
        with write_session(engine) as session:
            result = cards.import_received(session, leader, produced["campaign"], content, "x.csv", at=AT)
    except IngestError:
        pass
    else:
        assert not result.written
    assert counts(engine) == {}
