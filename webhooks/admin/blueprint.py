"""The /admin blueprint: every page needs a signed-in staff member, every form a CSRF token."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, redirect, request, session, url_for
from sqlalchemy import func, select

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
    """Send anyone not signed in to the login page, then back here."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if not session.get("staff"):
            return redirect(url_for("admin.login", next=request.full_path))
        return view(*args, **kwargs)

    return checked  # type: ignore[return-value]


def current_staff() -> str:
    name: str = session["staff"]
    return name
