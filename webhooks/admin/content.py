"""Content: every message in both languages side by side, with encoding and segments."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from flows import Language
from flows.content.check import Row, check
from webhooks.admin.blueprint import bp, staff_only
from webhooks.current import services


@bp.get("/content")
@staff_only
def content() -> ResponseReturnValue:
    svc = services()
    report = check(svc.machine.content, svc.machine.program)
    rows: dict[str, dict[Language, Row]] = {}
    for row in report.rows:
        rows.setdefault(row.key, {})[row.language] = row
    texts = {lang: svc.machine.content[lang].sms for lang in (Language.EN, Language.ES)}
    return render_template(
        "admin/content.html", rows=rows, texts=texts, problems=report.problems, langs=list(texts)
    )
