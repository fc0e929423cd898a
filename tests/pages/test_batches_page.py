"""The bank-batch page (AppTest): ready members, making a batch, the batch list, who gets the file."""

from __future__ import annotations

import pytest

from tests.pages.conftest import texts
from tests.pages.delivery_helpers import open_page
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/9_batches.py"


def test_admin_sees_ready_members_and_batches(run_page) -> None:
    at = open_page(run_page, PAGE)
    assert not at.exception
    shown = texts(at)
    assert "待报送银行的会员" in shown or "目前没有待报送银行的会员" in shown
    assert "银行批次" in shown
    assert any(b.label == "下载开卡文件（xlsx）" for b in at.get("download_button"))


def test_liaison_and_unit_are_turned_away(run_page) -> None:
    for login in ("liaison1", "unit1"):
        at = open_page(run_page, PAGE, login=login)
        assert not at.exception
        assert "本页仅供区工会领导和管理员使用" in texts(at)


def test_leader_makes_a_batch(writable_demo: str) -> None:
    at = open_subpage(PAGE, "leader1")
    assert not at.exception
    if "目前没有待报送银行的会员" in texts(at):
        pytest.fail("the demo district should have members ready for the bank")
    at.text_input(key="batch_branch").input("滨海新区支行")
    next(b for b in at.button if b.label == "生成批次").click()
    at.run()
    assert not at.exception
    assert any("已生成批次 PC-" in str(s.value) for s in at.success), texts(at)


def test_empty_branch_is_refused_in_chinese(writable_demo: str) -> None:
    at = open_subpage(PAGE, "leader1")
    if "目前没有待报送银行的会员" in texts(at):
        pytest.fail("the demo district should have members ready for the bank")
    next(b for b in at.button if b.label == "生成批次").click()
    at.run()
    assert any("开卡银行网点" in str(e.value) for e in at.error)
