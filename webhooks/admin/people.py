"""People: the list with filters, one person's timeline, and what staff can do to them."""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from flows import Language, Status
from flows.phones import mask
from secondopinion import privacy, staff
from store.db import transaction
from webhooks.admin import queries
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.current import services

log = logging.getLogger(__name__)
ZONES = sorted(z for z in available_timezones() if z.startswith(("America/", "Pacific/")))


@bp.get("/")
@staff_only
def home() -> ResponseReturnValue:
    return redirect(url_for("admin.people"))


@bp.get("/people")
@staff_only
def people() -> ResponseReturnValue:
    status = request.args.get("status", "")
    language = request.args.get("language", "")
    last4 = "".join(c for c in request.args.get("last4", "") if c.isdigit())[-4:]
    with services().sessions() as session:
        found = queries.people(session, status, language, last4)
    return render_template(
        "admin/people.html",
        people=found,
        statuses=[s.value for s in Status],
        languages=[lang.value for lang in Language],
        filters={"status": status, "language": language, "last4": last4},
    )


@bp.get("/people/<int:person_id>")
@staff_only
def person(person_id: int) -> ResponseReturnValue:
    with services().sessions() as session:
        found = queries.person(session, person_id)
        if found is None:
            abort(404)
        events = queries.timeline(session, person_id)
    return render_template("admin/person.html", person=found, events=events, zones=ZONES)


@bp.post("/people/<int:person_id>/<action>")
@staff_only
def act(person_id: int, action: str) -> ResponseReturnValue:
    """Pause, resume, change zone, opt out or erase: one transaction with its log entry."""
    svc, who = services(), current_staff()
    zone = request.form.get("timezone", "")
    valid = (
        action in staff.ACTIONS and action != "erase" and (action != "timezone" or zone in ZONES)
    )
    if not valid:
        abort(400, "unknown action or time zone")
    now = svc.clock()
    with transaction(svc.sessions) as session:
        if not staff.act(session, svc.machine, person_id, action, who, now, zone):
            abort(404)
    log.info("staff %s: %s on person %s", who, action, person_id)
    flash(f"Done: {action.replace('-', ' ')}.")
    return _back(person_id)


@bp.post("/people/<int:person_id>/erase")
@staff_only
def erase(person_id: int) -> ResponseReturnValue:
    """Forget a person (a request to be forgotten): only their consent lines stay."""
    svc, who = services(), current_staff()
    if request.form.get("confirm") != "erase":
        abort(400, "missing confirmation")
    now = svc.clock()
    with transaction(svc.sessions) as session:
        phone = privacy.erase(session, svc.machine, person_id, who, now)
    if phone is None:
        abort(404)
    log.info("staff %s: erase on person %s", who, person_id)
    flash("Erased: only the consent record is kept.")
    if request.form.get("at_twilio") == "yes":
        flash(_erased_at_twilio(phone))
    return redirect(url_for("admin.people"), code=303)


def _erased_at_twilio(phone: str) -> str:
    try:
        deleted = privacy.erase_at_twilio(services(), phone)
    except Exception as error:  # the local erase is done; say how to finish this part
        log.warning("deleting at Twilio failed: %s", type(error).__name__)
        return (
            f"Twilio could not be reached, so its copies of {mask(phone)} are still there: "
            "run `secondopinion forget NUMBER --at-twilio` when it is back."
        )
    return f"Deleted at Twilio: {deleted} messages."


def _back(person_id: int) -> Response:
    return redirect(url_for("admin.person", person_id=person_id), code=303)
