"""People: the list with filters, one person's timeline, and what staff can do for them."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from flows import Language, Status
from flows.content import RECORD_ITEMS
from flows.outcomes.stuck import LABELS as STUCK
from flows.outcomes.stuck import Stuck
from flows.phones import mask
from flows.reminders.sending import STAFF_TEXT, may_send
from secondopinion import privacy, staff
from secondopinion.inbox import texts
from secondopinion.inbox.texts import Refused
from store import consent
from store import people as store_people
from store.db import transaction
from store.labels import MAX_LABEL, Label
from webhooks.admin import alerts, queries
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.admin.texting import REFUSALS, answer_choices, send_outcome, staff_text
from webhooks.admin.zones import OTHER_ZONES, US_ZONES, ZONES
from webhooks.current import services

log = logging.getLogger(__name__)
BAD_LABEL = f"A label of up to {MAX_LABEL} characters, and a navigator from the list."
MAX_BACK, MAX_AHEAD = dt.timedelta(days=31), dt.timedelta(days=366)
ACTED_FOR = frozenset({"visit-date", "records", "referral-sent"})
DONE = {  # what staff read after an action
    "pause": "Reminders paused.",
    "resume": "Reminders resumed.",
    "timezone": "Time zone changed.",
    "opt-out": "Opted out: no more texts to this person.",
    "erase": "Erased: only the consent record is kept.",
    "visit-date": "Visit date saved; the reminders follow it.",
    "records": "Records saved.",
    "referral-sent": "Referral marked as sent.",
}


@bp.get("/")
@staff_only
def home() -> ResponseReturnValue:
    return redirect(url_for("admin.people"))


def _filters() -> queries.Filters:
    """The list's filters from the query string; anything unknown is ignored."""
    args = request.args
    stuck = args.get("stuck", "")
    return queries.Filters(
        status=args.get("status", "") if args.get("status") in set(Status) else "",
        language=args.get("language", "") if args.get("language") in set(Language) else "",
        last4="".join(c for c in args.get("last4", "") if c.isdigit())[-4:],
        search=args.get("search", "").strip()[:MAX_LABEL],
        navigator=current_staff() if args.get("mine") == "1" else "",
        stuck=Stuck(stuck) if stuck in set(Stuck) else None,
        sort=args.get("sort", "") if args.get("sort") in queries.SORTS else "activity",
        page=min(int(page), queries.MAX_PAGE) if (page := args.get("page", "1")).isdigit() else 1,
    )


@bp.get("/people")
@staff_only
def people() -> ResponseReturnValue:
    svc, filters = services(), _filters()
    with svc.sessions() as session:
        found = queries.people(session, replace(filters, page=max(filters.page, 1)), svc.clock())
        flagged = alerts.alerts(session, svc.clock())
    return render_template(
        "admin/people.html",
        people=found,
        alerts=flagged,
        statuses=[s.value for s in Status],
        languages=[lang.value for lang in Language],
        stuck=STUCK,
        filters=filters,
        sorts={"activity": "Last activity", "visit": "Visit date", "status": "Status"},
        records=svc.machine.content[Language.EN].records,
        here=_list_args(filters),
    )


def _list_args(filters: queries.Filters) -> dict[str, str]:
    """The list's query string without the page, for the paging and sorting links."""
    args = {k: v for k, v in request.args.items() if k not in ("page", "sort") and v}
    return {**args, "sort": filters.sort}


@bp.get("/people/<int(max=2147483647):person_id>")
@staff_only
def person(person_id: int) -> ResponseReturnValue:
    return person_page(person_id)


def person_page(person_id: int, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    with services().sessions() as session:
        found = queries.person(session, person_id)
        if found is None:
            abort(404)
        events = queries.timeline(session, person_id)
        names = queries.staff_names(session)
        textable = _textable(session, person_id)
    page = render_template(
        "admin/person.html",
        person=found,
        events=events,
        us_zones=US_ZONES,
        other_zones=OTHER_ZONES,
        records=services().machine.content[Language.EN].records,
        staff_names=names,
        textable=textable,
        answers=answer_choices(Language(found.language)),
        max_text=texts.MAX_TEXT,
        max_label=MAX_LABEL,
        error=error,
    )
    return page, status


def _textable(session: Session, person_id: int) -> bool:
    found = store_people.find(session, person_id)
    said_yes = person_id in consent.consented(session, [person_id])
    return found is not None and may_send(found.state, STAFF_TEXT, said_yes)


@bp.post("/people/<int:person_id>/text")
@staff_only
def text(person_id: int) -> ResponseReturnValue:
    """Start a conversation (or go on with one): in the person's language, through the
    reminders' send path; their answer lands in the inbox."""
    svc, who = services(), current_staff()
    handed = texts.send(svc, person_id, staff_text(), who)
    if isinstance(handed, Refused):
        message, status = REFUSALS[handed]
        if handed is Refused.NO_PERSON:
            abort(404)
        return person_page(person_id, message, status)
    log.info("staff %s texted person %s: %s", who, person_id, handed.outcome)
    flash(send_outcome(handed.outcome))
    return _back(person_id)


@bp.post("/people/<int:person_id>/label")
@staff_only
def label(person_id: int) -> ResponseReturnValue:
    """What staff call the person, and their navigator; never part of any text."""
    svc, who = services(), current_staff()
    given = Label(
        " ".join(request.form.get("label", "").split()), request.form.get("navigator", "")
    )
    with svc.sessions() as session:
        names = queries.staff_names(session)
    if len(given.label) > MAX_LABEL or (given.navigator and given.navigator not in names):
        return person_page(person_id, BAD_LABEL, 400)
    with transaction(svc.sessions) as session:
        if not staff.label(session, person_id, given, who, svc.clock()):
            abort(404)
    flash("Label saved.")
    return _back(person_id)


@bp.post("/people/<int(max=2147483647):person_id>/<action>")
@staff_only
def act(person_id: int, action: str) -> ResponseReturnValue:
    """Pause, resume, change zone, opt out, erase, or act for the person (visit date,
    records, referral): one transaction with its log entry."""
    svc, who = services(), current_staff()
    now = svc.clock()
    form = request.form
    zone, date, records = form.get("timezone", ""), _date(form.get("date", ""), now), _records()
    problem = _problem(action, zone, date, records)
    if problem:
        return person_page(person_id, problem, 400) if action in ACTED_FOR else abort(400, problem)
    with transaction(svc.sessions) as session:
        done = staff.act(
            session, svc.machine, person_id, action, who, now, zone, date=date, records=records
        )
        if not done:
            abort(404)
    log.info("staff %s: %s on person %s", who, action, person_id)
    flash(DONE.get(action, "Done."))
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


def _problem(action: str, zone: str, date: dt.date | None, records: frozenset[int]) -> str:
    """Why the form cannot be carried out, in words; "" when it can."""
    if action not in staff.ACTIONS:
        return "unknown action"
    if action == "timezone" and zone not in ZONES:
        return "unknown time zone"
    if action == "erase" and request.form.get("confirm") != "erase":
        return "missing confirmation"
    if action == "visit-date" and date is None:
        return f"A visit date from today to {MAX_AHEAD.days} days ahead, like 2027-01-15."
    if action == "records" and not records:
        return "Tick the records the person has now."
    return ""


def _date(given: str, now: dt.datetime) -> dt.date | None:
    """A visit date staff typed: a real day, from a month back (a correction) to a year on."""
    try:
        day = dt.date.fromisoformat(given.strip()[:10])
    except ValueError:
        return None
    today = now.date()
    return day if today - MAX_BACK <= day <= today + MAX_AHEAD else None


def _records() -> frozenset[int]:
    ticked = request.form.getlist("record")[: len(RECORD_ITEMS)]
    return frozenset(int(n) for n in ticked if n.isdigit() and int(n) in RECORD_ITEMS)


def _back(person_id: int) -> Response:
    return redirect(url_for("admin.person", person_id=person_id), code=303)
