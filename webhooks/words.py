"""Words for pages: code names in plain words from the content catalogues, and times in
the zone of the person they belong to, with the zone named."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask
from markupsafe import Markup, escape

from flows.language import Language
from webhooks.admin.zones import zone_name
from webhooks.current import services

STAFF_LANGUAGE = Language.EN  # the dashboard speaks English; the simulator, the patient's


def label(value: object, group: str, language: str = STAFF_LANGUAGE.value) -> str:
    """`opted_out` -> "Stopped texts": the catalogue's words for a code name."""
    catalogue = services().machine.content[Language(language)]
    return catalogue.label(group, value)


def twilio_error(code: int | None, language: str = STAFF_LANGUAGE.value) -> str:
    """ "Error 30003: The phone is off or out of reach." - what a Twilio error code means."""
    if code is None:
        return ""
    catalogue = services().machine.content[Language(language)]
    meaning = catalogue.labels.get("error", {}).get(str(code)) or catalogue.label("error", "other")
    return f"Error {code}: {meaning}"


def local(at: dt.datetime | None, zone: str, pattern: str = "%a %b %d, %H:%M") -> Markup:
    """A moment in `zone`, the zone named ("Mon Dec 14, 17:00 PST"), in a <time> element
    whose datetime the page's script can show in the reader's own zone as well."""
    if at is None:
        return Markup("—")
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    there = at.astimezone(ZoneInfo(zone))
    text = f"{there.strftime(pattern)} {there.tzname()}"
    stamp = at.astimezone(dt.UTC).isoformat(timespec="seconds")
    return Markup('<time datetime="{}" data-zone="{}">{}</time>').format(stamp, escape(zone), text)


def init_app(app: Flask) -> None:
    app.add_template_filter(label, "label")
    app.add_template_filter(twilio_error, "twilio_error")
    app.add_template_filter(local, "local")
    app.add_template_global(zone_name, "zone_name")
