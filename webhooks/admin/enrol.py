"""Signing up a person who said yes to staff, in person or on the phone: the words to read
in their language, then one transaction through the flow, the ledger and the audit log."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from flows import Language
from flows.content import STAFF_SCRIPT
from flows.phones import guess_timezone, is_allowed, mask, to_e164
from secondopinion import staff
from store.db import transaction
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.current import services

log = logging.getLogger(__name__)
HOW = {"in-person": "in person", "phone": "by phone"}
MAX_PHONE = 32


@bp.get("/people/new")
@staff_only
def enrol_form() -> ResponseReturnValue:
    return _page()


def _page(error: str = "", status: int = 200) -> ResponseReturnValue:
    machine = services().machine
    scripts = {lang.value: machine.render_key(STAFF_SCRIPT, lang, "voice") for lang in Language}
    form = request.form if request.method == "POST" else {}
    page = render_template("admin/enrol.html", scripts=scripts, how=HOW, error=error, form=form)
    return page, status


@bp.post("/people/new")
@staff_only
def enrol() -> ResponseReturnValue:
    """The number, the language, how they said yes, and that they did: nothing less."""
    svc, who, form = services(), current_staff(), request.form
    phone = to_e164(form.get("phone", "")[:MAX_PHONE])
    language, how = form.get("language", ""), form.get("how", "")
    if phone is None or not is_allowed(phone, svc.settings.allowed_countries):
        return _page("A mobile number in a country the program serves, like (212) 555-0101.", 400)
    if language not in set(Language) or how not in HOW:
        return _page("Choose their language and how they said yes.", 400)
    if form.get("agreed") != "yes":
        return _page("Read them the words, and tick the box only once they say yes.", 400)
    now, zone = svc.clock(), guess_timezone(phone, svc.settings.program_timezone)
    with transaction(svc.sessions) as session:
        person = staff.enrol(
            session, svc.machine, phone, zone, Language(language), HOW[how], who, now
        )
    if person is None:
        return _page("This number already takes part: find it in the people list.", 409)
    log.info("staff %s signed up %s %s", who, mask(phone), HOW[how])
    flash("Signed up. The welcome text with HELP and STOP is on its way.")
    return redirect(url_for("admin.person", person_id=person), code=303)
