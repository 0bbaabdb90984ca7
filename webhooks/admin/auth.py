"""Signing in and out; one answer for every refusal, so it tells nothing about accounts."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from secondopinion.sign_in import sign_in, sign_out
from store.db import transaction
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.current import services
from webhooks.inputs import clean

MAX_NAME = 64

REFUSED = "That name and password do not match, or there were too many tries: wait a little."


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_template("admin/login.html", error=None)


@bp.post("/login")
def login_post() -> ResponseReturnValue:
    svc = services()
    name = clean(request.form.get("username", ""), MAX_NAME)  # no NUL into a query
    password = request.form.get("password", "")
    with transaction(svc.sessions) as db:
        opened = sign_in(db, name, password, _address(), svc.clock())
    if opened is None:
        return render_template("admin/login.html", error=REFUSED), 401
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
