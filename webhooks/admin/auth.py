"""Signing in and out, and changing one's own password. A refusal says how many tries are
left and when the next may be made: counted for the name as typed from this address, so
the answer is the same whether or not that account exists."""

from __future__ import annotations

import datetime as dt
import math

from flask import flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from secondopinion.sign_in import Refused, change_password, sign_in, sign_out
from store.db import transaction
from store.staff import MIN_PASSWORD
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.current import services
from webhooks.inputs import clean

MAX_NAME = 64
MAX_PASSWORD = 200  # hashing a longer one is work an attacker could ask for

NO_MATCH = "That name and password do not match."


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("admin/login.html", error=None, name="")


def refusal(refused: Refused, now: dt.datetime) -> str:
    """ "That name and password do not match. 2 more tries before a short wait." or
    "... Wait 16 seconds before trying again." - the same for every name."""
    if refused.wait_until is not None and refused.wait_until > now:
        wait = _span(refused.wait_until - now)
        return f"Not signed in: too many tries with this name. Wait {wait}, then try again."
    if refused.tries_left:
        plural = "try" if refused.tries_left == 1 else "tries"
        return f"{NO_MATCH} {refused.tries_left} more {plural} before a short wait."
    return NO_MATCH


def _span(delta: dt.timedelta) -> str:
    seconds = max(1, math.ceil(delta.total_seconds()))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds > 1 else ''}"
    return f"{math.ceil(seconds / 60)} minutes"


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    svc = services()
    name = clean(request.form.get("username", ""), MAX_NAME)  # no NUL into a query
    password = request.form.get("password", "")
    now = svc.clock()
    with transaction(svc.sessions) as db:
        opened = sign_in(db, name, password, _address(), now)
    if isinstance(opened, Refused):
        page = render_template("admin/login.html", error=refusal(opened, now), name=name)
        return page, 401
    session.clear()  # a new session on sign-in: nothing set before it carries over
    session.permanent = True
    session["staff"], session["sid"] = opened
    target = request.args.get("next", "")
    safe = target.startswith("/admin") and not target.startswith("//") and _plain(target)
    return redirect(target if safe else url_for("admin.people"), code=303)


@bp.post("/logout")
@staff_only
def logout() -> ResponseReturnValue:
    svc = services()
    with transaction(svc.sessions) as db:
        sign_out(db, current_staff(), session.get("sid", ""), _address(), svc.clock())
    session.clear()
    return redirect(url_for("admin.login"), code=303)


def _address() -> str:
    return request.remote_addr or "unknown"


def _plain(target: str) -> bool:
    """No dot segments or backslashes that a browser might read as another place."""
    return ".." not in target and "\\" not in target


@bp.get("/account")
@staff_only
def account() -> ResponseReturnValue:
    return render_template("admin/account.html", error=None, min_password=MIN_PASSWORD)


@bp.post("/account")
@staff_only
def account_post() -> ResponseReturnValue:
    """Change one's own password; every other session of this account ends."""
    svc, form, now = services(), request.form, services().clock()
    new, again = form.get("new_password", ""), form.get("again", "")
    problem = ""
    if len(new) < MIN_PASSWORD or len(new) > MAX_PASSWORD:
        problem = f"The new password needs {MIN_PASSWORD} to {MAX_PASSWORD} characters."
    elif new != again:
        problem = "The two new passwords differ."
    if not problem:
        with transaction(svc.sessions) as db:
            refused = change_password(
                db, current_staff(), session.get("sid", ""), form.get("current", ""), new,
                _address(), now,
            )  # fmt: skip
        problem = refusal(refused, now).replace("name and password", "password") if refused else ""
    if problem:
        page = render_template("admin/account.html", error=problem, min_password=MIN_PASSWORD)
        return page, 400
    flash("Password changed. You were signed out everywhere else.")
    return redirect(url_for("admin.account"), code=303)
