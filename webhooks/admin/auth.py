"""Signing in and out; the account locks after repeated wrong passwords."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from store.db import transaction
from store.staff import LOCKOUT, Login, authenticate
from webhooks.admin.blueprint import bp
from webhooks.current import services

MESSAGES = {
    Login.BAD: "That name and password do not match.",
    Login.LOCKED: f"Too many tries: this account is locked for {LOCKOUT.seconds // 60} minutes.",
}


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("admin/login.html", error=None)


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    svc = services()
    with transaction(svc.sessions) as db:
        result = authenticate(
            db, request.form.get("username", ""), request.form.get("password", ""), svc.clock()
        )
    if result.outcome is not Login.OK:
        return render_template("admin/login.html", error=MESSAGES[result.outcome]), 401
    session.clear()  # a new session on sign-in: nothing set before it carries over
    session["staff"] = result.username
    target = request.args.get("next", "")
    safe = target.startswith("/admin") and not target.startswith("//")
    return redirect(target if safe else url_for("admin.people"), code=303)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    session.clear()
    return redirect(url_for("admin.login"), code=303)
