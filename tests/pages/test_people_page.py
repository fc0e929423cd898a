"""The people page (AppTest): a plain note for other roles, a search in the scope with the
person's history, and a correction through the form (success shown, audited)."""

from __future__ import annotations

from sqlalchemy import create_engine, select

from data_access.history import live
from data_access.models import Audit, Member
from tests.pages.conftest import texts
from tests.pages.progress_helpers import open_subpage

PAGE = "pages/13_people.py"


def a_member(url: str) -> tuple[int, str, str]:
    """A live member the bank has not seen: (id, name, phone)."""
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            select(Member.id, Member.name, Member.phone).where(live(), Member.sent_at.is_(None)).order_by(Member.id).limit(1)
        ).one()
    engine.dispose()
    return int(row[0]), str(row[1]), str(row[2])


def test_other_roles_get_a_plain_note(writable_demo: str) -> None:
    at = open_subpage(PAGE, "liaison1")
    assert not at.exception
    assert "仅限管理员和区工会负责人" in texts(at) and not at.text_input


def test_search_history_and_correct_a_phone(writable_demo: str) -> None:
    member_id, name, phone = a_member(writable_demo)
    at = open_subpage(PAGE, "admin")
    assert not at.exception
    at.text_input(key="people_q").set_value(phone).run()
    assert not at.exception, at.exception
    found = next(d.value for d in at.dataframe if "unit_name" in d.value.columns and "stage" in d.value.columns)
    assert name in found["name"].tolist()
    history = next(d.value for d in at.dataframe if "kind" in d.value.columns)
    assert len(history) >= 2  # collected, validated at least
    new_phone = "139" + phone[3:] if not phone.startswith("139") else "137" + phone[3:]
    form_inputs = [w for w in at.text_input if w.key != "people_q" and w.key != "people_unit_q"]
    form_inputs[2].set_value(new_phone)  # new mobile
    form_inputs[3].set_value("本人换号")  # reason
    next(b for b in at.button if b.label == "保存更正").click().run()
    assert not at.exception, at.exception
    assert "已更正：手机号码" in texts(at)
    engine = create_engine(writable_demo)
    with engine.connect() as conn:
        audit = conn.execute(select(Audit.object, Audit.detail).where(Audit.action == "person_correct")).all()
        new = conn.execute(select(Member.phone).where(live(), Member.name == name, Member.phone == new_phone)).all()
    engine.dispose()
    assert len(audit) == 1 and f"member {member_id}→" in audit[0][0] and new_phone not in audit[0][1]
    assert len(new) == 1


def test_a_refusal_is_shown_in_chinese(writable_demo: str) -> None:
    _, _, phone = a_member(writable_demo)
    at = open_subpage(PAGE, "admin")
    at.text_input(key="people_q").set_value(phone).run()
    form_inputs = [w for w in at.text_input if w.key != "people_q" and w.key != "people_unit_q"]
    form_inputs[2].set_value("13900000001")
    next(b for b in at.button if b.label == "保存更正").click().run()  # no reason
    assert not at.exception
    assert "请填写更正原因" in " ".join(str(e.value) for e in at.error)
