"""The conversation as a graph: every step can be reached, and no step is a dead end.

Its edges are texts, and the one reminder that moves the conversation on its own: the
day-after question (did the visit happen?).
"""

from __future__ import annotations

import datetime as dt
from collections import deque

import pytest
from flowkit import NOW

from flows import Conversation, Event, InboundText, Machine, Status, Step
from flows.reminders.compose import ReminderDue

# A small vocabulary that covers every kind of reply that moves the conversation. HELP, MENU,
# DONE and PHRASES are left out: they never change the step (PHRASES only counts up, so the graph
# would never close).
VOCABULARY = (
    "SECOND",
    "SEGUNDA",
    "1",
    "2",
    "ES",
    "EN",
    "LANGUAGE",
    "12/15",
    "YES",
    "NO",
    "NOT SURE",
    "NOT YET",
    "DATE",
    "REFERRAL",
    "SENT",
    "RECORDS",
    "STOP",
    "START",
    "MOVED",
    "hello",
)
DAY_AFTER = "(the day after the visit)"
EVENTS: dict[str, Event] = {text: InboundText(text) for text in VOCABULARY} | {
    DAY_AFTER: ReminderDue("day_after")
}

Graph = dict[Conversation, dict[str, Conversation]]


def when(conversation: Conversation, text: str) -> dt.datetime:
    """Texts come now; the day-after question comes the afternoon after the visit."""
    if text != DAY_AFTER or conversation.appointment is None:
        return NOW
    day_after = conversation.appointment + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time(16), dt.UTC)


@pytest.fixture(scope="module")
def graph(machine: Machine) -> Graph:
    """Every conversation reachable from a new one with the vocabulary, and its edges."""
    start = Conversation()
    edges: Graph = {}
    queue = deque([start])
    while queue:
        conversation = queue.popleft()
        if conversation in edges:
            continue
        edges[conversation] = {}
        for text, event in EVENTS.items():
            after = machine.step(conversation, event, when(conversation, text)).conversation
            after = after.replace(records_done=frozenset())  # records never move the step
            edges[conversation][text] = after
            if after not in edges:
                queue.append(after)
    return edges


def path_to(graph: Graph, goal) -> list[str] | None:
    """The shortest list of texts from a new conversation to one where goal(conversation)."""
    start = Conversation()
    came_from: dict[Conversation, tuple[Conversation, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        conversation = queue.popleft()
        if goal(conversation):
            texts: list[str] = []
            while (link := came_from[conversation]) is not None:
                conversation, text = link
                texts.append(text)
            return texts[::-1]
        for text, after in graph[conversation].items():
            if after not in came_from:
                came_from[after] = (conversation, text)
                queue.append(after)
    return None


def test_the_graph_closes_and_is_small(graph: Graph):
    assert 10 < len(graph) < 20_000


@pytest.mark.parametrize("step", list(Step))
def test_every_step_is_reachable_from_a_new_conversation(graph: Graph, step: Step):
    texts = path_to(graph, lambda c: c.step is step and c.status is Status.ACTIVE)

    assert texts is not None, f"no texts lead to {step}"


def test_the_way_through_setup_is_short(graph: Graph):
    texts = path_to(graph, lambda c: c.step is Step.READY and c.status is Status.ACTIVE)

    assert texts is not None
    assert len(texts) <= 5  # keyword, language, date, yes, referral answer


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.OPTED_OUT])
def test_every_status_is_reachable(graph: Graph, status: Status):
    assert path_to(graph, lambda c: c.status is status) is not None


def test_from_every_enrolled_conversation_some_text_leads_to_another_step(graph: Graph):
    stuck = [
        conversation
        for conversation, edges in graph.items()
        if conversation.status is Status.ACTIVE
        and all(after.step is conversation.step for after in edges.values())
    ]

    assert stuck == []


def test_every_step_can_be_reached_again_from_every_conversation(graph: Graph):
    # Walk the edges backwards from the conversations at each step: all must be found.
    backwards: dict[Conversation, set[Conversation]] = {c: set() for c in graph}
    for conversation, edges in graph.items():
        for after in edges.values():
            backwards[after].add(conversation)

    for step in Step:
        found = {c for c in graph if c.step is step and c.status is Status.ACTIVE}
        queue = deque(found)
        while queue:
            for before in backwards[queue.popleft()]:
                if before not in found:
                    found.add(before)
                    queue.append(before)
        cut_off = [c for c in graph if c not in found]
        assert cut_off == [], f"{len(cut_off)} conversations can never reach {step}"


def test_stop_from_anywhere_is_reachable_and_start_comes_back(graph: Graph):
    for conversation, edges in graph.items():
        if conversation.status is Status.ACTIVE:
            assert edges["STOP"].status is Status.OPTED_OUT
        if conversation.status is Status.OPTED_OUT:
            assert edges["START"].status is Status.ACTIVE
