"""The inbox: open cases oldest first; a case's thread; assign to me, answer, close."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from flows.language import Language
from secondopinion.inbox import cases, texts
from secondopinion.inbox.cases import Result
from secondopinion.inbox.texts import Refused
from store import cases as case_store
from store.db import transaction
from webhooks.admin import inbox_queries
from webhooks.admin.blueprint import bp, current_staff, staff_only
from webhooks.admin.texting import REFUSALS, answer_choices, send_outcome, staff_text
from webhooks.current import services

log = logging.getLogger(__name__)


@bp.get("/inbox")
@staff_only
def inbox() -> ResponseReturnValue:
    svc = services()
    limit, now = svc.settings.case_flag_after, svc.clock()
    with svc.sessions() as session:
        items = inbox_queries.open_items(session, now, limit)
        summary = inbox_queries.summary(session, now, limit)
    return render_template("admin/inbox.html", items=items, summary=summary, limit=limit)


@bp.get("/inbox/<int:case_id>")
@staff_only
def case(case_id: int) -> ResponseReturnValue:
    return case_page(case_id)


def case_page(case_id: int, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    svc = services()
    with svc.sessions() as session:
        found = inbox_queries.item(session, case_id, svc.clock(), svc.settings.case_flag_after)
    if found is None:
        abort(404)
    answers = answer_choices(Language(found.language))
    page = render_template(
        "admin/case.html", item=found, answers=answers, error=error, max_text=texts.MAX_TEXT
    )
    return page, status


@bp.post("/inbox/<int:case_id>/text")
@staff_only
def answer(case_id: int) -> ResponseReturnValue:
    svc, who = services(), current_staff()
    with svc.sessions() as session:
        found = case_store.find(session, case_id)
    if found is None:
        abort(404)
    handed = texts.send(svc, found.person, staff_text(), who, case_id)
    if isinstance(handed, Refused):
        message, status = REFUSALS[handed]
        return case_page(case_id, message, status)
    log.info("staff %s answered case %s: %s", who, case_id, handed.outcome)
    flash(send_outcome(handed.outcome))
    return redirect(url_for("admin.case", case_id=case_id), code=303)


@bp.post("/inbox/<int:case_id>/<action>")
@staff_only
def case_action(case_id: int, action: str) -> ResponseReturnValue:
    """Assign to me, or close: one transaction with its log entry."""
    svc, who = services(), current_staff()
    if action not in ("assign", "close"):
        abort(404)
    with transaction(svc.sessions) as session:
        if action == "assign":
            result = cases.assign(session, case_id, who, who, svc.clock())
        else:
            result = cases.close(session, case_id, who, svc.clock())
    if result is Result.NOT_FOUND:
        abort(404)
    if result is Result.CLOSED:
        return case_page(case_id, "This case was already closed.", 409)
    flash("Assigned to you." if action == "assign" else "Case closed.")
    if request.form.get("back") == "inbox":
        return redirect(url_for("admin.inbox"), code=303)
    return redirect(url_for("admin.case", case_id=case_id), code=303)
