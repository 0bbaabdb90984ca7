"""People: the list with filters, one person's timeline, and what staff can do to them."""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from flows import Language, Status
from store import people as actions
from store.db import transaction
from store.staff import record_action
from webhooks.admin import queries
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.services import services

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
    svc = services()
    now, plan, who = svc.clock(), svc.machine.plan, current_staff()
    zone = request.form.get("timezone", "")
    with transaction(svc.sessions) as session:
        if queries.person(session, person_id) is None:
            abort(404)
        if action == "pause":
            actions.pause(session, person_id, who, now)
        elif action == "resume":
            actions.resume(session, person_id, now, plan)
        elif action == "timezone" and zone in ZONES:
            actions.set_timezone(session, person_id, zone, now, plan)
        elif action == "opt-out":
            actions.opt_out(session, person_id, who, now, plan)
        elif action == "erase" and request.form.get("confirm") == "erase":
            actions.erase(session, person_id, who, now, plan)
        else:
            abort(400, "unknown action, time zone or missing confirmation")
        record_action(session, person_id, who, action, zone if action == "timezone" else "", now)
    log.info("staff %s: %s on person %s", who, action, person_id)
    flash(f"Done: {action.replace('-', ' ')}.")
    return _back(person_id)


def _back(person_id: int) -> Response:
    return redirect(url_for("admin.person", person_id=person_id), code=303)
