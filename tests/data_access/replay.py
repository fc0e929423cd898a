"""The random replay the summary tests share: the mid-size story replayed in random slices
through the actions, with people corrected, moved and withdrawn and one file withdrawn between
the slices; after each slice a check (each test's own) looks at the database."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from campaign.demo import DemoConfig
from campaign.demo.story import generate_story
from campaign.errors import ActionRefused
from data_access.actions import people
from data_access.actions.corrections import withdraw_member as withdraw_failed
from data_access.auth import load_user
from data_access.db import read_session, write_session
from data_access.demo_driver import StoryRun
from data_access.models import Campaign, Member, OrgUnit, Upload
from data_access.scope import Scope
from data_access.uploads import withdraw_upload
from tests.campaign.conftest import make_id
from tests.conftest import DEMO_NOW

MID = DemoConfig(seed=5, units=24, members=1_500)


def districts(session: Session) -> list[Scope]:
    rows = session.execute(select(OrgUnit.id, OrgUnit.path).where(OrgUnit.level == "district")).all()
    return [Scope(root_id=i, root_path=p) for i, p in rows]


def people_changes(session: Session, rng: random.Random, campaign_id: int, at: datetime) -> list[str]:
    """A few corrections, moves and withdrawals of random live members (the admin does them);
    refusals (at the bank, ...) are fine and change nothing."""
    admin = load_user(session, "admin")
    assert admin is not None
    live = session.execute(
        select(Member.id, Member.unit_id).where(
            Member.campaign_id == campaign_id, Member.superseded_at.is_(None), Member.withdrawn_at.is_(None)
        ).order_by(Member.id)
    ).all()
    units = session.scalars(select(OrgUnit.id).where(OrgUnit.level == "unit").order_by(OrgUnit.id)).all()
    done: list[str] = []
    for k in range(4):
        if not live:
            break
        member_id, unit_id = rng.choice(live)
        what = rng.choice(("correct_id", "phone", "move", "withdraw", "withdraw_failed"))
        try:
            with session.begin_nested():
                if what == "correct_id":
                    people.correct_member(session, admin, campaign_id, member_id, id_number=make_id(seq=f"{rng.randrange(1000):03d}", birth=f"19{rng.randrange(60, 99)}0{rng.randrange(1, 9)}1{rng.randrange(1, 9)}"), reason="录错", at=at + timedelta(minutes=k))
                elif what == "phone":
                    people.correct_member(session, admin, campaign_id, member_id, phone=f"139{rng.randrange(10**8):08d}", reason="换号", at=at + timedelta(minutes=k))
                elif what == "move":
                    target = rng.choice([u for u in units if u != unit_id])
                    people.move_member(session, admin, campaign_id, member_id, target, reason="调动", at=at + timedelta(minutes=k))
                elif what == "withdraw":
                    people.withdraw_member(session, admin, campaign_id, member_id, reason="离职", at=at + timedelta(minutes=k))
                else:
                    withdraw_failed(session, admin, member_id, reason="不办了", at=at + timedelta(minutes=k))
            done.append(what)
        except ActionRefused:
            pass
    return done


def withdraw_a_file(session: Session, at: datetime) -> bool:
    """The admin withdraws the first live non-empty upload that may be withdrawn."""
    admin = load_user(session, "admin")
    uploads = session.scalars(
        select(Upload.id).where(Upload.superseded_at.is_(None), Upload.withdrawn_at.is_(None), Upload.rows > 0).order_by(Upload.id)
    ).all()
    for upload_id in uploads:
        try:
            with session.begin_nested():
                withdraw_upload(session, admin, upload_id, at=at)  # type: ignore[arg-type]
            return True
        except ActionRefused:
            continue
    return False


@dataclass
class Slice:
    """What a check gets after a slice: the campaign, the slice's end, the story's start, the
    changes made so far and the replay's random generator (for earlier cut-offs)."""

    campaign_id: int
    stop: datetime
    start: datetime
    rng: random.Random
    changes: list[str] = field(default_factory=list)


def replay(
    engine: Engine, seed: int, slices: int, check: Callable[[Session, Slice], None], config: DemoConfig = MID
) -> list[str]:
    """Replay the story in ``slices`` random slices (plus one to its end), with people changes
    after each and a file withdrawn after the first that allows one; ``check`` runs in a read
    session after each slice. Returns the people changes made; asserts a file was withdrawn."""
    story = generate_story(DEMO_NOW, config)
    rng = random.Random(seed)
    with write_session(engine) as session:
        run = StoryRun(session, story)
    start = min(step.at for step in story.steps)
    span = (story.now - start).total_seconds()
    stops = sorted(start + timedelta(seconds=span * rng.random()) for _ in range(slices)) + [story.now]
    changes: list[str] = []
    withdrawn_files = 0
    for stop in stops:
        with write_session(engine) as session:
            run.until(stop, session=session)
            campaign_id = session.scalars(select(Campaign.id)).one()
            changes += people_changes(session, rng, campaign_id, stop)
            if not withdrawn_files and withdraw_a_file(session, stop):
                withdrawn_files += 1
        with read_session(engine) as session:
            check(session, Slice(campaign_id, stop, start, rng, list(changes)))
    assert withdrawn_files == 1
    return changes
