"""Where people are stuck, in their own time, and the dashboard's visit-tomorrow alert."""

from __future__ import annotations

import datetime as dt

import pytest
from flowkit import NOW, at_ready

from flows import Referral, Status
from flows.conversation.state import VisitOutcome
from flows.outcomes.stuck import Stuck, is_stuck, visit_tomorrow_records_missing

TODAY = dt.date(2026, 11, 25)  # NOW in New York


def visit_in(days: int, **changes: object):  # type: ignore[no-untyped-def]
    return at_ready(appointment=TODAY + dt.timedelta(days=days), **changes)


@pytest.mark.parametrize(
    ("conv", "stuck", "expected"),
    [
        (visit_in(3), Stuck.RECORDS_SOON, True),
        (visit_in(4), Stuck.RECORDS_SOON, False),
        (visit_in(-1), Stuck.RECORDS_SOON, False),  # passed
        (visit_in(2, records_done=frozenset({1, 2, 3, 4})), Stuck.RECORDS_SOON, False),
        (visit_in(2, status=Status.OPTED_OUT), Stuck.RECORDS_SOON, False),
        (visit_in(7, referral=Referral.NEEDED), Stuck.REFERRAL_SOON, True),
        (visit_in(7, referral=Referral.SENT), Stuck.REFERRAL_SOON, False),
        (visit_in(8, referral=Referral.UNSURE), Stuck.REFERRAL_SOON, False),
        (at_ready(appointment=None), Stuck.NO_DATE, True),
        (visit_in(10), Stuck.NO_DATE, False),
        (visit_in(-2), Stuck.NO_ANSWER, True),
        (visit_in(-2, status=Status.COMPLETED), Stuck.NO_ANSWER, True),
        (visit_in(-2, visit_outcome=VisitOutcome.HAPPENED), Stuck.NO_ANSWER, False),
        (visit_in(0), Stuck.NO_ANSWER, False),  # today: not passed yet
    ],
)
def test_who_is_stuck_where(conv, stuck: Stuck, expected: bool) -> None:
    assert is_stuck(conv, stuck, NOW) is expected


def test_the_day_is_the_persons_own() -> None:
    late_in_new_york = dt.datetime(2026, 11, 26, 3, 0, tzinfo=dt.UTC)  # 22:00 on the 25th
    tomorrow_there = at_ready(appointment=dt.date(2026, 11, 26))
    assert visit_tomorrow_records_missing(tomorrow_there, late_in_new_york)
    hawaii = tomorrow_there.replace(timezone="Pacific/Honolulu", appointment=dt.date(2026, 11, 26))
    assert visit_tomorrow_records_missing(hawaii, late_in_new_york)  # 17:00 on the 25th there
    assert not visit_tomorrow_records_missing(
        tomorrow_there.replace(records_done=frozenset({1, 2, 3, 4})), late_in_new_york
    )
