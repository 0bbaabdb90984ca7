"""Fixtures for the flows tests; the helpers themselves live in flowkit.py."""

from __future__ import annotations

import pytest
from flowkit import CONTENT, PATIENTS, PROGRAM, Chat, Patient, chat

from flows import Content, Conversation, Machine, Program


@pytest.fixture(scope="session")
def content() -> Content:
    return CONTENT


@pytest.fixture(scope="session")
def machine(content: Content) -> Machine:
    return Machine(content)


@pytest.fixture(scope="session")
def program() -> Program:
    return PROGRAM


@pytest.fixture(params=PATIENTS, ids=str)
def patient(request: pytest.FixtureRequest) -> Patient:
    """The same test in English (keyword SECOND) and in Spanish (keyword SEGUNDA)."""
    return request.param


@pytest.fixture
def texts(machine: Machine):
    """`texts("SECOND", "1", start=...)`: send texts to the machine, get a Chat back."""

    def send(*bodies: str, start: Conversation | None = None) -> Chat:
        return chat(machine, bodies, start=start)

    return send
