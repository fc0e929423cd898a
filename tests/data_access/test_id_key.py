"""The ID hash is keyed: where the key comes from, and migration 0003 re-hashing stored rows."""

from __future__ import annotations

import hashlib
import hmac
import stat
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select, text

from campaign.rules.id_number import id_hash
from data_access.db import downgrade, get_engine, migrate, read_session
from data_access.id_key import ENV_VAR, IdHashKeyMissing, load_key
from data_access.models import Base
from tests.conftest import TEST_ID_HASH_KEY

ID = "11010519491231002X"


def test_the_environment_wins_then_secrets_toml(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f'{ENV_VAR} = "from-secrets-toml-0123456789"\n', encoding="utf-8")
    key_file = tmp_path / "id_hash.key"
    env = {ENV_VAR: "from-the-environment-0123456789"}
    assert load_key(local_database=True, environ=env, secrets_file=secrets, key_file=key_file) == env[ENV_VAR].encode()
    assert load_key(local_database=False, environ={}, secrets_file=secrets, key_file=key_file) == b"from-secrets-toml-0123456789"
    assert not key_file.exists()


def test_a_local_sqlite_gets_a_generated_private_key_file_once(tmp_path):
    key_file = tmp_path / "data" / "id_hash.key"
    first = load_key(local_database=True, environ={}, secrets_file=tmp_path / "none.toml", key_file=key_file)
    assert len(first) == 64 and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = load_key(local_database=True, environ={}, secrets_file=tmp_path / "none.toml", key_file=key_file)
    assert again == first


def test_a_shared_database_without_a_configured_key_is_refused(tmp_path):
    with pytest.raises(IdHashKeyMissing, match=ENV_VAR):
        load_key(local_database=False, environ={}, secrets_file=tmp_path / "none.toml", key_file=tmp_path / "k")
    assert not (tmp_path / "k").exists()
    with pytest.raises(ValueError):
        load_key(local_database=False, environ={ENV_VAR: "short"}, secrets_file=tmp_path / "none.toml")


def test_the_hash_is_hmac_sha256_under_the_key():
    expected = hmac.new(TEST_ID_HASH_KEY.encode(), ID.encode(), hashlib.sha256).hexdigest()
    assert id_hash(ID) == expected != hashlib.sha256(ID.encode()).hexdigest()


def test_migration_0003_rehashes_stored_members_and_0002_restores_them(db_url):
    engine = get_engine(db_url)
    migrate(engine, "0002")
    tables = Base.metadata.tables
    plain = hashlib.sha256(ID.encode()).hexdigest()
    with engine.begin() as conn:
        conn.execute(insert(tables["org_unit"]).values(id=1, code="U", name="单位", level="unit", path="/1/", expected_members=1))
        conn.execute(  # the columns of migration 0002 only (later ones add more)
            text(
                "INSERT INTO campaign (id, name, reference_date, retirement_rules, shared_phone_severity, created_at) "
                "VALUES (1, '活动', :day, '2014', 'warning', :at)"
            ),
            {"day": date(2026, 11, 1), "at": datetime(2026, 11, 1)},
        )
        conn.execute(insert(tables["member"]).values(
            id=1, campaign_id=1, unit_id=1, name="张三", id_number=ID, id_hash=plain, phone="13812345678",
            sex="F", birth_date=date(1949, 12, 31), stage="validated",
        ))
    migrate(engine)
    member = tables["member"]
    with read_session(engine) as s:
        assert s.scalar(select(member.c.id_hash)) == id_hash(ID)
    downgrade(engine, "0002")
    with read_session(engine) as s:
        assert s.scalar(select(member.c.id_hash)) == plain
