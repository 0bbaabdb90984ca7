"""The program view and the consent ledger as CSV."""

from __future__ import annotations

import csv
import io

from flask import Response, render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from secondopinion import health
from store.models import ConsentEventRow
from webhooks.admin import stats
from webhooks.admin.blueprint import bp, staff_only
from webhooks.current import services

LEDGER_COLUMNS = ("at", "phone", "kind", "channel", "words", "shown_text", "message_sid")


@bp.get("/program")
@staff_only
def program() -> ResponseReturnValue:
    svc = services()
    now = svc.clock()
    with svc.sessions() as session:
        summary = stats.summary(session, now)
        jobs = health.checks(session, svc.settings, now)
    return render_template(
        "admin/program.html",
        s=summary,
        lines=stats.chart(summary),
        series=stats.SERIES,
        jobs=jobs,
    )


@bp.get("/consent.csv")
@staff_only
def consent_csv() -> ResponseReturnValue:
    """Every opt-in and opt-out with the exact words and text shown: what a regulator asks for."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEDGER_COLUMNS)
    with services().sessions() as session:
        query = select(ConsentEventRow).order_by(ConsentEventRow.at, ConsentEventRow.id)
        for event in session.scalars(query):
            writer.writerow(
                [
                    event.at.isoformat(),
                    event.phone,
                    event.kind,
                    event.channel,
                    _cell(event.words),
                    _cell(event.shown_text),
                    event.message_sid or "",
                ]
            )
    headers = {"Content-Disposition": "attachment; filename=consent-ledger.csv"}
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)


def _cell(text: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote it as text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
