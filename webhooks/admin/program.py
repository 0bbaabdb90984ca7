"""The program view and the consent ledger as CSV."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from secondopinion import health
from store.models import ConsentEventRow, SandboxRow
from webhooks.admin import funnel, inbox_queries, stats
from webhooks.admin.blueprint import bp, staff_only
from webhooks.admin.spreadsheet import cell, csv_response
from webhooks.current import services

LEDGER_COLUMNS = ("at", "phone", "kind", "channel", "words", "shown_text", "message_sid")


@bp.get("/program")
@staff_only
def program() -> ResponseReturnValue:
    svc = services()
    now, limit = svc.clock(), svc.settings.case_flag_after
    with svc.sessions() as session:
        summary = stats.summary(session, now)
        inbox = inbox_queries.summary(session, now, limit)
        funnels = funnel.funnels(session, svc.settings.program_timezone)
        jobs = health.checks(session, svc.settings, now)
    return render_template(
        "admin/program.html",
        s=summary,
        chart=stats.chart(summary),
        series=stats.SERIES,
        inbox=inbox,
        limit=limit,
        funnels=funnels,
        steps=funnel.STEP_NAMES,
        jobs=jobs,
    )


@bp.get("/consent.csv")
@staff_only
def consent_csv() -> ResponseReturnValue:
    """Every opt-in and opt-out with the exact words and text shown: what a regulator asks for."""
    with services().sessions() as session:
        query = (
            select(ConsentEventRow)
            .where(ConsentEventRow.phone.not_in(select(SandboxRow.phone)))  # pretend numbers
            .order_by(ConsentEventRow.at, ConsentEventRow.id)
        )
        rows = [
            (
                e.at.isoformat(),
                e.phone,
                e.kind,
                e.channel,
                cell(e.words),
                cell(e.shown_text),
                e.message_sid,
            )
            for e in session.scalars(query)
        ]
    return csv_response(LEDGER_COLUMNS, rows, "consent-ledger.csv")
