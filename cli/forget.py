"""`secondopinion forget +1…`: a person's request to be forgotten, from the command line."""

from __future__ import annotations

import getpass

from flows.phones import mask
from secondopinion import privacy
from secondopinion.container import build
from secondopinion.settings import Settings
from store import people
from store.db import transaction


def run_forget(settings: Settings, phone: str, at_twilio: bool) -> list[str]:
    """Erase the person with this number (if any), then Twilio's copies; what was done."""
    svc = build(settings)
    done: list[str] = []
    try:
        now = svc.clock()
        with transaction(svc.sessions) as session:
            person = people.find_by_phone(session, phone)
            if person is not None:
                by = f"command line ({getpass.getuser()})"
                privacy.erase(session, svc.machine, person.id, by, now)
        done.append(f"{mask(phone)}: " + ("erased here" if person else "nothing stored here"))
        if at_twilio:
            deleted = privacy.erase_at_twilio(svc, phone)
            done.append(f"{mask(phone)}: texts deleted at Twilio: {deleted}")
    finally:
        svc.engine.dispose()
    return done
