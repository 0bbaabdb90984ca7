"""Texts from one number arriving at the same moment must not overwrite each other."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

from store.models import ConversationRow, MessageRow
from tests.builders import reply, sms

PATIENT = "+1 212 555 0104"


def send_together(app: Flask, bodies: list[str]) -> list[list[str]]:
    """Post every body from its own thread, all released at once."""
    start = threading.Barrier(len(bodies))
    answers: list[list[str]] = [[] for _ in bodies]
    errors: list[BaseException] = []

    def send(i: int, body: str) -> None:
        client = app.test_client()
        start.wait()
        try:
            answers[i] = sms(client, PATIENT, body)
        except BaseException as error:  # surfaced below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers


def test_simultaneous_texts_are_applied_one_after_another(app: Flask) -> None:
    client = app.test_client()
    reply(client, PATIENT, "SECOND")
    reply(client, PATIENT, "1")

    answers = send_together(app, ["DONE 1", "DONE 2", "DONE 3", "DONE 4"] + ["PHRASES"] * 8)

    assert all(len(a) == 1 for a in answers)
    with app.extensions["secondopinion"].sessions() as session:
        row = session.scalars(select(ConversationRow)).one()
        inbound = session.scalars(select(MessageRow).where(MessageRow.direction == "in")).all()
    assert row.records_done == "1,2,3,4"  # no update lost
    assert row.phrase_index == 8
    assert len(inbound) == 14
    assert sum("You have all your records" in a[0] for a in answers) == 1


def test_the_first_texts_of_a_new_number_create_one_conversation(app: Flask) -> None:
    answers = send_together(app, ["SECOND"] * 6)

    assert all(len(a) == 1 for a in answers)
    with app.extensions["secondopinion"].sessions() as session:
        assert len(session.scalars(select(ConversationRow)).all()) == 1
