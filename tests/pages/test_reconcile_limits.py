"""Reconciling a bank list is no oracle for full ID numbers: a masked role matches only inside
its scope and learns nothing about unmatched uploaded rows beyond their count; rows per list
and lists per hour are bounded, refused in Chinese, and every attempt is audited."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest
import streamlit as st
from sqlalchemy import select

from campaign.errors import IngestError
from campaign.reconcile import RECONCILE_PER_HOUR, BankListTooLong, TooManyReconciliations, row_cap
from data_access.auth import load_user
from data_access.db import get_engine, read_session
from data_access.distribution import produced_members
from data_access.models import Audit
from data_access.scope import Scope

CUTOFF = datetime(2026, 11, 20, 2, 0)


@pytest.fixture
def env(demo_sqlite_url, tmp_path, monkeypatch):
    """A private copy of the demo database (these tests write audit rows) and its users."""
    target = tmp_path / "demo-reconcile.db"
    shutil.copy(demo_sqlite_url.removeprefix("sqlite:///"), target)
    url = f"sqlite:///{target}"
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = get_engine(url)
    with read_session(engine) as s:
        users = {login: load_user(s, login) for login in ("admin", "liaison1")}
        everyone = produced_members(s, Scope.everything(), 1, CUTOFF)
        mine = produced_members(s, users["liaison1"].scope, 1, CUTOFF)
    return engine, users, everyone, mine


def _csv(rows: list[tuple[str, str]]) -> bytes:
    return ("姓名,身份证号码\n" + "".join(f"{name},{id_number}\n" for name, id_number in rows)).encode("utf-8")


def _reconcile_audit(engine) -> list[tuple[str, int | None, str]]:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        rows = s.execute(select(Audit.user_login, Audit.row_count, Audit.detail).where(Audit.action == "import").order_by(Audit.id))
        return [tuple(r) for r in rows if r.detail.startswith("reconcile")]


def test_a_masked_role_sees_matches_in_scope_and_only_a_count_of_the_rest(env):
    from ui.loaders_delivery import reconcile_upload

    engine, users, everyone, mine = env
    liaison = users["liaison1"]
    assert not liaison.sees_full_pii and len(mine) >= 3
    outside = everyone[~everyone["member_id"].isin(mine["member_id"])].head(4)  # real IDs, other scopes
    rows = [(r.name, r.id_number) for r in mine.head(3).itertuples()] + [(r.name, r.id_number) for r in outside.itertuples()]
    result, count = reconcile_upload(_csv(rows), "银行清单.csv", liaison, liaison.scope, 1, CUTOFF)
    assert count == 7
    assert result.counts == {"matched": 3, "bank_only": 4, "here_only": len(mine) - 3}
    assert result.bank_only.empty and result.bank_only_hidden == 4  # a count, nothing else
    assert "sheet_row" not in result.matched.columns  # which uploaded row matched would give the ID away
    for frame in (result.matched, result.here_only):
        assert all("*" in value for value in frame["id_number"])
    assert not set(result.matched["id_number"]) & set(everyone["id_number"])
    assert _reconcile_audit(engine)[-1][:2] == ("liaison1", 7)

    admin = users["admin"]  # a role that sees full IDs keeps the rows
    full, _ = reconcile_upload(_csv(rows), "银行清单.csv", admin, liaison.scope, 1, CUTOFF)
    assert len(full.bank_only) == 4 and set(full.bank_only["id_number"]) == set(outside["id_number"])


def test_rows_per_list_are_capped_for_a_masked_role(env):
    from ui.loaders_delivery import reconcile_upload

    engine, users, _, mine = env
    liaison = users["liaison1"]
    cap = row_cap(len(mine), full_pii=False)
    assert cap < 20_000
    candidates = [("张三", f"110105{19000000 + i:08d}{i % 10:04d}") for i in range(cap + 1)]
    with pytest.raises(BankListTooLong) as refused:
        reconcile_upload(_csv(candidates), "候选.csv", liaison, liaison.scope, 1, CUTOFF)
    assert "上限" in refused.value.message("zh") and str(cap) in refused.value.message("zh")
    assert _reconcile_audit(engine)[-1] == ("liaison1", None, f"reconcile refused=reconcile.too_many_rows scope={liaison.scope.cache_key()}")


def test_lists_per_hour_are_bounded_and_counted_from_the_audit_table(env):
    from ui.loaders_delivery import reconcile_upload

    engine, users, _, mine = env
    liaison = users["liaison1"]
    body = _csv([(r.name, r.id_number) for r in mine.head(2).itertuples()])
    for _ in range(RECONCILE_PER_HOUR - 1):
        reconcile_upload(body, "清单.csv", liaison, liaison.scope, 1, CUTOFF)
    with pytest.raises(IngestError):  # a bad file counts as an attempt too
        reconcile_upload(b"not a sheet", "x.csv", liaison, liaison.scope, 1, CUTOFF)
    with pytest.raises(TooManyReconciliations) as refused:
        reconcile_upload(body, "清单.csv", liaison, liaison.scope, 1, CUTOFF)
    assert "一小时" in refused.value.message("zh")
    logged = _reconcile_audit(engine)
    assert len(logged) == RECONCILE_PER_HOUR + 1 and "rate_limited" in logged[-1][2]
    reconcile_upload(body, "清单.csv", users["admin"], liaison.scope, 1, CUTOFF)  # per user
