"""The program's funnel from the milestones table, on the program page and as a CSV file.

The CSV is de-identified: counts and median days per group, never a number, a name, a
label or a word anyone wrote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from flask import Response
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from flows.outcomes.funnel import Funnel, Journey, funnel, grouped
from flows.outcomes.milestones import Milestone
from store.models import ConversationRow, MilestoneRow, SandboxRow
from webhooks.admin.blueprint import bp, staff_only
from webhooks.current import services

STEP_NAMES = {
    Milestone.SIGNED_UP: "Signed up",
    Milestone.DATE_GIVEN: "Gave a visit date",
    Milestone.REFERRAL_RESOLVED: "Referral resolved",
    Milestone.RECORDS_COMPLETE: "Records complete",
    Milestone.VISIT_HAPPENED: "Visit happened",
}
CSV_COLUMNS = ("group_by", "group", "step", "reached", "stopped_here", "median_days_from_previous")


def journeys(session: Session, zone: str) -> list[Journey]:
    """Everyone who signed up, with when they first reached each step."""
    query = select(
        MilestoneRow.conversation_id,
        ConversationRow.language,
        MilestoneRow.milestone,
        MilestoneRow.at,
    ).join(ConversationRow, ConversationRow.id == MilestoneRow.conversation_id)
    query = query.where(ConversationRow.phone.not_in(select(SandboxRow.phone)))  # real people
    people: dict[int, tuple[str, dict[Milestone, dt.datetime]]] = {}
    for person, language, milestone, at in session.execute(query):
        people.setdefault(person, (language, {}))[1][Milestone(milestone)] = at
    tz = ZoneInfo(zone)
    return [
        Journey(language, reached[Milestone.SIGNED_UP].astimezone(tz).strftime("%Y-%m"), reached)
        for language, reached in people.values()
        if Milestone.SIGNED_UP in reached
    ]


def funnels(session: Session, zone: str) -> dict[str, list[Funnel]]:
    """The whole program, by language and by month of sign-up."""
    found = journeys(session, zone)
    return {
        "all": [funnel("everyone", found)],
        "language": grouped(found, lambda j: j.language),
        "month": grouped(found, lambda j: j.month),
    }


def rows(by: dict[str, list[Funnel]]) -> Iterator[tuple[object, ...]]:
    for group_by, groups in by.items():
        for group in groups:
            for stage in group.stages:
                median = "" if stage.median_days is None else stage.median_days
                yield (
                    group_by,
                    group.label,
                    stage.milestone.value,
                    stage.reached,
                    stage.stopped,
                    median,
                )


@bp.get("/funnel.csv")
@staff_only
def funnel_csv() -> ResponseReturnValue:
    svc = services()
    with svc.sessions() as session:
        by = funnels(session, svc.settings.program_timezone)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows(by))
    headers = {"Content-Disposition": "attachment; filename=program-funnel.csv"}
    return Response(out.getvalue(), mimetype="text/csv", headers=headers)
