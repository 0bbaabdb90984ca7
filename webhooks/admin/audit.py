"""The staff audit log as CSV: every sign-in attempt and every action on a person."""

from __future__ import annotations

import datetime as dt

from flask.typing import ResponseReturnValue
from sqlalchemy import select

from store.models import SignInRow, StaffActionRow
from store.sign_ins import PASSWORD_CHANGED
from webhooks.admin.blueprint import bp, staff_only
from webhooks.admin.spreadsheet import cell, csv_response
from webhooks.current import services

AUDIT_COLUMNS = ("at", "staff", "action", "person", "detail", "address")
OUTCOMES = {PASSWORD_CHANGED: "password changed"}


@bp.get("/audit.csv")
@staff_only
def audit_csv() -> ResponseReturnValue:
    """Who paused, resumed, opted out, erased or changed a person; who signed in or failed to."""
    with services().sessions() as session:
        actions: list[tuple[dt.datetime, str, str, object, str, str]] = [
            (a.at, cell(a.username), a.action, a.conversation_id, cell(a.detail), "")
            for a in session.scalars(select(StaffActionRow))
        ]
        sign_ins = [
            (
                s.at,
                cell(s.username),
                OUTCOMES.get(s.outcome, f"sign-in {s.outcome}"),
                "",
                "",
                s.address,
            )
            for s in session.scalars(select(SignInRow))
        ]
    rows = sorted([*actions, *sign_ins], key=lambda row: row[0])
    return csv_response(AUDIT_COLUMNS, [(r[0].isoformat(), *r[1:]) for r in rows], "audit-log.csv")
