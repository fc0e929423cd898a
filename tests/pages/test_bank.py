"""The bank production page (AppTest, demo database)."""

from __future__ import annotations

from datetime import date

from tests.pages.conftest import texts
from tests.pages.delivery_helpers import frame_of, open_page

PAGE = "pages/4_bank.py"


def test_admin_sees_rates_pareto_loop_and_full_ids(run_page):
    at = open_page(run_page, PAGE)
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert {"银行已回盘（人次）", "回盘涉及人数", "制卡成功（人）", "制卡成功率", "失败待处理", "失败挽回率"} <= set(labels)
    answers, people = (int(labels[k].replace(",", "")) for k in ("银行已回盘（人次）", "回盘涉及人数"))
    assert 0 < people < answers  # failed and resubmitted people were answered twice
    assert labels["制卡成功率"].endswith("%")
    shown = texts(at)
    assert "制卡失败原因（帕累托图）" in shown and "失败纠错闭环" in shown
    failures = frame_of(at, "days_open")
    assert len(failures) > 0 and (failures["days_open"] >= 0).all()
    assert not failures["id_number"].str.contains(r"\*").any()  # admin sees IDs in full
    batches = frame_of(at, "reference")
    assert batches["success_rate"].dropna().between(0, 1).all()


def test_liaison_sees_masked_ids_and_only_their_area(run_page):
    admin = open_page(run_page, PAGE)
    at = open_page(run_page, PAGE, login="liaison1")
    assert not at.exception
    failures = frame_of(at, "days_open")
    assert failures["id_number"].str.contains(r"\*{11}").all()
    assert failures["phone"].str.match(r"^\d{3}\*{4}\d{4}$").all()
    assert "身份证号和手机号已按您的权限打码显示" in texts(at)
    results = lambda a: int(next(m.value for m in a.metric if m.label == "银行已回盘（人次）").replace(",", ""))  # noqa: E731
    assert 0 < results(at) < results(admin)


def test_an_early_as_of_date_shows_what_to_do(run_page):
    at = open_page(run_page, PAGE, as_of=date(2026, 10, 1))
    assert not at.exception
    assert "还没有银行回盘结果" in texts(at)
    assert len(at.metric) == 0


def test_every_label_of_these_pages_has_english():
    from campaign.i18n import pages_delivery

    assert all(zh and en and zh != en or key.startswith("dist.age") for key, (zh, en) in pages_delivery.ENTRIES.items())


def test_an_area_sees_its_own_batch_sizes_beside_its_own_results(run_page):
    """Every column of a scoped table is of that scope: a liaison sees how many of the
    district batch's members are in the area, next to the area's results."""
    admin = frame_of(open_page(run_page, PAGE), "reference").set_index("reference")
    area = frame_of(open_page(run_page, PAGE, login="liaison1"), "reference").set_index("reference")
    assert len(area) > 0
    for reference, row in area.iterrows():
        whole = admin.loc[reference]
        assert row["member_count"] < whole["member_count"]  # an area is part of a district batch
        assert row["people"] <= row["member_count"] and row["people"] <= row["results"]
        assert row["results"] <= whole["results"]
