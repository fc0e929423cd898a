"""Issue 9 points 1-4, 11, 12 on the pages (AppTest, demo database): the figures are recounted
here from the same unit frame, by the definitions in DESIGN.md, and compared with what the
pages show."""

from __future__ import annotations

import json
import re

import pandas as pd

from data_access import metrics
from data_access.db import get_engine, read_session
from data_access.models import Campaign
from data_access.scope import Scope
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage


def _units(url: str, login_scope: Scope | None = None):
    engine = get_engine(url)
    with read_session(engine) as session:
        from campaign.timeutil import now_utc

        campaign_id = session.query(Campaign.id).order_by(Campaign.id).first()[0]
        cutoff = now_utc()
        return metrics.unit_progress(session, login_scope or Scope.everything(), campaign_id, cutoff), cutoff


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_on_time_rate_counts_only_units_past_their_deadline(run_page, demo_sqlite_url):
    at = run_page("dashboard.py")
    assert not at.exception
    metric = _metric(at, "按时报送率")
    # "32.3%" with "按时 127 / 截止已过 393 家" beside it: on-time units / units whose deadline
    # has passed, the formula in the help.
    found = re.search(r"按时 (\d+) / 截止已过 (\d+) 家", texts(at))
    assert found and metric.value.endswith("%"), metric.value
    assert float(metric.value[:-1]) == round(100 * int(found.group(1)) / int(found.group(2)), 1)
    units, cutoff = _units(demo_sqlite_url)
    due = units["due_passed"]
    # An independent recount from the raw columns: due by the cut-off, and the first
    # submission that was not returned came by the deadline.
    recount_due = (pd.to_datetime(units["due_at"]) <= cutoff)
    kept = pd.to_datetime(units["kept_submitted_at"])
    recount_on_time = recount_due & kept.notna() & (kept <= pd.to_datetime(units["due_at"]))
    assert int(found.group(2)) == int(recount_due.sum()) == int(due.sum())
    assert int(found.group(1)) == int(recount_on_time.sum())
    assert "截止时间已过的单位" in metric.help and "不计入分母" in metric.help
    not_due = len(units) - int(recount_due.sum())
    assert (f"另有 {not_due} 家截止时间未到" if not_due else "各单位截止时间均已过") in texts(at)


def test_every_milestone_has_its_countdown(run_page):
    at = run_page("dashboard.py", login="leader1")
    assert not at.exception
    shown = texts(at)
    for name in ("单位报送", "区级审核", "报送银行", "卡片发放"):
        assert f"**{name}** · " in shown, name
    assert "各环节截止时间与进度" in shown


def test_a_unit_clerk_gets_a_view_of_one_unit(run_page):
    at = run_page("dashboard.py", login="unit1")
    assert not at.exception
    shown = texts(at)
    assert "当前状态" in shown and "各环节截止时间" in shown and "会员办卡进度（人）" in shown
    assert "查看本单位时间线](timeline?unit_id=" in shown
    # No burn-up, no funnel, no side-by-side bars for one unit.
    kinds = [tr.get("type") for c in at.get("plotly_chart") for tr in json.loads(c.proto.spec)["data"]]
    assert "funnel" not in kinds and "scatter" not in kinds
    assert "累计报送单位" not in shown and "各单位进度" not in shown
    # A unit that has submitted says so, never "已超期 N 天".
    table = at.dataframe[0].value
    countdowns = dict(zip(table["环节"], table["倒计时"], strict=True))
    assert countdowns["单位报送"] == "已报送"


def test_burn_up_is_a_date_axis_running_to_the_cutoff(run_page):
    at = run_page("dashboard.py", login="leader1", query={"as_of": "2026-11-25"})
    assert not at.exception
    burn = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if json.loads(c.proto.spec)["data"][0]["type"] == "scatter")
    assert burn["layout"]["xaxis"]["type"] == "date"
    days = burn["data"][0]["x"]
    assert str(days[-1]).startswith("2026-11-25")  # runs to the cut-off's day
    # Deadline labels sit at distinct heights (never on top of each other).
    labels = [a for a in burn["layout"].get("annotations", []) if a.get("yref") == "paper"]
    assert len({(a["x"], a["y"]) for a in labels}) == len(labels)


def test_zero_bars_keep_a_clickable_width(run_page):
    at = run_page("dashboard.py", login="liaison1")
    assert not at.exception
    bars = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if json.loads(c.proto.spec)["data"][0]["type"] == "bar")
    widths = bars["data"][0]["x"]
    texts_ = bars["data"][0]["text"]
    assert any(t.startswith("0.0%") for t in texts_)  # a unit at zero ...
    assert min(widths) > 0  # ... still has a bar to click


def test_submissions_page_splits_at_risk_and_late_by_status(run_page, demo_sqlite_url):
    run_page("dashboard.py", login=None)  # the demo database and fresh caches
    at = open_subpage("pages/2_submissions.py", login="leader1", query={"as_of": "2026-11-07"})
    assert not at.exception
    late = _metric(at, "逾期未报送")
    risk = _metric(at, "临近截止未报送")
    assert "未上传" in risk.help and "被退回" in risk.help and "已上传有错误" in risk.help
    assert "被退回" in {m.label for m in at.metric}
    on_time = _metric(at, "按时报送率")
    assert on_time.help and "DHIS2" in on_time.help
    table = at.dataframe[-1].value
    assert "截止倒计时" in table.columns
    statuses = table["状态"].tolist()
    countdowns = table["截止倒计时"].tolist()
    for status, countdown in zip(statuses, countdowns, strict=True):
        if status in ("已报送待审核", "审核通过"):
            assert countdown == "已报送"
        else:
            assert countdown != "已报送"
            assert re.fullmatch(r"(还剩|已超期) (\d+ 天|\d+ 天 \d+ 小时|\d+ 小时)|还剩不到 1 小时|已超期不到 1 小时|未设截止时间", countdown), countdown
    assert int(late.value.replace(",", "")) >= 0


def test_english_labels_exist(run_page):
    at = run_page("dashboard.py", login="leader1", query={"lang": "en"})
    assert not at.exception
    assert "Every milestone: deadline, countdown and pace" in texts(at)
    at = open_subpage("pages/2_submissions.py", login="leader1", query={"lang": "en"})
    assert not at.exception
