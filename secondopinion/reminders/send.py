"""Sending a chunk of claimed reminders: phase one decides, phase two sends.

If the chunk fails as a whole (a bug or a database error in one reminder), each reminder
is tried again on its own, so one bad row cannot hold back the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from secondopinion.container import Services
from secondopinion.reminders.deliver import deliver, never
from secondopinion.reminders.prepare import prepare

log = logging.getLogger(__name__)


def send_reminders(
    svc: Services, reminder_ids: Sequence[int], stopping: Callable[[], bool] = never
) -> list[str]:
    """Both phases, each with the clock read when it starts; one outcome per id.

    A worker that is stopping starts no chunk: its claims wait for the sweep to hand
    them out again (after STALE_AFTER_SECONDS), to this worker's successor.
    """
    if stopping():
        return ["stopping"] * len(reminder_ids)
    try:
        return _send_chunk(svc, reminder_ids, stopping)
    except Exception:
        if len(reminder_ids) == 1:  # left claimed or `sending`: the sweep's mend takes it again
            log.exception("reminder %s: send failed", reminder_ids[0])
            return ["error"]
        log.exception("a chunk of %d reminders failed; trying each alone", len(reminder_ids))
    return [send_reminders(svc, [reminder_id], stopping)[0] for reminder_id in reminder_ids]


def _send_chunk(
    svc: Services, reminder_ids: Sequence[int], stopping: Callable[[], bool]
) -> list[str]:
    owners: dict[int, int] = {}
    outcomes = prepare(svc, reminder_ids, svc.clock(), owners)
    ready = [i for i in reminder_ids if outcomes[i] == "prepared"]
    if ready:
        outcomes.update(deliver(svc, ready, stopping, owners))
    return [outcomes[i] for i in reminder_ids]
