"""A chunk of reminders is sent with set-wise database work; a claim rewrites no index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, delete, event, select, text, update

from secondopinion.container import Services
from secondopinion.ratelimit import LocalRateLimiter
from secondopinion.reminders.deliver import (
    GROUP_SECONDS,
    MAX_GROUP,
    SEND_GROUP,
    deliver,
    group_size,
)
from secondopinion.reminders.prepare import prepare
from secondopinion.reminders.send import send_reminders
from secondopinion.reminders.sweep import MIN_TASKS, chunk_size
from secondopinion.sender import Sender
from secondopinion.settings import Settings
from store.db import make_engine, make_sessions, transaction
from store.migrate import alembic_config, upgrade
from store.models import ConversationRow, MessageRow, ReminderHoldRow, ReminderRow
from store.people import pause
from store.reminders import PENDING, claim_due, is_claimed
from tests.processes import daytime_zone, seed_due_reminders
from tests.reminding import conversation, reminders
from twilio_double import FakeTwilio

PEOPLE = [f"+1212555{n:04d}" for n in range(120, 140)]  # 555-0120 .. 555-0139, fictional


def _engine(svc: Services) -> Engine:
    engine: Engine = svc.sessions.kw["bind"]
    return engine


def _seed_and_claim(svc: Services, phones: list[str]) -> list[int]:
    now = svc.clock()
    seed_due_reminders(_engine(svc), phones, now - dt.timedelta(seconds=5), daytime_zone(now))
    with transaction(svc.sessions) as session:
        return claim_due(session, now, len(phones))


@contextmanager
def counting_statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement sent to the database meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_chunk_is_sent_once_each_with_fewer_statements_than_reminders(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    """On PostgreSQL, the production database (SQLite inserts the message rows one by one)."""
    ids = _seed_and_claim(svc, PEOPLE)
    now = svc.clock()
    with counting_statements(_engine(svc)) as decided:
        assert set(prepare(svc, ids, now).values()) == {"prepared"}
    with counting_statements(_engine(svc)) as sent:
        assert set(deliver(svc, ids).values()) == {"sent"}

    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(PEOPLE)
    # phase one: people, reminders, consent, recent sends, then one write per table
    assert len(decided) <= 8, decided
    # phase two: whose reminders, then per group two locks and one write per table
    groups = -(-len(ids) // SEND_GROUP)
    assert len(sent) <= 1 + 4 * groups, sent


def test_prepare_reads_the_same_few_times_for_a_chunk_of_two_or_twenty(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    small = _seed_and_claim(svc, PEOPLE[:2])
    with counting_statements(_engine(svc)) as for_two:
        prepare(svc, small, svc.clock())
    large = _seed_and_claim(svc, PEOPLE[2:])
    with counting_statements(_engine(svc)) as for_eighteen:
        prepare(svc, large, svc.clock())
    assert len(for_two) == len(for_eighteen)


def test_one_broken_reminder_does_not_hold_back_its_chunk(
    svc: Services, fake_twilio: FakeTwilio, caplog: pytest.LogCaptureFixture
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:5])
    broken = PEOPLE[2]
    with transaction(svc.sessions) as session:  # a zone no clock knows: composing fails
        session.execute(
            update(ConversationRow)
            .where(ConversationRow.phone == broken)
            .values(timezone="Nowhere/Atlantis")
        )

    with caplog.at_level(logging.ERROR, logger="secondopinion.reminders.send"):
        outcomes = send_reminders(svc, ids)

    assert outcomes.count("sent") == 4 and outcomes.count("error") == 1
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(set(PEOPLE[:5]) - {broken})
    assert "trying each alone" in caplog.text
    [left] = reminders(svc, broken)
    assert is_claimed(left)  # the sweep's mend hands it out again later


def test_a_reminder_erased_between_the_phases_is_not_sent(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:3])
    prepare(svc, ids, svc.clock())
    with transaction(svc.sessions) as session:
        session.execute(ReminderRow.__table__.delete().where(ReminderRow.id == ids[1]))

    outcomes = deliver(svc, ids)

    assert outcomes == {ids[0]: "sent", ids[1]: "not-sending", ids[2]: "sent"}
    assert len(fake_twilio.messages) == 2


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_claim_updates_rows_in_place_without_touching_an_index(svc: Services) -> None:
    """HOT updates: PostgreSQL counts them; any index naming `claimed_at` would stop them.

    The table starts empty (TRUNCATE, not the DELETE between tests), so its pages have the
    room the fill factor keeps, whatever earlier tests left: the count is the same every run.
    """
    now = svc.clock()
    with _engine(svc).begin() as connection:
        connection.execute(text("TRUNCATE reminders"))
        indexed = connection.execute(
            text(
                "SELECT count(*) FROM pg_index i JOIN pg_attribute a"
                " ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)"
                " WHERE i.indrelid = 'reminders'::regclass AND a.attname = 'claimed_at'"
            )
        ).scalar_one()
    assert indexed == 0
    seed_due_reminders(_engine(svc), PEOPLE, now - dt.timedelta(seconds=5), "Etc/GMT")
    with transaction(svc.sessions) as session:
        claimed = claim_due(session, now, 100)
        updated, in_place = session.execute(
            text(
                "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables"
                " WHERE relname = 'reminders'"
            )
        ).one()
    assert len(claimed) == len(PEOPLE)
    assert updated == in_place == len(PEOPLE)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_claims_at_once_take_different_reminders(svc: Services) -> None:
    """A second sweep skips the rows the first holds, and takes the rest, earliest first."""
    now = svc.clock()
    seed_due_reminders(_engine(svc), PEOPLE, now - dt.timedelta(seconds=5), daytime_zone(now))
    with transaction(svc.sessions) as first:
        taken = claim_due(first, now, 8)  # not committed yet: its rows stay locked
        with transaction(svc.sessions) as second:
            other = claim_due(second, now, 100)
    assert len(taken) == 8 and len(other) == len(PEOPLE) - 8
    assert not set(taken) & set(other)
    assert taken == sorted(taken) and other == sorted(other)  # same due time: by id
    with transaction(svc.sessions) as third:
        assert claim_due(third, now, 100) == []


def test_a_claimed_reminder_is_still_pending_and_not_claimed_twice(svc: Services) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:4])
    with transaction(svc.sessions) as session:
        assert claim_due(session, svc.clock(), 100) == []
        rows = session.scalars(select(ReminderRow).where(ReminderRow.id.in_(ids))).all()
    assert {row.status for row in rows} == {PENDING} and all(map(is_claimed, rows))


def test_the_migrations_have_one_head() -> None:
    heads = ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()
    assert heads == ["res_0001"]


def test_a_claimed_reminder_moved_to_later_meanwhile_is_left_for_its_new_time(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:2])
    later = svc.clock() + dt.timedelta(hours=2)
    with transaction(svc.sessions) as session:  # as a new visit date does, racing the sweep
        session.execute(update(ReminderRow).where(ReminderRow.id == ids[0]).values(due_at=later))

    assert send_reminders(svc, ids) == ["not-due", "sent"]
    with svc.sessions() as session:
        moved = session.get(ReminderRow, ids[0])
        assert moved is not None and moved.status == PENDING and not is_claimed(moved)
    assert len(fake_twilio.messages) == 1


def test_a_claim_left_by_the_release_before_0004_becomes_a_claim_of_today(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Migration 0005 turns the old `claimed` status into pending-and-claimed."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    engine = make_engine(url)
    created = "2026-11-20 10:00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (id, phone, language, step, status, date_deferred,"
                " referral, records_done, phrase_index, timezone, calls, created_at, updated_at)"
                " VALUES (1, '+12125550120', 'en', 'ready', 'active', 0, 'not_needed', '', 0,"
                " 'Etc/GMT', 0, :at, :at)"
            ),
            {"at": created},
        )
        connection.execute(
            text(
                "INSERT INTO reminders (conversation_id, kind, key, due_at, status, attempts,"
                " channel, call_attempts, created_at) VALUES (1, 'phrase', 'phrase:old:0', :at,"
                " 'claimed', 0, 'sms', 0, :at)"
            ),
            {"at": created},
        )
    upgrade(url)
    with make_sessions(engine)() as session:
        row = session.scalars(select(ReminderRow)).one()
        assert row.status == PENDING and is_claimed(row)
    engine.dispose()


def test_a_group_past_its_lock_budget_lets_go_and_the_rest_still_goes_once(
    svc: Services, fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "secondopinion.reminders.deliver.LOCK_BUDGET", -1.0
    )  # every send is "too slow"
    ids = _seed_and_claim(svc, PEOPLE[:7])
    commits: list[int] = []

    def count(_connection: object) -> None:
        commits.append(1)

    prepared = prepare(svc, ids, svc.clock())
    event.listen(_engine(svc), "commit", count)
    try:
        outcomes = deliver(svc, ids)
    finally:
        event.remove(_engine(svc), "commit", count)
    assert set(prepared.values()) == {"prepared"}
    assert set(outcomes.values()) == {"sent"}
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(PEOPLE[:7])
    assert len(commits) == 7  # one send per transaction: each let go of its people at once


def test_the_send_rate_holds_within_a_chunk(svc: Services, fake_twilio: FakeTwilio) -> None:
    slow = dataclasses.replace(svc, limiter=LocalRateLimiter(per_second=3))
    ids = _seed_and_claim(svc, PEOPLE[:7])
    assert send_reminders(slow, ids) == ["sent"] * 7
    per_second = Counter(m["received_at"].replace(microsecond=0) for m in fake_twilio.messages)
    assert max(per_second.values()) <= 3 and len(per_second) >= 3


class _Garbled:
    """A sender whose answer for one number cannot be read (outcome unknown)."""

    def __init__(self, inner: Sender, number: str) -> None:
        self.inner, self.number = inner, number

    def send_sms(self, to: str, body: str) -> str:
        sid = self.inner.send_sms(to, body)
        if to == self.number:
            raise ValueError("unreadable answer")
        return sid

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_an_unreadable_answer_leaves_that_send_to_reconcile_and_records_the_rest(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:4])
    odd = PEOPLE[1]
    garbled = dataclasses.replace(svc, sender=_Garbled(svc.sender, odd))

    outcomes = send_reminders(garbled, ids)

    assert sorted(outcomes) == ["sent", "sent", "sent", "unknown"]
    assert len(fake_twilio.messages) == 4  # Twilio took all four
    with svc.sessions() as session:
        rows = session.execute(
            select(ConversationRow.phone, ReminderRow.status, ReminderRow.sid).join(ConversationRow)
        ).all()
    assert {phone: status for phone, status, _ in rows} == {
        **{phone: "sent" for phone in PEOPLE[:4]},
        odd: "sending",  # the sweep will find it at Twilio, not send it again
    }
    assert all(sid for phone, _, sid in rows if phone != odd)


def test_a_person_paused_after_the_sweep_took_their_reminder_gets_nothing_until_resumed(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:2])
    paused = PEOPLE[0]
    with transaction(svc.sessions) as session:
        pause(session, conversation(svc, paused).id, "navigator", svc.clock())

    assert sorted(send_reminders(svc, ids)) == ["paused", "sent"]
    assert [m["to"] for m in fake_twilio.messages] == [PEOPLE[1]]

    [held] = reminders(svc, paused)
    assert held.status == PENDING and not is_claimed(held)  # free for a later sweep
    with transaction(svc.sessions) as session:
        assert claim_due(session, svc.clock(), 10) == []  # but not while paused
        session.execute(delete(ReminderHoldRow))  # the hold lifted (resume also replans)
    with transaction(svc.sessions) as session:
        again = claim_due(session, svc.clock(), 10)
    assert send_reminders(svc, again) == ["sent"]
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(PEOPLE[:2])


def test_a_person_paused_between_the_phases_gets_nothing_and_is_worded_afresh_later(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:2])
    prepare(svc, ids, svc.clock())
    with transaction(svc.sessions) as session:
        pause(session, conversation(svc, PEOPLE[0]).id, "navigator", svc.clock())

    outcomes = deliver(svc, ids)

    assert sorted(outcomes.values()) == ["paused", "sent"]
    assert [m["to"] for m in fake_twilio.messages] == [PEOPLE[1]]
    [held] = reminders(svc, PEOPLE[0])
    assert held.status == PENDING and held.claimed_at is None and held.body is None
    assert held.attempts == 0


def test_a_refusal_in_a_group_stops_that_person_and_the_rest_are_recorded(
    svc: Services, fake_twilio: FakeTwilio
) -> None:
    ids = _seed_and_claim(svc, PEOPLE[:4])
    fake_twilio.fail_to(PEOPLE[2], code=21610)  # the carrier has them unsubscribed

    outcomes = send_reminders(svc, ids)

    assert sorted(outcomes) == ["opted_out", "sent", "sent", "sent"]
    with svc.sessions() as session:
        rows = session.execute(
            select(ConversationRow.phone, ConversationRow.status, ReminderRow.status).join(
                ReminderRow, ReminderRow.conversation_id == ConversationRow.id
            )
        ).all()
        texts = session.scalars(select(MessageRow.sid)).all()
    assert {phone: (person, reminder) for phone, person, reminder in rows} == {
        **{phone: ("active", "sent") for phone in PEOPLE[:4]},
        PEOPLE[2]: ("opted_out", "failed"),
    }
    assert len(texts) == 3 and all(texts)


@pytest.mark.parametrize(("seconds", "groups"), [(60.0, 2), (1e-9, 4)])
def test_send_groups_grow_while_twilio_answers_fast_and_stay_at_five_when_it_is_slow(
    svc: Services, fake_twilio: FakeTwilio, monkeypatch: pytest.MonkeyPatch, seconds: float,
    groups: int,
) -> None:  # fmt: skip
    """Twenty reminders: five, then the fifteen left in one group when five sends took far
    less than GROUP_SECONDS; four groups of five when they took longer."""
    monkeypatch.setattr("secondopinion.reminders.deliver.GROUP_SECONDS", seconds)
    ids = _seed_and_claim(svc, PEOPLE)
    prepare(svc, ids, svc.clock())
    with counting_statements(_engine(svc)) as sent:
        assert set(deliver(svc, ids).values()) == {"sent"}
    locks = [s for s in sent if s.lstrip().upper().startswith("SELECT") and "conversations" in s]
    assert len(locks) == groups
    assert sorted(m["to"] for m in fake_twilio.messages) == sorted(PEOPLE)


def test_a_group_is_sized_by_the_pace_of_the_last_between_five_and_the_cap() -> None:
    assert group_size(5, 0.001) == MAX_GROUP
    assert group_size(5, 5.0) == SEND_GROUP
    assert group_size(0, 0.0) == SEND_GROUP
    assert group_size(10, 10 * GROUP_SECONDS / 20) == 20


def test_a_sweep_batch_makes_at_least_16_tasks_of_at_most_two_seconds_sending() -> None:
    assert chunk_size(1000, 100_000) == 63  # 16 tasks, one per worker thread of two workers
    assert chunk_size(1000, 5) == 10  # two seconds at 5 texts a second: 100 tasks
    assert chunk_size(3, 100) == 1
    assert -(-1000 // chunk_size(1000, 100_000)) >= MIN_TASKS


def test_the_default_connection_pool_holds_the_procfile_workers_threads() -> None:
    procfile = (Path(__file__).resolve().parent.parent / "Procfile").read_text()
    threads = int(re.search(r"worker: .*--concurrency (\d+)", procfile).group(1))  # type: ignore[union-attr]
    assert Settings.model_fields["database_pool_size"].default > threads  # and the sweep


@pytest.mark.parametrize(("rate", "handed_out"), [(500.0, [8, 1]), (100.0, [2, 2, 2, 2, 1])])
def test_a_backlog_at_a_fast_rate_is_handed_out_several_batches_at_a_time(
    svc: Services,
    fake_twilio: FakeTwilio,
    monkeypatch: pytest.MonkeyPatch,
    rate: float,
    handed_out: list[int],
) -> None:
    """Each task costs a worker much the same whatever its size: a sweep that finds a
    backlog, when the send rate is fast enough for the workers' CPU to be the limit, cuts
    its tasks from several batches at once (after their claims committed). At a slower
    rate each batch goes alone: smaller tasks keep the sending order close to the due one."""
    from secondopinion.reminders import sweep as sweeping

    monkeypatch.setattr(sweeping, "BATCH", 2)
    monkeypatch.setattr(sweeping, "HAND_OUT", 8)
    fast = dataclasses.replace(
        svc, settings=svc.settings.model_copy(update={"send_rate_per_second": rate})
    )
    now = svc.clock()
    seed_due_reminders(_engine(svc), PEOPLE[:9], now - dt.timedelta(seconds=5), daytime_zone(now))
    seen: list[list[int]] = []
    sweeping.sweep(fast, seen.append)
    assert [len(ids) for ids in seen] == handed_out
    assert len({i for ids in seen for i in ids}) == 9
    with svc.sessions() as session:
        rows = session.scalars(select(ReminderRow)).all()
        assert len(rows) == 9 and all(map(is_claimed, rows))
