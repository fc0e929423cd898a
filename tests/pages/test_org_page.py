"""AppTest of 组织架构: empty state, upload → preview → apply, refused rows shown, the tree by
level; the dashboard and filters on a tree without liaison areas."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from data_access.db import get_engine, migrate, write_session
from data_access.models import Campaign, OrgUnit, User
from tests.campaign.orgtree_fixture import NO_AREAS, SEED_TREE, csv_bytes
from tests.pages.conftest import ROOT, texts


@pytest.fixture
def empty_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'org.db'}"
    engine = get_engine(url)
    migrate(engine)
    with write_session(engine) as session:
        session.add(User(login="boss", display_name="管理员", password_hash="x", role="admin", scope_id=None))
        session.add(User(login="lead", display_name="区领导", password_hash="x", role="district_leader", scope_id=None))
    monkeypatch.setenv("DATABASE_URL", url)
    st.cache_data.clear()
    st.cache_resource.clear()
    return url


def page(login: str, file: str = "pages/21_org.py") -> AppTest:
    """Through the entry script (a page run as the entry cannot link back to dashboard.py)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    at.session_state["user_login"] = login
    if file != "dashboard.py":
        at.switch_page(file)
    return at.run()


def org_count(url: str) -> int:
    with write_session(get_engine(url)) as session:
        return session.scalar(select(func.count()).select_from(OrgUnit)) or 0


def test_upload_preview_apply(empty_db: str) -> None:
    at = page("boss")
    assert not at.exception
    assert "还没有组织架构" in texts(at)
    bad = [*SEED_TREE, {"code": "X1", "name": "丙", "parent_code": "NOPE", "level": "区县局"}]
    at.file_uploader(key="org_upload").set_value(("tree.csv", csv_bytes(bad), "text/csv")).run()
    assert not at.exception
    assert "1 行有问题" in texts(at) and "org_apply" not in [b.key for b in at.button]
    assert org_count(empty_db) == 0
    at.file_uploader(key="org_upload").set_value(("tree.csv", csv_bytes(SEED_TREE, "gbk"), "text/csv")).run()
    assert not at.exception
    assert any(m.label == "新增" and m.value == str(len(SEED_TREE)) for m in at.metric)
    assert org_count(empty_db) == 0
    at.button(key="org_apply").click().run()
    assert not at.exception, at.exception
    assert org_count(empty_db) == len(SEED_TREE)
    shown = texts(at)
    assert "组织架构已导入" in shown and "当前组织架构" in shown


def test_not_for_other_roles(empty_db: str) -> None:
    at = page("lead")
    assert not at.exception and not at.get("file_uploader")


def test_dashboard_on_a_tree_without_areas(empty_db: str) -> None:
    at = page("boss")
    at.file_uploader(key="org_upload").set_value(("tree.csv", csv_bytes(NO_AREAS), "text/csv")).run()
    at.button(key="org_apply").click().run()
    assert org_count(empty_db) == len(NO_AREAS)
    engine = get_engine(empty_db)
    with write_session(engine) as session:
        root = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "H"))
        session.add(Campaign(name="测试活动", reference_date=date(2026, 10, 1), root_id=root, created_at=datetime(2026, 10, 1)))
    st.cache_data.clear()
    dash = page("boss", "dashboard.py")
    assert not dash.exception, dash.exception
    units = [s for s in dash.selectbox if s.key == "unit"]
    assert units and len(units[0].options) == 3  # all + two units, no area filter in between
    assert not [s for s in dash.selectbox if s.key == "area"]


def _tree_rows_oracle() -> pd.DataFrame:
    """The tree as the page read it before the column-wise build: ORM rows, lambdas, Python sort."""
    from sqlalchemy.orm import aliased

    from data_access import levels as level_data
    from ui.loaders import engine

    parent = aliased(OrgUnit)
    with write_session(engine()) as session:
        stored = {level.code: level for level in level_data.levels(session)}
        rows = session.execute(
            select(OrgUnit.code, OrgUnit.name, parent.code, OrgUnit.level, OrgUnit.card_unit_name, OrgUnit.contact_name,
                   OrgUnit.expected_members, OrgUnit.retired_at, OrgUnit.path)
            .join(parent, parent.id == OrgUnit.parent_id, isouter=True).order_by(OrgUnit.path)
        ).all()
    frame = pd.DataFrame(rows, columns=["code", "name", "parent_code", "level", "card_unit_name", "contact_name",
                                        "expected_members", "retired_at", "path"])
    frame["level_name"] = frame["level"].map(lambda code: stored[code].name if code in stored else code)
    frame["kind"] = frame["level"].map(lambda code: stored[code].kind if code in stored else "")
    frame["rank"] = frame["level"].map(lambda code: stored[code].rank if code in stored else 0)
    paths = [[int(part) for part in str(path).strip("/").split("/") if part] for path in frame["path"].tolist()]
    return frame.iloc[sorted(range(len(frame)), key=paths.__getitem__)].reset_index(drop=True)


def test_tree_frame_equals_the_row_by_row_read(empty_db: str) -> None:
    from ui import loaders_org

    at = page("boss")
    at.file_uploader(key="org_upload").set_value(("tree.csv", csv_bytes(SEED_TREE), "text/csv")).run()
    at.button(key="org_apply").click().run()
    at = page("boss")  # again without the last unit: it is retired, not deleted
    at.file_uploader(key="org_upload").set_value(("tree.csv", csv_bytes(SEED_TREE[:-1]), "text/csv")).run()
    at.button(key="org_apply").click().run()
    assert not at.exception, at.exception
    tree = loaders_org.tree_frame()
    assert len(tree) == len(SEED_TREE) and tree["retired_at"].notna().sum() == 1
    pd.testing.assert_frame_equal(tree, _tree_rows_oracle())


def test_path_order_sorts_paths_as_lists_of_ids() -> None:
    """Parents before children, ids compared as numbers, a path before the longer ones it
    begins: what sorting the paths' id lists in Python gives, on 3,000 random paths."""
    import random

    from ui.loaders_org import path_order

    draw = random.Random(11)
    paths = ["/1/", "/1/9/", "/1/10/", "/1/9/100/", "/2/", "/1/10/3/", "/12/", "/1/2/"]
    paths += ["/" + "/".join(str(draw.randint(1, 400)) for _ in range(draw.randint(1, 6))) + "/" for _ in range(3000)]
    paths = list(dict.fromkeys(paths))
    draw.shuffle(paths)
    ids = [[int(part) for part in path.strip("/").split("/")] for path in paths]
    assert path_order(pd.Series(paths)).tolist() == sorted(range(len(paths)), key=ids.__getitem__)
    assert path_order(pd.Series([], dtype=object)).tolist() == []
