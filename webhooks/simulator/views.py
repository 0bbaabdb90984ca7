"""/simulator: pick a fictional number, text the program, and move that phone's clock."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from flows.phones import guess_timezone
from flows.reminders.window import Wait
from secondopinion import sandbox as gateway
from store.db import transaction
from store.sandbox import is_fictional, offset, open_sandbox, set_clock
from webhooks.admin import csrf
from webhooks.current import services
from webhooks.simulator import phone
from webhooks.simulator.bubbles import screen

bp = Blueprint(
    "simulator",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/simulator/static",
)
bp.before_request(csrf.protect)
bp.context_processor(lambda: {"csrf_token": csrf.token})

# Area codes with a single time zone each, so the number alone sets the patient's zone.
AREAS = {
    "212": "New York",
    "312": "Chicago",
    "303": "Denver",
    "602": "Phoenix",
    "213": "Los Angeles",
    "808": "Honolulu",
    "787": "Puerto Rico",
}
MAX_JUMP = {"hours": 24 * 14, "days": 120}
BAD_JUMP = (
    f"Ahead by 1 to {MAX_JUMP['hours']} hours, or 1 to {MAX_JUMP['days']} days."
    f" · Adelante de 1 a {MAX_JUMP['hours']} horas, o de 1 a {MAX_JUMP['days']} días."
)
NOTICES = frozenset(
    ["not_joined", "paused", "nothing_left", "nothing_to_say", "later", *(w.value for w in Wait)]
)


def sandbox_number(digits: str) -> str:
    """The sandbox behind a URL, or 404: only fictional numbers that were opened here."""
    number = "+" + digits
    if not is_fictional(number):
        abort(404)
    with services().sessions() as session:
        if offset(session, number) is None:
            abort(404)
    return number


def _now(number: str) -> tuple[dt.datetime, dt.datetime]:
    """The real time and the sandbox's time."""
    svc = services()
    real = svc.clock()
    with svc.sessions() as session:
        return real, real + (offset(session, number) or dt.timedelta(0))


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("simulator.pick"))


@bp.get("/simulator")
def pick() -> ResponseReturnValue:
    suggested = f"{random.randint(1, 99):02d}"
    return render_template("simulator/pick.html", areas=AREAS, suggested=suggested)


@bp.post("/simulator")
def open_phone() -> ResponseReturnValue:
    area, last = request.form.get("area", ""), request.form.get("last", "")
    if area not in AREAS or not last.isdigit() or not 1 <= int(last) <= 99:
        abort(400, "pick an area code and a number from 01 to 99")
    number = f"+1{area}55501{int(last):02d}"
    svc = services()
    with transaction(svc.sessions) as session:
        open_sandbox(session, number, svc.clock())
    return redirect(url_for("simulator.phone_page", digits=number[1:]), code=303)


@bp.get("/simulator/<digits>")
def phone_page(digits: str) -> ResponseReturnValue:
    number = sandbox_number(digits)
    notice = request.args.get("notice", "")
    return render_template("simulator/phone.html", **_view(number, notice))


def _view(number: str, notice: str = "", error: str = "") -> dict[str, object]:
    svc = services()
    _, now = _now(number)
    zone = guess_timezone(number, svc.settings.program_timezone)
    with svc.sessions() as session:
        shown = screen(session, number, zone)
    local = now.astimezone(ZoneInfo(shown.zone))
    return {
        "number": number,
        "digits": number[1:],
        "screen": shown,
        "now": local,
        "notice": notice if notice in NOTICES else "",
        "error": error,
        "max_jump": MAX_JUMP,
    }


def _fetched() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _answer(number: str, notice: str = "") -> ResponseReturnValue:
    """The screen for the page's script; for a plain form post, back to the page (so a
    reload never sends the form again), with what to say in the address."""
    if _fetched():
        return render_template("simulator/screen.html", **_view(number, notice))
    target = url_for("simulator.phone_page", digits=number[1:], notice=notice or None)
    return redirect(target, code=303)


@bp.post("/simulator/<digits>/text")
def send_text(digits: str) -> ResponseReturnValue:
    number = sandbox_number(digits)
    body = request.form.get("body", "").strip()
    if body:
        phone.text(number, body[:1600])
    return _answer(number)


@bp.post("/simulator/<digits>/tick")
def tick(digits: str) -> ResponseReturnValue:
    """Send what has fallen due on the sandbox's clock (the page asks every few seconds)."""
    number = sandbox_number(digits)
    _move(number, None)
    return _answer(number)


@bp.post("/simulator/<digits>/jump")
def jump(digits: str) -> ResponseReturnValue:
    """The next reminder, or ahead by hours or days; says why when nothing was sent."""
    number = sandbox_number(digits)
    how = request.form.get("how", "next")
    amount = request.form.get("amount", "1").strip()
    if how == "next":
        return _answer(number, _move(number, "next"))
    if how in MAX_JUMP and amount.isdigit() and 1 <= int(amount) <= MAX_JUMP[how]:
        _move(number, dt.timedelta(**{how: int(amount)}))
        return _answer(number)
    if _fetched():
        return BAD_JUMP, 400, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("simulator/phone.html", **_view(number, error=BAD_JUMP)), 400


def _move(number: str, by: dt.timedelta | str | None) -> str:
    """Run the sandbox's clock forward, sending each reminder when it falls due; for the
    next reminder, why nothing went when no text did ("" when one did)."""
    svc = services()
    conversation = gateway.conversation_id(svc, number)
    real, now = _now(number)
    target = now
    if isinstance(by, dt.timedelta):
        target = now + by
    elif by == "next" and conversation is not None:
        target = max(now, gateway.next_due(svc, conversation) or now)
    with transaction(svc.sessions) as session:
        set_clock(session, number, real, target)
    sender = gateway.SandboxSender()
    outcomes = gateway.walk(svc, conversation, now, target, sender) if conversation else []
    for to, sid in sender.texts:
        phone.report(to, sid, "delivered")
    if by != "next" or sender.texts:
        return ""
    return gateway.why_nothing_went(svc, conversation, target, outcomes)
