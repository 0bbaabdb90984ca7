"""Property-based fuzzing of every public endpoint: whatever is posted, signed or not, no 5xx.

Hypothesis draws forms the way Twilio could sign them (NUL and other control characters,
huge and negative numbers, odd scripts, missing and unknown fields, 1,600-character
bodies) and queries our own URLs could carry. The budget per test is FUZZ_EXAMPLES
(default 40) examples, so the suite stays fast; CI runs it on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from secondopinion.settings import Settings
from tests.builders import signature, sms
from webhooks import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same examples on every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KNOWN = "+12125550191"
KNOWN_SID = "SM" + "a" * 32  # the known person's first text: reports about it find a row

# Text as a form can carry it (no lone surrogates), control characters and NUL included.
odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
long_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1500, max_size=1700)
numbers = st.integers(-(10**25), 10**25).map(str)
values = st.one_of(odd_text, numbers, st.sampled_from(["", "0", "\x00", "²", "٣", "1e9"]))
# Mostly well-formed, so that odd values reach the database and not only the first check.
good_phones = st.sampled_from([KNOWN, "+12125550192", "+17875550193", "+447700900123"])
phones = st.one_of(good_phones, good_phones, st.sampled_from(["+266696687", "Anonymous"]), odd_text)
bodies = st.one_of(
    st.sampled_from(["SECOND", "SEGUNDA", "STOP", "START", "HELP", "YES", "SÍ", "12/15"]),
    odd_text,
    long_text,
)
good_sids = st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True)
sids = st.one_of(good_sids, good_sids, st.just(KNOWN_SID), odd_text, st.just("S" * 200))
extra_fields = st.dictionaries(st.text(min_size=1, max_size=12), values, max_size=3)


def sms_forms() -> st.SearchStrategy[dict[str, str]]:
    fields = st.fixed_dictionaries(
        {"From": phones, "MessageSid": sids},
        optional={"Body": bodies, "To": phones, "NumMedia": values, "StirVerstat": values},
    )
    return st.builds(lambda f, x: {**x, **f}, fields, extra_fields)


def status_forms() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {"MessageSid": sids},
        optional={
            "MessageStatus": st.one_of(st.sampled_from(["delivered", "failed", "sent"]), values),
            "ErrorCode": values,
            "SmsSid": sids,
        },
    )


def voice_forms() -> st.SearchStrategy[dict[str, str]]:
    return st.fixed_dictionaries(
        {"From": phones},
        optional={
            "Digits": st.one_of(st.sampled_from(list("0123456789*#")), values),
            "StirVerstat": st.one_of(st.just("TN-Validation-Passed-A"), values),
            "AnsweredBy": st.one_of(st.sampled_from(["human", "machine_start"]), values),
            "CallStatus": st.one_of(st.sampled_from(["no-answer", "completed"]), values),
        },
    )


def voice_paths() -> st.SearchStrategy[str]:
    query = st.fixed_dictionaries(
        {},
        optional={
            "step": st.one_of(
                st.sampled_from(["language", "menu", "phrase", "info", "consent", "reminder"]),
                values,
            ),
            "lang": st.one_of(st.sampled_from(["en", "es"]), values),
            "tries": values,
            "phrase": values,
            "reminder": st.one_of(st.sampled_from(["1", "2"]), values),
            "cid": values,
        },
    )
    paths = st.sampled_from(VOICE_PATHS)
    return st.builds(lambda p, q: f"{p}?{urlencode(q)}" if q else p, paths, query)


@pytest.fixture
def dashboard(settings: Settings) -> Iterator[FlaskClient]:
    """The app with its dashboard open (a secret key) and metrics behind a token."""
    app = create_app(settings.model_copy(update={"secret_key": "k", "metrics_token": "t"}))
    yield app.test_client()
    app.extensions["secondopinion"].engine.dispose()


VOICE_PATHS = [
    "/twilio/voice",
    "/twilio/voice/menu",
    "/twilio/voice/reminder",
    "/twilio/voice/reminder/menu",
    "/twilio/voice/status",
    "/twilio/voice/fallback",
]
FUZZED = {"/twilio/sms", "/twilio/status", *VOICE_PATHS}


def test_every_twilio_route_is_fuzzed(client: FlaskClient) -> None:
    """A new webhook must join the fuzzing: every /twilio/ route of the app is listed here."""
    routes = {r.rule for r in client.application.url_map.iter_rules()}
    assert {r for r in routes if r.startswith("/twilio/")} == FUZZED


def post(client: FlaskClient, path: str, form: dict[str, str], signed: bool) -> int:
    headers = {"X-Twilio-Signature": signature(path, form) if signed else "forged"}
    return client.post(path, data=form, headers=headers).status_code


@FUZZ
@given(form=sms_forms(), signed=st.booleans())
@example(form={"From": KNOWN, "MessageSid": "SMnul", "Body": "my date is\x00 12/15"}, signed=True)
@example(form={"From": KNOWN, "MessageSid": "S" * 200, "Body": "x"}, signed=True)
def test_texts(client: FlaskClient, form: dict[str, str], signed: bool) -> None:
    status = post(client, "/twilio/sms", form, signed)
    assert status < 500 and (signed or status in (403, 413))


@FUZZ
@given(form=status_forms(), signed=st.booleans())
@example(
    form={"MessageSid": KNOWN_SID, "MessageStatus": "failed", "ErrorCode": "9" * 20}, signed=True
)
@example(form={"MessageSid": KNOWN_SID, "MessageStatus": "failed", "ErrorCode": "²"}, signed=True)
def test_delivery_reports(client: FlaskClient, form: dict[str, str], signed: bool) -> None:
    sms(client, KNOWN, "SECOND", sid=KNOWN_SID)  # a row for the reports to find
    status = post(client, "/twilio/status", form, signed)
    assert status < 500 and (signed or status in (403, 413))


@FUZZ
@given(path=voice_paths(), form=voice_forms(), signed=st.booleans())
@example(path="/twilio/voice/reminder?reminder=" + "9" * 20, form={"From": KNOWN}, signed=True)
@example(path="/twilio/voice", form={"From": "+266696687"}, signed=True)
def test_voice(client: FlaskClient, path: str, form: dict[str, str], signed: bool) -> None:
    status = post(client, path, form, signed)
    assert status < 500 and (signed or status in (403, 413))


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    path=st.one_of(
        st.sampled_from(
            [
                "/healthz",
                "/metrics",
                "/admin/login",
                "/admin/people",
                "/admin/people/1/erase",
                "/admin/consent.csv",
                "/admin/audit.csv",
                "/simulator",
                "/twilio/sms",
            ]
        ),
        st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=30).map(
            lambda p: "/" + p.lstrip("/")
        ),
    ),
    form=st.dictionaries(st.text(min_size=1, max_size=10), values, max_size=4),
)
def test_any_route_any_method(
    dashboard: FlaskClient, method: str, path: str, form: dict[str, str]
) -> None:
    """Every other route (and none), unsigned, with any form: an answer, never a 5xx."""
    response = dashboard.open(path, method=method, data=form, base_url="https://localhost")
    assert response.status_code < 500
