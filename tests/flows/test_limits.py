"""The reply budget of one number and the surge rule, without any server."""

from __future__ import annotations

import pytest

from flows.conversation.limits import Recent, ReplyBudget, may_answer, surge

BUDGET = ReplyBudget(per_day=30, unclear_per_day=5)


@pytest.mark.parametrize(
    ("key", "recent", "answered"),
    [
        ("menu", Recent(29, 0, 1), True),
        ("menu", Recent(30, 0, 1), False),  # the day's answers are spent
        ("unknown", Recent(10, 4, 1), True),
        ("unknown", Recent(10, 5, 1), False),  # "sorry, we did not get that" five times
        ("help", Recent(10, 5, 1), False),
        ("menu", Recent(10, 5, 1), True),  # a real answer is not held back by unclear ones
        ("menu", Recent(10, 0, 10), True),
        ("menu", Recent(10, 0, 11), False),  # the same words an eleventh time
    ],
)
def test_may_answer(key: str, recent: Recent, answered: bool) -> None:
    assert may_answer(key, recent, BUDGET) is answered


@pytest.mark.parametrize(
    ("last_hour", "usual", "alarm"),
    [(40, 0.0, True), (40, 3.9, True), (40, 4.1, False), (29, 0.0, False)],
)
def test_surge_is_far_above_the_usual_hour_and_big_enough(
    last_hour: int, usual: float, alarm: bool
) -> None:
    assert surge(last_hour, usual, factor=10.0, floor=30) is alarm
