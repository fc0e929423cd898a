"""The reminder messages a liaison copies to a unit: right facts, right tone, no surprises."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from campaign.reminders import ReminderFacts, reminder_text

NOW = datetime(2026, 11, 20, 10, 0)  # Shanghai wall-clock


def facts(**changes) -> ReminderFacts:
    base = {
        "unit_name": "津港机械有限公司工会", "status": "not_started", "now": NOW,
        "due_at": datetime(2026, 11, 18, 12, 0), "contact_name": "王芳", "area_name": "保税区第一片区",
        "liaison_name": "李强", "liaison_phone": "13812345678",
    }
    return ReminderFacts(**{**base, **changes})


def test_late_unit_that_has_not_started():
    text = reminder_text(facts())
    assert text.startswith("王芳您好！我是保税区第一片区联络人李强。")
    assert "津港机械有限公司工会" in text and "11月18日12:00前报送" in text
    assert "超过截止时间1天" in text  # 46 hours: one whole day
    assert "个人信息采集表" in text and "校验转换程序" in text
    assert "每人两份身份证复印件" in text and "自愿申办确认书" in text
    assert text.endswith("如有困难请随时与我联系（13812345678）。谢谢！")


def test_overdue_by_hours_only():
    text = reminder_text(facts(now=datetime(2026, 11, 18, 17, 30)))
    assert "超过截止时间5小时" in text


def test_at_risk_unit_counts_the_time_left():
    text = reminder_text(facts(due_at=datetime(2026, 11, 22, 12, 0)))
    assert "须于11月22日12:00前报送，距截止还有2天" in text
    assert "超过" not in text


def test_unit_with_errors_is_told_how_many():
    text = reminder_text(facts(status="errors", open_errors=21))
    assert "还有21处校验错误" in text and "重新上传" in text


def test_clean_unit_is_asked_to_submit():
    assert "名单已校验通过，请尽快正式报送" in reminder_text(facts(status="clean"))


def test_returned_unit_gets_the_reason_and_only_the_missing_paper():
    text = reminder_text(facts(status="returned", return_reason="缺少单位信息审核表", missing_materials=("unit_form",)))
    assert "已被区工会退回，原因：缺少单位信息审核表" in text
    assert "纸质材料还缺：单位信息审核表" in text
    assert "身份证复印件" not in text
    assert "报送截止时间11月18日12:00已过" in text


def test_last_promise_is_recalled():
    assert "上次联系时约定11月19日前完成" in reminder_text(facts(promised_date=date(2026, 11, 19)))


def test_missing_contact_and_phone_still_read_well():
    text = reminder_text(facts(contact_name=None, liaison_phone=None, liaison_name=None))
    assert text.startswith("您好！贵单位")
    assert text.endswith("如有困难请随时与我联系。谢谢！")


def test_no_deadline():
    assert "请尽快报送" in reminder_text(facts(due_at=None))


@pytest.mark.parametrize("status", ["not_started", "errors", "clean", "returned"])
def test_english_version_exists_and_has_no_chinese_template_text(status):
    text = reminder_text(facts(status=status, open_errors=3, return_reason="x"), "en")
    assert "津港机械有限公司工会" in text
    assert "您好" not in text and "报送" not in text


def test_doctests():
    import doctest

    import campaign.reminders

    result = doctest.testmod(campaign.reminders)
    assert result.attempted > 0 and result.failed == 0


def test_paper_short_by_a_count_says_how_many() -> None:
    text = reminder_text(facts(status="submitted", missing_materials=("id_copies", "consents"),
                               missing_counts={"id_copies": 4, "consents": 1}))
    assert "每人两份身份证复印件（还差4份）" in text and "本人签字的自愿申办确认书（还差1份）" in text
    english = reminder_text(facts(status="submitted", missing_materials=("id_copies",), missing_counts={"id_copies": 4}), "en")
    assert "(4 still missing)" in english
