"""What a step asks of the reminders, and the rows the diff adds, cancels and moves."""

from __future__ import annotations

import datetime as dt

from flowkit import NOW, at_ready, chat, opted_out

from flows import Machine, Status, Step
from flows.conversation.external import CarrierRefused, StaffAction, StaffChange
from flows.reminders.changes import ReminderChanges, Scheduled, diff
from flows.reminders.compose import ReminderDue
from flows.reminders.plan import Planned

KINDS = frozenset({"checklist", "week_before", "day_before"})
LATER = NOW + dt.timedelta(days=3)


def planned(kind: str, due: dt.datetime, key: str | None = None) -> Planned:
    return Planned(due, 1, kind, key or f"{kind}:x:0")


def scheduled(i: int, kind: str, due: dt.datetime, state: str = "pending") -> Scheduled:
    return Scheduled(i, f"{kind}:x:0", kind, due, state == "pending", state == "cancelled")


def test_a_new_plan_adds_what_is_new_cancels_what_is_gone_and_moves_what_changed() -> None:
    existing = [
        scheduled(1, "checklist", NOW),  # no longer planned
        scheduled(2, "week_before", NOW),  # planned later now
        scheduled(3, "day_before", LATER, "cancelled"),  # planned again
        scheduled(4, "by_text", NOW),  # a one-off text: not the plan's business
    ]
    wish = ReminderChanges(
        plan=(
            planned("week_before", LATER),
            planned("day_before", LATER),
            planned("week_before", LATER, key="week_before:y:0"),
        )
    )
    changes = diff(wish, existing, KINDS)
    assert changes.cancel == (1,)
    assert changes.move == ((2, LATER), (3, LATER))
    assert [p.key for p in changes.add] == ["week_before:y:0"]


def test_a_key_already_sent_is_never_scheduled_again() -> None:
    existing = [scheduled(1, "week_before", NOW, "sent")]
    changes = diff(ReminderChanges(plan=(planned("week_before", LATER),)), existing, KINDS)
    assert not changes


def test_texts_ending_cancel_every_pending_reminder_one_offs_too() -> None:
    existing = [scheduled(1, "checklist", NOW), scheduled(2, "by_text", NOW)]
    changes = diff(ReminderChanges(plan=(), stop_all=True), existing, KINDS)
    assert changes.cancel == (1, 2) and not changes.add and not changes.move


def test_a_one_off_is_added_once() -> None:
    one = planned("by_text", NOW, key="by_text:20261125T150000")
    assert diff(ReminderChanges(one_offs=(one,)), [], KINDS).add == (one,)
    existing = [Scheduled(9, one.key, "by_text", NOW, pending=False)]
    assert not diff(ReminderChanges(one_offs=(one,)), existing, KINDS)


def test_only_a_change_to_what_the_plan_reads_brings_a_new_plan(machine: Machine) -> None:
    assert chat(machine, ["PHRASES"], start=at_ready()).outcome.reminders.plan is None
    assert chat(machine, ["DONE 1"], start=at_ready()).outcome.reminders.plan is None
    stopped = chat(machine, ["STOP"], start=at_ready()).outcome.reminders
    assert stopped.plan == () and stopped.stop_all


def test_the_day_after_asks_whether_the_visit_happened_and_keeps_its_plan(
    machine: Machine,
) -> None:
    day_after = at_ready().appointment + dt.timedelta(days=1)  # type: ignore[operator]
    noon = dt.datetime.combine(day_after, dt.time(16), dt.UTC)
    outcome = machine.step(at_ready(), ReminderDue("day_after"), noon)
    assert outcome.conversation.status is Status.ACTIVE
    assert outcome.conversation.step is Step.OUTCOME
    assert outcome.reminders.plan is None  # its one reminder for a missing answer stays


def test_resuming_lays_the_plan_again_though_nothing_it_reads_changed(machine: Machine) -> None:
    person = at_ready(enrolled_at=NOW)
    resumed = machine.step(person, StaffChange(StaffAction.RESUME, "nadia"), NOW)
    assert resumed.conversation == person
    assert resumed.reminders.plan  # the visit is ahead: reminders are planned


def test_the_carrier_opts_out_21610_and_makes_21614_unreachable(machine: Machine) -> None:
    out = machine.step(at_ready(), CarrierRefused(21610), NOW)
    assert out.conversation.status is Status.OPTED_OUT and out.reminders.stop_all
    assert out.consent is not None and out.consent.words == "Twilio error 21610"
    gone = machine.step(at_ready(), CarrierRefused(21614), NOW)
    assert gone.conversation.status is Status.UNREACHABLE and gone.consent is None
    assert machine.step(at_ready(), CarrierRefused(30003), NOW).conversation == at_ready()


def test_staff_opt_out_and_erase_end_texting_and_name_who_did_it(machine: Machine) -> None:
    for action in (StaffAction.OPT_OUT, StaffAction.ERASE):
        out = machine.step(at_ready(), StaffChange(action, "nadia"), NOW)
        assert out.conversation.status is Status.OPTED_OUT and out.reminders.stop_all
        assert out.consent is not None and out.consent.words == "opted out by staff (nadia)"
    stopped = machine.step(opted_out(), StaffChange(StaffAction.ERASE, "nadia"), NOW)
    assert stopped.consent is None  # the ledger already says they stopped
