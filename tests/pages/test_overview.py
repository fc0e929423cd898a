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


def test_change_arrows_follow_the_sign_and_colours_follow_what_is_good(run_page):
    """↓ for a fall, ↑ for a rise, none for no change; green when the change is good (fewer
    open errors, more units submitted), red when bad. The line starts with words ("较昨日"),
    which Streamlit alone would read as a rise."""
    import re

    from streamlit.proto.Metric_pb2 import Metric

    at = run_page("dashboard.py", login="leader1", query={"as_of": "2026-11-20"})
    assert not at.exception
    good_when_up = {"已报送单位": True, "按时报送率": True, "已校验会员": True, "未解决校验错误": False, "制卡成功率": True, "已发到会员": True}
    seen_directions = set()
    for metric in at.metric:
        if metric.label not in good_when_up:
            continue
        day = re.match(r"较昨日 ([+-]?[\d,.]+|—)", metric.proto.delta)
        assert day, metric.proto.delta
        change = 0.0 if day.group(1) == "—" else float(day.group(1).replace(",", ""))
        direction, colour = metric.proto.direction, metric.proto.color
        if change == 0:
            assert direction == Metric.MetricDirection.NONE and colour == Metric.MetricColor.GRAY
            continue
        assert direction == (Metric.MetricDirection.UP if change > 0 else Metric.MetricDirection.DOWN), metric.label
        good = (change > 0) == good_when_up[metric.label]
        assert colour == (Metric.MetricColor.GREEN if good else Metric.MetricColor.RED), metric.label
        seen_directions.add(direction)
    assert Metric.MetricDirection.UP in seen_directions


def test_a_fall_in_open_errors_is_a_green_down_arrow():
    from ui.components import change_delta

    assert change_delta("较昨日 -3 · 较上周 -9", -3, good_when_up=False) == {"delta": "较昨日 -3 · 较上周 -9", "delta_color": "green", "delta_arrow": "down"}
    assert change_delta("较昨日 -3", -3)["delta_color"] == "red"
    assert change_delta("较昨日 +0", 0)["delta_arrow"] == "off"
