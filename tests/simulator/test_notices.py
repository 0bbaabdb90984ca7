"""The simulator says why "Next reminder" sent nothing, and what a jump may be."""

from __future__ import annotations

import datetime as dt

from simkit import TOKEN, jump, open_phone, text
from sqlalchemy import select

from store.db import transaction
from store.models import ConversationRow
from store.people import pause

PHONE = "+12125550142"


def test_next_reminder_on_a_phone_that_never_signed_up_says_so(phone):
    url = open_phone(phone)
    screen = jump(phone, url, "next")
    assert "this phone has not signed up" in screen and "no se ha inscrito" in screen


def test_next_reminder_for_a_paused_person_says_staff_paused_them(phone, sessions):
    url = open_phone(phone)
    text(phone, url, "SECOND")
    text(phone, url, "1")
    with transaction(sessions) as session:
        person = session.scalar(select(ConversationRow.id).where(ConversationRow.phone == PHONE))
        pause(session, person, "nadia", dt.datetime.now(dt.UTC))
    screen = jump(phone, url, "next")
    assert "staff paused this person" in screen


def test_a_plain_form_post_comes_back_to_the_page_with_the_notice(phone):
    url = open_phone(phone)
    posted = phone.post(f"{url}/jump", data={"how": "next", "csrf_token": TOKEN})
    assert posted.status_code == 303 and "notice=not_joined" in posted.headers["Location"]
    page = phone.get(posted.headers["Location"]).get_data(as_text=True)
    assert "this phone has not signed up" in page


def test_a_bad_jump_amount_names_the_allowed_range(phone):
    url = open_phone(phone)
    for amount in ("0", "999", "two"):
        answer = phone.post(
            f"{url}/jump",
            data={"how": "days", "amount": amount, "csrf_token": TOKEN},
            headers={"X-Requested-With": "fetch"},
        )
        assert answer.status_code == 400
        assert "1 to 120 days" in answer.get_data(as_text=True)
    page = phone.post(f"{url}/jump", data={"how": "hours", "amount": "0", "csrf_token": TOKEN})
    assert page.status_code == 400 and "1 to 336 hours" in page.get_data(as_text=True)
