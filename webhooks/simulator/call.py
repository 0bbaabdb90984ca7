"""The simulator's call: ring the phone menu and press keys, each a form post answered by a
redirect to the call's page, so reloading it shows the same words and presses nothing.

What was last said on the call is kept in the browser's signed session, per phone.
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from twilio_double import Turn
from webhooks.simulator import phone
from webhooks.simulator.views import bp, sandbox_number

KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#")
SESSION_KEY = "call"  # {"digits", "said", "next", "dialled"} of the call on screen


@bp.post("/simulator/<digits>/call")
def call(digits: str) -> ResponseReturnValue:
    """Ring the phone menu (no key), or press a key on it; then show the call's page."""
    number = sandbox_number(digits)
    key, next_path = request.form.get("key"), request.form.get("next", "")
    if key is not None and (len(key) > 1 or (key and key not in KEYS)):
        abort(400, "one key of the keypad")
    try:
        turn = phone.ring(number) if key is None else phone.press(number, next_path, key)
    except ValueError:
        abort(400, "not a step of the phone menu")
    session[SESSION_KEY] = _kept(digits, turn, key)
    return redirect(url_for("simulator.call_page", digits=digits), code=303)


@bp.get("/simulator/<digits>/call")
def call_page(digits: str) -> ResponseReturnValue:
    """The call on screen for this phone, or a button to start one."""
    number = sandbox_number(digits)
    kept = session.get(SESSION_KEY)
    turn = kept if isinstance(kept, dict) and kept.get("digits") == digits else None
    return render_template(
        "simulator/call.html", number=number, digits=digits, turn=turn, keys=KEYS
    )


def _kept(digits: str, turn: Turn, key: str | None) -> dict[str, object]:
    return {
        "digits": digits,
        "said": [list(pair) for pair in turn.said],
        "next": turn.next_path,
        "dialled": turn.dialled,
        "pressed": key,
    }
