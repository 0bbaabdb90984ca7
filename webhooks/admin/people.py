"""People: the list with filters, one person's timeline, and what staff can do to them."""

from __future__ import annotations

import logging
from zoneinfo import available_timezones

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from flows import Language, Status
from secondopinion import staff
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
    statuses, languages = [s.value for s in Status], [lang.value for lang in Language]
    status = request.args.get("status", "") if request.args.get("status") in statuses else ""
    language = request.args.get("language", "") if request.args.get("language") in languages else ""
    last4 = "".join(c for c in request.args.get("last4", "") if c.isdigit())[-4:]
    with services().sessions() as session:
        found = queries.people(session, status, language, last4)
    return render_template(
        "admin/people.html",
        people=found,
        statuses=statuses,
        languages=languages,
        filters={"status": status, "language": language, "last4": last4},
    )


@bp.get("/people/<int(max=2147483647):person_id>")
@staff_only
def person(person_id: int) -> ResponseReturnValue:
    with services().sessions() as session:
        found = queries.person(session, person_id)
        if found is None:
            abort(404)
        events = queries.timeline(session, person_id)
    return render_template("admin/person.html", person=found, events=events, zones=ZONES)


@bp.post("/people/<int(max=2147483647):person_id>/<action>")
@staff_only
def act(person_id: int, action: str) -> ResponseReturnValue:
    """Pause, resume, change zone, opt out or erase: one transaction with its log entry."""
    svc, who = services(), current_staff()
    zone = request.form.get("timezone", "")
    valid = action in staff.ACTIONS and (action != "timezone" or zone in ZONES)
    if not valid or (action == "erase" and request.form.get("confirm") != "erase"):
        abort(400, "unknown action, time zone or missing confirmation")
    now = svc.clock()
    with transaction(svc.sessions) as session:
        if not staff.act(session, svc.machine, person_id, action, who, now, zone):
            abort(404)
    log.info("staff %s: %s on person %s", who, action, person_id)
    flash(f"Done: {action.replace('-', ' ')}.")
    return _back(person_id)


def _back(person_id: int) -> Response:
    return redirect(url_for("admin.person", person_id=person_id), code=303)
