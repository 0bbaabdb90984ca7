"""The /admin blueprint: every page needs a signed-in staff member, every form a CSRF token."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import func, select

from store import staff_sessions
from store.db import transaction
from store.models import CaseRow
from webhooks.admin import csrf
from webhooks.current import services

bp = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
View = TypeVar("View", bound=Callable[..., Any])


@bp.before_request
def _guard() -> None:
    if not current_app.secret_key:
        abort(503, "the dashboard needs SECRET_KEY to be set")
    csrf.protect()


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"csrf_token": csrf.token, "staff": session.get("staff"), "open_cases": _open_cases}


def _open_cases() -> int:
    """For the menu: how many cases wait in the inbox (asked only by pages that show it)."""
    with services().sessions() as db:
        return db.scalar(select(func.count()).where(CaseRow.status == "open")) or 0


def staff_only(view: View) -> View:
    """Send anyone without a live server-side session to the login page, then back here."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        name = _signed_in()
        if name is None:
            session.clear()
            return redirect(url_for("admin.login", next=request.full_path))
        g.staff = name
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def _signed_in() -> str | None:
    """Checked against the database on every request: an ended session opens nothing."""
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    svc = services()
    lifetime = dt.timedelta(hours=svc.settings.staff_session_hours)
    idle = dt.timedelta(minutes=svc.settings.staff_idle_minutes)
    with transaction(svc.sessions) as db:
        return staff_sessions.current(db, token, svc.clock(), lifetime, idle)


def current_staff() -> str:
    name: str = g.staff
    return name
