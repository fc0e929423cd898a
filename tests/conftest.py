"""Shared fixtures: fresh migrated databases on SQLite and (when started) PostgreSQL, the demo."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

# A fixed ID-hash key for every test (and every process the tests start), set before any
# engine is made; the real key comes from the environment, secrets.toml or data/id_hash.key.
TEST_ID_HASH_KEY = "test-only-id-hash-key-0123456789abcdef"
os.environ["CARD_ID_HASH_KEY"] = TEST_ID_HASH_KEY

from campaign.demo import DemoConfig, generate_demo  # noqa: E402
from campaign.demo.story import generate_story  # noqa: E402
from campaign.rules.id_number import set_id_hash_key  # noqa: E402
from data_access import arrow_read  # noqa: E402
from data_access.db import get_engine, migrate, write_session  # noqa: E402
from data_access.demo_driver import drive_story  # noqa: E402
from data_access.loader import load_generated  # noqa: E402

set_id_hash_key(TEST_ID_HASH_KEY.encode())

ROOT = Path(__file__).resolve().parent.parent
# A fixed "now" for deterministic demo data (naive UTC): 2026-11-20 10:00 in Shanghai.
DEMO_NOW = datetime(2026, 11, 20, 2, 0)
SMALL_DEMO = DemoConfig(seed=11, units=60, members=4_000)

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_POSTGRES_URL") else [])


def _fresh_postgres_url() -> tuple[str, str]:
    admin_url = os.environ["TEST_POSTGRES_URL"]
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name, name


def _drop_postgres(name: str) -> None:
    admin = create_engine(os.environ["TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_database(backend: str, tmp_path: Path) -> tuple[str, str | None]:
    """A URL of a new, empty database on the backend (and its PostgreSQL name, to drop)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'campaign.db'}", None
    url, name = _fresh_postgres_url()
    return url, name


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Each database test runs once per backend."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database (not yet migrated)."""
    url, name = make_database(backend, tmp_path)
    yield url
    arrow_read.close_all()
    get_engine(url).dispose()
    if name:
        _drop_postgres(name)


@pytest.fixture
def engine(db_url: str) -> Engine:
    """A migrated, empty database."""
    engine = get_engine(db_url)
    migrate(engine)
    return engine


@pytest.fixture(scope="session")
def small_demo():  # type: ignore[no-untyped-def]
    """A small generated campaign (rows only), shared by the session."""
    return generate_demo(DEMO_NOW, SMALL_DEMO)


@pytest.fixture
def demo_engine(engine: Engine, small_demo) -> Engine:  # type: ignore[no-untyped-def]
    """A migrated database holding the small demo campaign."""
    with write_session(engine) as session:
        load_generated(session, small_demo)
    return engine


@pytest.fixture(scope="session")
def demo_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the full-size demo campaign at DEMO_NOW, for page tests (read-only),
    made as ``python -m campaign demo`` makes it: the story driven through the actions."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    migrate(engine)
    with write_session(engine) as session:
        report = drive_story(session, generate_story(DEMO_NOW))
    assert not report.refused, report.reasons  # every step of the story was an action the app took
    engine.dispose()
    return url
