"""The fake Twilio answers the official client the way api.twilio.com does."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

import twilio_double
from twilio_double import FakeTwilio, RemoteFakeTwilio, num_segments

ACCOUNT_SID = "AC" + "5" * 32
AUTH_TOKEN = "fake-twilio-token-0123456789abcdef"
PROGRAM = "+12125550100"
PATIENT = "+12125550101"
OTHER = "+12125550102"
CALLBACK = "https://example.org/twilio/status"
VOICE_URL = "https://example.org/twilio/voice/reminder?reminder=3"
NOON = datetime(2030, 3, 4, 12, 0, tzinfo=UTC)
ROOT = Path(twilio_double.__file__).resolve().parent.parent

MakeClient = Callable[..., Client]


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOON)


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def timed_fake(clock: Clock) -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, clock=clock) as server:
        yield server


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Clients built as production builds them, their sessions closed afterwards."""
    made: list[TwilioHttpClient] = []

    def make(base_url: str, token: str = AUTH_TOKEN, timeout: float = 5) -> Client:
        http_client = TwilioHttpClient(timeout=timeout)
        made.append(http_client)
        client = Client(ACCOUNT_SID, token, http_client=http_client)
        client.api.base_url = base_url
        return client

    yield make
    for http_client in made:
        if http_client.session is not None:
            http_client.session.close()


@pytest.fixture
def client(fake: FakeTwilio, make_client: MakeClient) -> Client:
    return make_client(fake.base_url)


@pytest.fixture
def timed_client(timed_fake: FakeTwilio, make_client: MakeClient) -> Client:
    return make_client(timed_fake.base_url)


def send(client: Client, to: str = PATIENT, body: str = "hi", **extra: Any) -> MessageInstance:
    """Send as the reminder worker does: from the program number, with a validity period."""
    return client.messages.create(to=to, from_=PROGRAM, body=body, validity_period=3600, **extra)


def place_call(client: Client, to: str = PATIENT) -> Any:
    """Call as the reminder worker does."""
    return client.calls.create(
        to=to,
        from_=PROGRAM,
        url=VOICE_URL,
        status_callback=CALLBACK,
        machine_detection="Enable",
        timeout=30,
    )


def raw_post(fake: FakeTwilio, kind: str, form: dict[str, str]) -> requests.Response:
    url = f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/{kind}.json"
    with requests.Session() as session:
        return session.post(url, data=form, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)


# -- sending messages ----------------------------------------------------------------


def test_a_message_is_accepted_and_recorded(fake: FakeTwilio, client: Client) -> None:
    message = send(client, status_callback=CALLBACK)

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.status, message.to, message.from_, message.body) == (
        "queued",
        PATIENT,
        PROGRAM,
        "hi",
    )
    assert (message.num_segments, message.direction) == ("1", "outbound-api")
    assert message.date_created is not None
    [recorded] = fake.messages
    assert recorded | {"received_at": None} == {
        "sid": message.sid,
        "to": PATIENT,
        "from_": PROGRAM,
        "messaging_service_sid": None,
        "body": "hi",
        "status_callback": CALLBACK,
        "validity_period": 3600,
        "status": "queued",
        "received_at": None,
    }
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
    assert fake.messages[0]["from_"] is None


def test_a_wrong_token_is_refused(fake: FakeTwilio, make_client: MakeClient) -> None:
    with pytest.raises(TwilioRestException) as raised:
        send(make_client(fake.base_url, token="not-the-token"))

    assert raised.value.status == 401 and raised.value.code == 20003
    assert fake.messages == [] and fake.requests[0]["status"] == 401


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"to": PATIENT, "from_": PROGRAM}, 21602),  # no Body
        ({"to": PATIENT, "from_": PROGRAM, "body": ""}, 21602),
        ({"to": PATIENT, "from_": PROGRAM, "body": "x" * 1601}, 21617),
        ({"to": PATIENT, "body": "hi"}, 21603),  # no sender
        ({"to": "", "from_": PROGRAM, "body": "hi"}, 21604),  # no recipient
        ({"to": "212-555-0101", "from_": PROGRAM, "body": "hi"}, 21211),
        ({"to": f"whatsapp:{PATIENT}", "from_": PROGRAM, "body": "hi"}, 21211),
        ({"to": PATIENT, "from_": "+0", "body": "hi"}, 21212),
        ({"to": PATIENT, "from_": "SecondOp", "body": "hi"}, 21212),  # alphanumeric sender
        ({"to": PATIENT, "messaging_service_sid": "MG123", "body": "hi"}, 21701),
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


def test_the_limits_themselves_are_accepted(fake: FakeTwilio, client: Client) -> None:
    assert send(client, body="x" * 1600).num_segments == "11"
    client.messages.create(to=PATIENT, from_=PROGRAM, body="x", validity_period=36000)
    client.messages.create(to=PATIENT, from_=PROGRAM, body="x", validity_period=1)

    assert [m["validity_period"] for m in fake.messages] == [3600, 36000, 1]


def test_an_unknown_parameter_is_named(fake: FakeTwilio) -> None:
    form = {"To": PATIENT, "From": PROGRAM, "Body": "hi", "StatusCalback": CALLBACK}
    response = raw_post(fake, "Messages", form)

    assert response.status_code == 400
    assert response.json()["code"] == 20001
    assert "StatusCalback" in response.json()["message"]
    assert fake.messages == []


@pytest.mark.parametrize(
    ("create", "parameter"),
    [
        ({"media_url": ["https://example.org/a.png"]}, "MediaUrl"),
        ({"send_as_mms": True}, "SendAsMms"),
        ({"application_sid": "AP" + "0" * 32}, "ApplicationSid"),
    ],
)
def test_parameters_the_service_never_sends_are_refused(
    fake: FakeTwilio, client: Client, create: dict[str, Any], parameter: str
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        send(client, **create)

    assert raised.value.code == 20001 and parameter in raised.value.msg


# -- programmed failures -------------------------------------------------------------


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
    response = raw_post(fake, "Messages", {"To": PATIENT, "From": PROGRAM, "Body": "hi"})

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
        place_call(client)

    assert (raised.value.status, raised.value.code) == (status, code)
    assert fake.calls == []


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
        send(make_client(fake.base_url, timeout=0.1))

    assert fake.wait_for(1, timeout=5)  # Twilio got it even though the caller gave up


def test_reset_forgets_everything(fake: FakeTwilio, client: Client) -> None:
    send(client)
    fake.receive(PATIENT, PROGRAM, "hello")
    fake.fail_to(PATIENT)
    fake.reset()

    assert (fake.messages, fake.received, fake.requests) == ([], [], [])
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
    clients = [make_client(fake.base_url) for _ in range(4)]
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for n in range(75):
                send(clients[index], to=f"+1212555011{index}", body=f"reminder {n}")
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
    assert [fake.count_to(f"+1212555011{i}") for i in range(4)] == [75] * 4


# -- reading messages back -----------------------------------------------------------


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
    assert client.messages.list(from_=PATIENT) == []
    assert [m.body for m in client.messages.list(to=PATIENT, page_size=1)] == ["two", "one"]
    assert len(client.messages.list(limit=2)) == 2


def test_inbound_messages_missed_in_an_outage_are_listed_page_by_page(
    timed_fake: FakeTwilio, timed_client: Client, clock: Clock
) -> None:
    outage = NOON - timedelta(hours=2)
    timed_fake.receive(PATIENT, PROGRAM, "before the outage", at=outage - timedelta(seconds=1))
    missed = [
        timed_fake.receive(
            f"+1212555012{n}", PROGRAM, f"text {n}", at=outage + timedelta(minutes=n)
        )
        for n in range(7)
    ]
    send(timed_client, body="an answer to the patient")  # to PATIENT, not to the program

    listed = timed_client.messages.list(to=PROGRAM, date_sent_after=outage, page_size=3)

    assert [m.sid for m in listed] == missed[::-1]  # newest first, across three pages
    assert [m.body for m in listed][-1] == "text 0"
    assert {(m.direction, m.status, m.to) for m in listed} == {("inbound", "received", PROGRAM)}
    assert listed[0].date_sent == outage + timedelta(minutes=6)
    pages = [r["query"] for r in timed_fake.requests if r["method"] == "GET"]
    assert len(pages) == 3 and "PageToken=PA" + missed[1] in pages[2]
    assert [m["body"] for m in timed_fake.received][:2] == ["before the outage", "text 0"]
    assert timed_fake.messages[0]["body"] == "an answer to the patient"


def test_the_outage_window_has_two_ends(timed_fake: FakeTwilio, timed_client: Client) -> None:
    sids = [
        timed_fake.receive(PATIENT, PROGRAM, f"at {hour}h", at=NOON + timedelta(hours=hour))
        for hour in range(4)
    ]

    listed = timed_client.messages.list(
        to=PROGRAM,
        date_sent_after=NOON + timedelta(hours=1),
        date_sent_before=NOON + timedelta(hours=2),
    )

    assert [m.sid for m in listed] == [sids[2], sids[1]]  # both ends included


def test_a_page_token_continues_after_the_last_sid_even_when_new_texts_arrive(
    timed_fake: FakeTwilio, timed_client: Client
) -> None:
    sids = [
        timed_fake.receive(PATIENT, PROGRAM, f"n{n}", at=NOON + timedelta(minutes=n))
        for n in range(4)
    ]
    first = timed_client.messages.page(to=PROGRAM, page_size=2)
    timed_fake.receive(OTHER, PROGRAM, "newest", at=NOON + timedelta(hours=1))
    second = first.next_page()

    assert second is not None
    assert [m.sid for m in first] == [sids[3], sids[2]]
    assert [m.sid for m in second] == [sids[1], sids[0]]
    assert second.next_page() is None


def test_a_receive_without_a_time_is_dated_now(
    timed_fake: FakeTwilio, timed_client: Client, clock: Clock
) -> None:
    sid = timed_fake.receive(PATIENT, PROGRAM, "now")
    with pytest.raises(ValueError, match=r"E\.164"):
        timed_fake.receive("2125550101", PROGRAM, "not a number Twilio would pass on")

    assert timed_client.messages(sid).fetch().date_sent == NOON
    assert timed_client.messages.list(to=PROGRAM, date_sent_after=NOON + timedelta(seconds=1)) == []


def test_set_status_is_seen_by_a_later_fetch_and_list(fake: FakeTwilio, client: Client) -> None:
    message = send(client)

    fake.set_status(message.sid, "undelivered", error_code=30003)

    fetched = client.messages(message.sid).fetch()
    assert (fetched.status, fetched.error_code) == ("undelivered", 30003)
    assert [m.status for m in client.messages.list(to=PATIENT)] == ["undelivered"]
    assert fake.messages[0]["status"] == "undelivered"
    fake.set_status(message.sid, "delivered")
    assert client.messages(message.sid).fetch().error_code is None


def test_set_status_refuses_unknown_sids_and_statuses(fake: FakeTwilio, client: Client) -> None:
    message = send(client)

    with pytest.raises(KeyError):
        fake.set_status("SM" + "0" * 32, "delivered")
    with pytest.raises(ValueError, match="done"):
        fake.set_status(message.sid, "done")
    assert client.messages(message.sid).fetch().status == "queued"


def test_a_deleted_message_is_gone_from_fetch_and_list(fake: FakeTwilio, client: Client) -> None:
    kept, erased, also = (send(client, body=body) for body in ("kept", "erased", "also"))

    assert client.messages(also.sid).delete() is True
    assert client.messages(erased.sid).delete() is True

    assert [m.sid for m in client.messages.list(to=PATIENT)] == [kept.sid]
    with pytest.raises(TwilioRestException) as raised:
        client.messages(erased.sid).fetch()
    assert raised.value.status == 404
    with pytest.raises(TwilioRestException) as again:
        client.messages(erased.sid).delete()
    assert again.value.status == 404
    assert fake.deleted == [also.sid, erased.sid]
    assert fake.bodies_to(PATIENT) == ["kept", "erased", "also"]  # what was sent stays
    assert [r["status"] for r in fake.requests if r["method"] == "DELETE"] == [204, 204, 404]


def test_unknown_list_filters_are_refused(fake: FakeTwilio, client: Client) -> None:
    with pytest.raises(TwilioException) as raised:
        client.calls.list(status="completed")

    response = raised.value.args[1]  # a failed read carries the HTTP response
    assert response.status_code == 400
    assert json.loads(response.text)["message"] == "Unknown parameter: Status"


# -- calls ---------------------------------------------------------------------------


def test_a_call_is_accepted_and_recorded(fake: FakeTwilio, client: Client) -> None:
    call = place_call(client)

    assert call.sid.startswith("CA") and len(call.sid) == 34
    assert (call.status, call.to, call.from_formatted) == ("queued", PATIENT, PROGRAM)
    [recorded] = fake.calls
    assert recorded | {"received_at": None} == {
        "sid": call.sid,
        "to": PATIENT,
        "from_": PROGRAM,
        "url": VOICE_URL,
        "status_callback": CALLBACK,
        "machine_detection": "Enable",
        "timeout": 30,
        "status": "queued",
        "received_at": None,
    }
    assert fake.messages == []
    assert client.calls(call.sid).fetch().to == PATIENT


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({}, 21205),  # no Url
        ({"url": "/twilio/voice"}, 21205),
        ({"url": VOICE_URL, "status_callback": "status"}, 21609),
        ({"url": VOICE_URL, "timeout": 0}, 21200),
        ({"url": VOICE_URL, "timeout": 601}, 21200),
        ({"url": VOICE_URL, "machine_detection": "Yes"}, 21200),
        ({"url": VOICE_URL, "to": "client:alice"}, 21211),
        ({"url": VOICE_URL, "from_": "sip:desk@example.org"}, 21212),
        ({"url": VOICE_URL, "twiml": "<Response/>"}, 20001),
        ({"url": VOICE_URL, "status_callback_event": ["answered"]}, 20001),
    ],
)
def test_invalid_calls_are_rejected(
    fake: FakeTwilio, client: Client, fields: dict[str, object], code: int
) -> None:
    with pytest.raises(TwilioRestException) as raised:
        client.calls.create(**{"to": PATIENT, "from_": PROGRAM, **fields})

    assert (raised.value.status, raised.value.code) == (400, code)
    assert fake.calls == []


def test_the_call_list_keeps_to_calls_started_after_the_given_time(
    timed_fake: FakeTwilio, timed_client: Client, clock: Clock
) -> None:
    earlier = place_call(timed_client)
    clock.now = NOON + timedelta(minutes=10)
    later = place_call(timed_client)
    place_call(timed_client, to=OTHER)
    since = NOON + timedelta(minutes=5)

    after = timed_client.calls.list(to=PATIENT, start_time_after=since, page_size=20)
    before = timed_client.calls.list(to=PATIENT, start_time_before=since, page_size=20)
    that_day = timed_client.calls.list(to=PATIENT, start_time=NOON.date())

    assert [c.sid for c in after] == [later.sid]  # the call before `since` is not listed
    assert [c.sid for c in before] == [earlier.sid]
    assert [c.sid for c in that_day] == [later.sid, earlier.sid]
    assert timed_client.calls.list(to=PATIENT, start_time=(NOON + timedelta(days=1)).date()) == []
    assert [c.sid for c in timed_client.calls.list(to=PATIENT, page_size=1)] == [
        later.sid,
        earlier.sid,
    ]


def test_unknown_paths_and_methods(fake: FakeTwilio, client: Client) -> None:
    call = place_call(client)
    with requests.Session() as session:
        accounts = session.get(f"{fake.base_url}/2010-04-01/Accounts.json", timeout=5)
        url = f"{fake.base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call.sid}.json"
        deleted = session.delete(url, auth=(ACCOUNT_SID, AUTH_TOKEN), timeout=5)

    assert accounts.status_code == 404 and accounts.json()["code"] == 20404
    assert deleted.status_code == 405 and len(fake.calls) == 1


# -- its own process -----------------------------------------------------------------


def test_runs_as_its_own_process(make_client: MakeClient) -> None:
    command = [sys.executable, "-m", "twilio_double", "--port", "0"]
    command += ["--account-sid", ACCOUNT_SID, "--auth-token", AUTH_TOKEN]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().strip()
            remote = RemoteFakeTwilio(base_url)
            client = make_client(base_url)

            sent = send(client, body="from afar")
            remote.fail_next(1, status=503)
            with pytest.raises(TwilioRestException) as raised:
                send(client)
            remote.fail_to(OTHER, code=21610)
            with pytest.raises(TwilioRestException):
                send(client, to=OTHER)
            inbound = remote.receive(PATIENT, PROGRAM, "STOP", at=NOON)
            remote.set_status(sent.sid, "delivered")
            with pytest.raises(RuntimeError, match="400"):
                remote.set_status("SM" + "0" * 32, "delivered")
            client.messages(sent.sid).delete()

            assert raised.value.status == 503
            assert remote.wait_for(1, timeout=5)
            assert remote.bodies_to(PATIENT) == ["from afar"]
            assert remote.messages[0]["status"] == "delivered"
            assert [m.sid for m in client.messages.list(to=PROGRAM, date_sent=NOON)] == [inbound]
            assert [m["body"] for m in remote.received] == ["STOP"]
            assert remote.deleted == [sent.sid]
            assert [r["status"] for r in remote.requests] == [201, 503, 400, 204, 200]
            remote.reset()
            assert (remote.messages, remote.received, remote.calls) == ([], [], [])
        finally:
            process.terminate()
    assert process.returncode == 0
