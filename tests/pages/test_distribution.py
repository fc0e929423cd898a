"""The card distribution page and the bank-list reconciliation (AppTest, demo database)."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from sqlalchemy import select

from data_access.auth import load_user
from data_access.db import get_engine, read_session
from data_access.models import Audit
from data_access.scope import Scope
from tests.pages.conftest import texts
from tests.pages.delivery_helpers import frame_of, open_page

PAGE = "pages/5_distribution.py"


def test_pipeline_waiting_ages_and_units(run_page):
    at = open_page(run_page, PAGE)
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert {"制卡成功", "区工会待发", "已发到会员", "发放率"} <= set(labels)
    shown = texts(at)
    assert "区工会待发卡片已等待天数" in shown and "与银行发卡清单核对" in shown
    units = frame_of(at, "distribution_rate")
    assert (units["delivered"] <= units["produced"]).all()
    assert (units["waiting_at_district"] >= 0).all()


def test_district_leader_sees_only_their_district(run_page):
    at = open_page(run_page, PAGE, login="leader1")
    assert not at.exception
    waiting = frame_of(at, "oldest_days")
    assert set(waiting["district_name"]) == {"保税区工会"}


def test_an_early_date_says_what_to_do(run_page):
    at = open_page(run_page, PAGE, as_of=date(2026, 10, 1))
    assert not at.exception
    assert "还没有制成的卡片" in texts(at) and len(at.metric) == 0


def test_reconciliation_reads_the_bank_list_and_logs_an_import(run_page, demo_sqlite_url):
    open_page(run_page, PAGE)  # sets DATABASE_URL for the loaders
    from datetime import datetime

    from data_access.distribution import produced_members
    from ui import loaders_delivery

    cutoff = datetime(2026, 11, 20, 2, 0)
    engine = get_engine(demo_sqlite_url)
    with read_session(engine) as s:
        produced = produced_members(s, Scope.everything(), 1, cutoff).head(5)
    book = openpyxl.Workbook()
    book.active.append(["姓名", "身份证号码", "卡号"])
    for row in produced.itertuples():
        book.active.append([row.name, row.id_number, f"6222****{row.card_tail}"])
    book.active.append(["外人", "110105199001010011", "62220000"])
    buffer = io.BytesIO()
    book.save(buffer)
    with read_session(engine) as s:
        admin = load_user(s, "admin")
    result, rows = loaders_delivery.reconcile_upload(buffer.getvalue(), "银行清单.xlsx", admin, Scope.everything(), 1, cutoff)
    assert rows == 6
    assert result.counts["matched"] == 5 and result.counts["bank_only"] == 1
    with read_session(engine) as s:
        audit = s.execute(
            select(Audit.object, Audit.row_count, Audit.user_login).where(Audit.action == "import").order_by(Audit.id.desc())
        ).first()
    assert tuple(audit) == ("银行清单.xlsx", 6, "admin")
