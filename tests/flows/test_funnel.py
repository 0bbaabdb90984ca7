"""Milestones read from the state, and the funnel they make: reached, stopped, median days."""

from __future__ import annotations

import datetime as dt

from flowkit import NOW, at_ready, enrolled

from flows import Conversation, Referral, Step
from flows.conversation.state import VisitOutcome
from flows.outcomes.funnel import Journey, funnel, grouped
from flows.outcomes.milestones import STAGES, Milestone, newly_reached, reached

M = Milestone
DAY = dt.timedelta(days=1)


def test_milestones_follow_the_state() -> None:
    joined = enrolled(enrolled_at=NOW)
    assert reached(joined) == {M.SIGNED_UP}
    ready = at_ready(enrolled_at=NOW, records_done=frozenset({1, 2, 3, 4}))
    assert reached(ready) == {M.SIGNED_UP, M.DATE_GIVEN, M.REFERRAL_RESOLVED, M.RECORDS_COMPLETE}
    assert M.REFERRAL_RESOLVED not in reached(ready.replace(referral=Referral.NEEDED))
    assert M.REFERRAL_RESOLVED in reached(ready.replace(referral=Referral.SENT))
    assert M.VISIT_HAPPENED in reached(ready.replace(visit_outcome=VisitOutcome.HAPPENED))
    assert reached(Conversation()) == frozenset()  # never joined (or erased): on no journey


def test_only_what_an_event_newly_reached_is_recorded() -> None:
    before = enrolled(step=Step.DATE, enrolled_at=NOW)
    after = before.replace(appointment=dt.date(2026, 12, 15))
    assert newly_reached(before, after) == (M.DATE_GIVEN,)
    assert newly_reached(after, after) == ()
    assert newly_reached(Conversation(), enrolled(enrolled_at=NOW)) == (M.SIGNED_UP,)


def journey(language: str, month: str, *days: float) -> Journey:
    """Reached the first len(days) stages, each so many days after sign-up."""
    start = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    return Journey(
        language, month, {s: start + d * DAY for s, d in zip(STAGES, days, strict=False)}
    )


PROGRAM = [
    journey("en", "2026-11", 0, 1, 2, 5, 20),  # all the way
    journey("en", "2026-11", 0, 3, 4, 9),  # records complete, visit not yet
    journey("es", "2026-11", 0, 2),  # gave a date, then nothing
    journey("es", "2026-12", 0),  # signed up only
    journey("es", "2026-12", 0, 5, 5, 4),  # records done before the referral: 0 days
]


def test_the_funnel_counts_who_reached_each_step_and_who_stopped_there() -> None:
    whole = funnel("all", PROGRAM)
    assert whole.people == 5
    assert [s.reached for s in whole.stages] == [5, 4, 3, 3, 1]
    assert [s.stopped for s in whole.stages] == [1, 1, 0, 2, 1]
    assert sum(s.stopped for s in whole.stages) == whole.people


def test_each_step_takes_the_median_of_its_days_and_an_early_step_takes_none() -> None:
    stages = funnel("all", PROGRAM).stages
    assert [s.median_days for s in stages] == [None, 2.5, 1.0, 3.0, 15.0]


def test_a_step_skipped_breaks_the_chain_even_if_later_ones_were_reached() -> None:
    start = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    gap = Journey("en", "2026-11", {M.SIGNED_UP: start, M.RECORDS_COMPLETE: start})
    assert [s.reached for s in funnel("all", [gap]).stages] == [1, 0, 0, 0, 0]


def test_funnels_by_language_and_by_month() -> None:
    languages = grouped(PROGRAM, lambda j: j.language)
    assert [(f.label, f.people) for f in languages] == [("en", 2), ("es", 3)]
    assert [s.reached for s in languages[1].stages] == [3, 2, 1, 1, 0]
    months = grouped(PROGRAM, lambda j: j.month)
    assert [(f.label, f.people) for f in months] == [("2026-11", 3), ("2026-12", 2)]


def test_an_empty_program_has_an_empty_funnel() -> None:
    empty = funnel("all", [])
    assert empty.people == 0 and all(s.median_days is None for s in empty.stages)
