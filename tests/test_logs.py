"""The last guard of every process's logs: whole phone numbers are masked, whoever logs them."""

from __future__ import annotations

import io
import logging

import pytest
import requests

from secondopinion import logs

NUMBERS = ["+13125550177", "3125550177", "%2B13125550177"]


@pytest.fixture
def captured() -> tuple[logging.Logger, io.StringIO]:
    out = io.StringIO()
    logger = logging.getLogger("tests.a_library")
    logger.handlers[:] = [logging.StreamHandler(out)]
    logger.propagate = False
    logs.protect([logger])
    return logger, out


@pytest.mark.parametrize("written", NUMBERS)
def test_a_number_in_a_librarys_message_is_masked(captured, written: str) -> None:
    logger, out = captured
    logger.warning("GET /2010-04-01/Accounts/AC1/Messages.json?To=%s failed", written)
    assert "0177" in out.getvalue() and written not in out.getvalue()


def test_a_number_in_a_traceback_is_masked(captured) -> None:
    logger, out = captured
    try:
        requests.get("http://127.0.0.1:1/Messages.json?From=%2B13125550177", timeout=1)
    except requests.RequestException:
        logger.exception("deleting at Twilio failed")
    assert "Traceback" in out.getvalue() and "%2B13125550177" not in out.getvalue()


def test_what_is_not_a_phone_number_is_left_alone() -> None:
    line = "task 2dc3d107 took 0.24288247999993473s; sid SM0123456789012345678901234567ab; 2026"
    assert logs.redact(line) == line
