"""The overview page as a district leader sees it (AppTest, demo database)."""

from __future__ import annotations

from tests.pages.conftest import texts


def test_sign_in_gate_shows_before_anything_else(run_page):
    at = run_page("dashboard.py", login=None)
    assert not at.exception
    assert "请登录" in texts(at)
    assert len(at.metric) == 0


def test_wrong_password_is_refused_in_chinese(run_page):
    at = run_page("dashboard.py", login=None)
    at.text_input(key="sign_in_login").input("admin")
    at.text_input(key="sign_in_password").input("wrong")
    at.button[0].click().run()
    assert "用户名或密码不正确" in texts(at)


def test_overview_shows_headline_figures_for_everything(run_page):
    at = run_page("dashboard.py")
    assert not at.exception
    labels = {m.label for m in at.metric}
    assert {"已报送单位", "按时报送率", "已校验会员", "未解决校验错误", "制卡成功率", "已发到会员"} <= labels
    submitted = next(m for m in at.metric if m.label == "已报送单位").value
    done, expected = (int(x) for x in submitted.split(" / "))
    assert 350 <= expected <= 450 and 0 < done < expected


def test_a_district_leader_sees_only_their_district(run_page):
    at = run_page("dashboard.py", login="leader1")
    assert not at.exception
    submitted = next(m for m in at.metric if m.label == "已报送单位").value
    expected = int(submitted.split(" / ")[1])
    assert 80 <= expected <= 120  # one district of four
    assert all(sb.key != "district" for sb in at.selectbox)  # no wider choice offered


def test_english_is_one_switch_away(run_page):
    at = run_page("dashboard.py", query={"lang": "en"})
    assert not at.exception
    assert "Overview" in texts(at)
    assert "Units submitted" in {m.label for m in at.metric}
