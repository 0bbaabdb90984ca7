"""A send that stops half way (the worker is told to stop, the shared send rate is out of
reach) hands what it did not send back to the sweep: nothing is left `sending` unanswered."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import redis

from secondopinion.container import Services
from secondopinion.ratelimit import RedisRateLimiter
from secondopinion.reminders.deliver import SEND_GROUP
from secondopinion.reminders.send import send_reminders
from store.db import transaction
from store.reminders import claim_due
from tests.processes import daytime_zone, seed_due_reminders
from tests.reminding import reminders
from twilio_double import FakeTwilio

PEOPLE = [f"+1312555{n:04d}" for n in range(140, 152)]  # 555-0140 .. 555-0151, fictional


def due_and_claimed(svc: Services) -> list[int]:
    now = svc.clock()
    engine = svc.sessions.kw["bind"]
    seed_due_reminders(engine, PEOPLE, now - dt.timedelta(seconds=5), daytime_zone(now))
    with transaction(svc.sessions) as session:
        return claim_due(session, now, len(PEOPLE))


def states(svc: Services) -> dict[str, int]:
    rows = [r for phone in PEOPLE for r in reminders(svc, phone)]
    counted: dict[str, int] = {}
    for row in rows:
        state = "claimed" if row.status == "pending" and row.claimed_at else row.status
        counted[state] = counted.get(state, 0) + 1
    return counted


def test_a_worker_told_to_stop_finishes_the_group_it_is_sending_and_hands_back_the_rest(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = due_and_claimed(svc)
    asked = itertools.count()
    outcomes = send_reminders(svc, ids, stopping=lambda: next(asked) >= 2)  # after one group
    assert outcomes.count("sent") == SEND_GROUP == len(fake_twilio.messages)
    assert outcomes.count("handed-back") == len(PEOPLE) - SEND_GROUP
    assert states(svc) == {"sent": SEND_GROUP, "pending": len(PEOPLE) - SEND_GROUP}
    again = due_and_claimed_again(svc)
    assert sorted(send_reminders(svc, again)) == ["sent"] * (len(PEOPLE) - SEND_GROUP)
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(PEOPLE)


def due_and_claimed_again(svc: Services) -> list[int]:
    with transaction(svc.sessions) as session:
        return claim_due(session, svc.clock(), len(PEOPLE))


def test_with_the_shared_send_rate_out_of_reach_nothing_is_sent_and_nothing_is_left_unknown(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5)
    cut_off = dataclasses.replace(svc, limiter=RedisRateLimiter(unreachable, 10.0))
    ids = due_and_claimed(svc)
    assert set(send_reminders(cut_off, ids)) == {"handed-back"}
    assert fake_twilio.messages == []
    assert states(svc) == {"pending": len(PEOPLE)}  # not claimed: the next sweep takes them
