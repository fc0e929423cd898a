"""审核 page: a district leader sees the queue oldest first, approves in bulk, returns, records paper."""

from __future__ import annotations

from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from data_access.models import PaperReceipt, ReviewDecision, Submission
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage


def counts(url: str) -> tuple[int, int, int]:
    engine = create_engine(url)
    with Session(engine) as session:
        result = (
            session.scalar(select(func.count()).select_from(ReviewDecision)) or 0,
            session.scalar(select(func.count()).select_from(PaperReceipt)) or 0,
            session.scalar(select(func.count()).select_from(Submission).where(Submission.outcome == "pending")) or 0,
        )
    engine.dispose()
    return result


def test_leader_returns_and_records_paper(writable_demo: str) -> None:  # noqa: F811
    decisions_before, receipts_before, pending_before = counts(writable_demo)
    at = open_subpage("pages/8_review.py", "leader4")  # the demo's district with most units waiting
    assert not at.exception
    assert "审核队列" in texts(at)
    assert "勾选表格中的单位后可批量通过" in texts(at)  # bulk approve waits for ticks (AppTest cannot tick a data_editor)
    # return one unit: a reason is required
    submit_buttons = [b for b in at.button if "退回" in str(b.label)]
    submit_buttons[0].click().run()
    assert "请选择退回原因" in texts(at)
    at.selectbox(key="return_reason").set_value("materials_missing")
    at.text_area(key="return_note").set_value("缺身份证复印件")
    [b for b in at.button if "退回" in str(b.label)][0].click().run()
    assert not at.exception
    assert "已退回" in texts(at)
    decisions, _, pending = counts(writable_demo)
    assert decisions == decisions_before + 1 and pending == pending_before - 1
    # paper materials for the next unit
    [b for b in at.button if "保存纸质材料" in str(b.label)][0].click().run()
    assert not at.exception
    assert "已登记" in texts(at)
    assert counts(writable_demo)[1] == receipts_before + 1


def test_empty_queue_says_what_to_do(writable_demo: str) -> None:  # noqa: F811
    at = open_subpage("pages/8_review.py", "leader1")  # nothing waits in district 1 at DEMO_NOW
    assert not at.exception
    assert "目前没有等待您审核的报送" in texts(at)


def test_liaison_is_told_who_reviews(writable_demo: str) -> None:  # noqa: F811
    at = open_subpage("pages/8_review.py", "liaison1")
    assert not at.exception
    assert "只有区工会领导和系统管理员可以审核报送" in texts(at)


def test_admin_sees_the_queue(writable_demo: str) -> None:  # noqa: F811
    at = open_subpage("pages/8_review.py", "admin")
    assert not at.exception
    assert "审核队列" in texts(at)
