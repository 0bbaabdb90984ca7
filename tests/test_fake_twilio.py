"""The fake Twilio answers the official client the way api.twilio.com does."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from tests.fake_twilio import FakeTwilio, RemoteFakeTwilio, num_segments

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "fake-twilio-token-0123456789abcdef"
PROGRAM = "+12125550100"
PATIENT = "+12125550101"
OTHER = "+12125550102"
CALLBACK = "https://example.org/twilio/status"

MakeClient = Callable[..., Client]


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def make_client(fake: FakeTwilio) -> Iterator[MakeClient]:
    """Clients built as production builds them, their sessions closed afterwards."""
    made: list[TwilioHttpClient] = []

    def make(token: str = AUTH_TOKEN, timeout: float = 5, base_url: str = "") -> Client:
        http_client = TwilioHttpClient(timeout=timeout)
        made.append(http_client)
        client = Client(ACCOUNT_SID, token, http_client=http_client)
        client.api.base_url = base_url or fake.base_url
        return client

    yield make
    for http_client in made:
        if http_client.session is not None:
            http_client.session.close()


@pytest.fixture
def client(make_client: MakeClient) -> Client:
    return make_client()


def send(client: Client, to: str = PATIENT, body: str = "hi", **extra: Any) -> MessageInstance:
    """Send as the reminder worker does: from the program number."""
    return client.messages.create(to=to, from_=PROGRAM, body=body, **extra)


def test_a_message_is_accepted_and_recorded(fake: FakeTwilio, client: Client) -> None:
    message = send(client, status_callback=CALLBACK, validity_period=3600)

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.body) == (
        "queued",
        PATIENT,
        PROGRAM,
        "hi",
    )
    assert message.num_segments == "1"
    assert message.date_created is not None
    [recorded] = fake.messages
    assert recorded["sid"] == message.sid
    assert recorded["to"] == PATIENT and recorded["from_"] == PROGRAM
    assert recorded["body"] == "hi"
    assert recorded["status_callback"] == CALLBACK
    assert recorded["validity_period"] == 3600
    assert recorded["messaging_service_sid"] is None
    assert fake.bodies_to(PATIENT) == ["hi"] and fake.count_to(OTHER) == 0
    assert fake.requests[-1] | {"received_at": None} == {
        "method": "POST",
        "path": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        "query": "",
        "status": 201,
        "received_at": None,
    }
    assert client.messages(message.sid).fetch().body == "hi"


def test_a_messaging_service_can_send_without_from(fake: FakeTwilio, client: Client) -> None:
    service = "MG" + "a" * 32
    message = client.messages.create(to=PATIENT, messaging_service_sid=service, body="hi")

    assert message.status == "accepted"  # Twilio's first status for a Messaging Service
    assert fake.messages[0]["messaging_service_sid"] == service


def test_a_wrong_token_is_refused(fake: FakeTwilio, make_client: MakeClient) -> None:
    with pytest.raises(TwilioRestException) as raised:
        send(make_client(token="not-the-token"))

    assert raised.value.status == 401 and raised.value.code == 20003
    assert fake.messages == [] and fake.requests[0]["status"] == 401


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": PATIENT, "from_": PROGRAM}, 21602),  # no Body
        ({"to": PATIENT, "from_": PROGRAM, "body": ""}, 21602),
        ({"to": PATIENT, "from_": PROGRAM, "body": "x" * 1601}, 21617),
        ({"to": PATIENT, "body": "hi"}, 21603),  # no sender
        ({"to": "212-555-0101", "from_": PROGRAM, "body": "hi"}, 21211),
        ({"to": PATIENT, "from_": "+0", "body": "hi"}, 21212),
        ({"to": PATIENT, "from_": PROGRAM, "body": "hi", "status_callback": "/status"}, 21609),
        ({"to": PATIENT, "from_": PROGRAM, "body": "hi", "validity_period": 0}, 90014),
        ({"to": PATIENT, "from_": PROGRAM, "body": "hi", "validity_period": 36001}, 90007),
    ],
)
def test_invalid_messages_are_rejected(
    fake: FakeTwilio, client: Client, fields: dict[str, object], code: int
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.messages.create(**fields)

    assert (raised.value.status, raised.value.code) == (400, code)
    assert fake.messages == []


def test_the_longest_body_is_accepted(fake: FakeTwilio, client: Client) -> None:
    assert send(client, body="x" * 1600).num_segments == "11"


def test_unknown_parameters_are_rejected(fake: FakeTwilio) -> None:
    url = f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = {"To": PATIENT, "From": PROGRAM, "Body": "hi", "StatusCalback": CALLBACK}
    with requests.Session() as session:
        response = session.post(url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)

    assert response.status_code == 400
    assert response.json()["code"] == 20001
    assert "StatusCalback" in response.json()["message"]


def test_fail_next_answers_429_with_retry_after(fake: FakeTwilio, client: Client) -> None:
    fake.fail_next(2, status=429)

    for _ in range(2):
        with pytest.raises(TwilioRestException) as raised:
            send(client)
        assert (raised.value.status, raised.value.code) == (429, 20429)
    assert send(client).status == "queued"
    assert [r["status"] for r in fake.requests] == [429, 429, 201]
    assert fake.count_to(PATIENT) == 1


def test_429_says_when_to_retry(fake: FakeTwilio) -> None:
    fake.fail_next(1, status=429)
    url = f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    form = {"To": PATIENT, "From": PROGRAM, "Body": "hi"}
    with requests.Session() as session:
        response = session.post(url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)

    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert response.json() == {
        "code": 20429,
        "message": "Too Many Requests",
        "more_info": "https://www.twilio.com/docs/errors/20429",
        "status": 429,
    }


@pytest.mark.parametrize(("status", "code"), [(500, 20500), (503, 20503)])
def test_fail_next_server_errors(fake: FakeTwilio, client: Client, status: int, code: int) -> None:
    fake.fail_next(status=status)

    with pytest.raises(TwilioRestException) as raised:
        send(client)

    assert (raised.value.status, raised.value.code) == (status, code)


@pytest.mark.parametrize("code", [21610, 21211, 21614])
def test_fail_to_refuses_one_number(fake: FakeTwilio, client: Client, code: int) -> None:
    fake.fail_to(PATIENT, code=code)

    with pytest.raises(TwilioRestException) as raised:
        send(client)
    send(client, to=OTHER)

    assert (raised.value.status, raised.value.code) == (400, code)
    assert fake.count_to(PATIENT) == 0 and fake.bodies_to(OTHER) == ["hi"]


def test_unsubscribed_message_text(fake: FakeTwilio, client: Client) -> None:
    fake.fail_to(PATIENT, code=21610)

    with pytest.raises(TwilioRestException) as raised:
        send(client)

    assert "Attempt to send to unsubscribed recipient" in raised.value.msg


def test_list_filters_by_recipient_and_date(fake: FakeTwilio, client: Client) -> None:
    first = send(client, body="one")
    send(client, to=OTHER, body="other")
    second = send(client, body="two")
    today = datetime.now(UTC)

    listed = client.messages.list(to=PATIENT, date_sent_after=today - timedelta(days=1))
    assert [m.sid for m in listed] == [second.sid, first.sid]  # newest first, as Twilio
    assert client.messages.list(to=PATIENT, date_sent_after=today + timedelta(days=1)) == []
    assert len(client.messages.list(date_sent=today.date())) == 3
    assert len(client.messages.list(from_=PROGRAM, date_sent_before=today)) == 3
    assert [m.body for m in client.messages.list(to=PATIENT, page_size=1)] == ["two", "one"]
    assert len(client.messages.list(limit=2)) == 2


def test_a_call_is_accepted_and_recorded(fake: FakeTwilio, client: Client) -> None:
    call = client.calls.create(
        to=PATIENT,
        from_=PROGRAM,
        url="https://example.org/twilio/voice",
        status_callback=CALLBACK,
        status_callback_event=["initiated", "answered", "completed"],
        machine_detection="Enable",
        timeout=20,
    )

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert (call.status, call.to) == ("queued", PATIENT)
    [recorded] = fake.calls
    assert recorded["sid"] == call.sid
    assert recorded["status_callback_events"] == ["initiated", "answered", "completed"]
    assert (recorded["machine_detection"], recorded["timeout"]) == ("Enable", 20)
    assert fake.messages == []


def test_a_call_can_carry_twiml(fake: FakeTwilio, client: Client) -> None:
    client.calls.create(to=PATIENT, from_=PROGRAM, twiml="<Response><Say>Hi</Say></Response>")

    assert fake.calls[0]["twiml"] == "<Response><Say>Hi</Say></Response>"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": PATIENT, "from_": PROGRAM}, 21205),  # neither Url nor Twiml
        ({"to": PATIENT, "from_": PROGRAM, "url": "https://e.org/v", "timeout": 0}, 21200),
        (
            {
                "to": PATIENT,
                "from_": PROGRAM,
                "url": "https://e.org/v",
                "status_callback_event": ["hung-up"],
            },
            21626,
        ),
    ],
)
def test_invalid_calls_are_rejected(
    fake: FakeTwilio, client: Client, fields: dict[str, object], code: int
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.calls.create(**fields)

    assert (raised.value.status, raised.value.code) == (400, code)
    assert fake.calls == []


def test_unknown_paths_answer_404(fake: FakeTwilio) -> None:
    with requests.Session() as session:
        response = session.get(f"{fake.base_url}/2010-04-01/Accounts.json", timeout=5)

    assert response.status_code == 404 and response.json()["code"] == 20404


def test_a_dropped_connection_still_records_the_message(fake: FakeTwilio, client: Client) -> None:
    fake.accept_then_drop_connection_next()

    with pytest.raises(requests.ConnectionError):
        send(client, body="sent, but who knows")
    send(client, body="after")

    assert fake.bodies_to(PATIENT) == ["sent, but who knows", "after"]
    assert [r["status"] for r in fake.requests] == [None, 201]


def test_delay_slows_posts_past_the_client_timeout(
    fake: FakeTwilio, make_client: MakeClient
) -> None:
    fake.delay(0.5)

    with pytest.raises(requests.Timeout):
        send(make_client(timeout=0.1))

    assert fake.wait_for(1, timeout=5)  # Twilio got it even though the caller gave up


def test_reset_forgets_everything(fake: FakeTwilio, client: Client) -> None:
    send(client)
    fake.fail_to(PATIENT)
    fake.reset()

    assert fake.messages == [] and fake.requests == []
    send(client)
    assert fake.count_to(PATIENT) == 1


def test_wait_for_times_out(fake: FakeTwilio) -> None:
    assert fake.wait_for(0, timeout=0) is True
    assert fake.wait_for(1, timeout=0.05) is False


def test_segments_follow_gsm7_and_ucs2_sizes() -> None:
    assert [num_segments("a" * n) for n in (160, 161, 306, 307)] == [1, 2, 2, 3]
    assert [num_segments("é✓" * n) for n in (35, 36)] == [1, 2]
    assert num_segments("€" * 80) == 1  # two septets each


def test_300_sends_from_4_threads_are_all_recorded(
    fake: FakeTwilio, make_client: MakeClient
) -> None:
    clients = [make_client() for _ in range(4)]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for n in range(75):
                send(clients[index], to=f"+1212555010{index}", body=f"reminder {n}")
        except BaseException as problem:  # surfaced below, not lost in the thread
            errors.append(problem)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert fake.wait_for(300, timeout=5)
    assert len({m["sid"] for m in fake.messages}) == 300
    assert [fake.count_to(f"+1212555010{i}") for i in range(4)] == [75] * 4


def test_runs_as_its_own_process(make_client: MakeClient) -> None:
    command = [sys.executable, "-m", "tests.fake_twilio", "--port", "0"]
    command += ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            remote = RemoteFakeTwilio(base_url)
            client = make_client(base_url=base_url)

            send(client, body="from afar")
            remote.fail_next(1, status=503)
            with pytest.raises(TwilioRestException) as raised:
                send(client)
            remote.fail_to(OTHER, code=21610)
            with pytest.raises(TwilioRestException):
                send(client, to=OTHER)

            assert raised.value.status == 503
            assert remote.wait_for(1, timeout=5)
            assert remote.bodies_to(PATIENT) == ["from afar"]
            assert [r["status"] for r in remote.requests] == [201, 503, 400]
            remote.reset()
            assert remote.messages == []
        finally:
            process.terminate()
    assert process.returncode == 0
