"""Fixtures for the flows tests.

The helpers (`chat`, `message`, `enrolled`, `at_ready`, `opted_out`, the ENGLISH / SPANISH
patients and the fixed NOW) live in flowkit.py, so test modules can import them by a name
that cannot clash with the conftest.py of another test folder.
"""

from __future__ import annotations

import pytest
from flowkit import CONTENT, PATIENTS, PROGRAM, Patient

from flows import Content, Machine, Program


@pytest.fixture(scope="session")
def content() -> Content:
    return CONTENT


@pytest.fixture(scope="session")
def machine(content: Content) -> Machine:
    return Machine(content, PROGRAM)


@pytest.fixture(scope="session")
def program() -> Program:
    return PROGRAM


@pytest.fixture(params=PATIENTS, ids=str)
def patient(request: pytest.FixtureRequest) -> Patient:
    """The same test in English (keyword SECOND) and in Spanish (keyword SEGUNDA)."""
    return request.param
