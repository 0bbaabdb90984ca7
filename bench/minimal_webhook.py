"""A minimal hand-written inbound-SMS webhook: the floor bench/inbound.py compares against.

It does the database work of /twilio/sms by hand, with no ORM, no flow machine and no
phone-number parsing: check X-Twilio-Signature with twilio's RequestValidator, then in
ONE transaction on one psycopg connection per worker thread: upsert and lock the conversation
row (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, which takes the row lock), insert
the inbound message, insert the reply, commit; answer a TwiML string.

Not part of the service. Run it like the real app (the Procfile's gunicorn settings: gthread,
8 threads per worker, so each thread keeps its own connection):

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/secondopinion_bench_inbound \\
    TWILIO_AUTH_TOKEN=... PUBLIC_BASE_URL=https://secondopinion.example.org \\
    gunicorn --config gunicorn.conf.py --workers 2 --pythonpath bench 'minimal_webhook:create_app()'
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from xml.sax.saxutils import escape

import psycopg
from flask import Flask, Response, abort, request
from twilio.request_validator import RequestValidator

REPLY = "Reply PHRASES for ways to ask your doctor, RECORDS for your checklist, HELP for help."
TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>{}</Message></Response>'

UPSERT = """
INSERT INTO conversations (phone, language, step, status, date_deferred, referral,
    records_done, phrase_index, timezone, created_at, updated_at)
VALUES (%(phone)s, 'en', 'language', 'new', false, 'unknown', '', 0, 'America/New_York',
    %(now)s, %(now)s)
ON CONFLICT (phone) DO UPDATE SET updated_at = EXCLUDED.updated_at
RETURNING id
"""
INSERT_IN = """
INSERT INTO messages (conversation_id, direction, sid, body, status, created_at)
VALUES (%(conv)s, 'in', %(sid)s, %(body)s, 'received', %(now)s)
RETURNING id
"""
INSERT_REPLY = """
INSERT INTO messages (conversation_id, direction, body, key, language, status, reply_to_id,
    created_at)
VALUES (%(conv)s, 'out', %(body)s, 'menu', 'en', 'replied', %(reply_to)s, %(now)s)
"""


def _conninfo(url: str) -> str:
    """postgresql+psycopg://... (SQLAlchemy form, as DATABASE_URL is) -> libpq URL."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def create_app() -> Flask:
    app = Flask(__name__)
    conninfo = _conninfo(os.environ["DATABASE_URL"])
    validator = RequestValidator(os.environ["TWILIO_AUTH_TOKEN"])
    base = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
    state = threading.local()

    def connection() -> psycopg.Connection:
        """One connection per worker thread, opened after the fork, reopened if broken."""
        conn: psycopg.Connection | None = getattr(state, "conn", None)
        if conn is None or conn.closed or conn.broken:
            conn = state.conn = psycopg.connect(conninfo)
        return conn

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        url = f"{base}{request.path}" if base else request.url
        if not validator.validate(url, request.form, request.headers.get("X-Twilio-Signature", "")):
            abort(403)
        phone, sid = request.form.get("From", ""), request.form.get("MessageSid", "")
        if not phone or not sid:
            abort(400)
        now = dt.datetime.now(dt.UTC)
        with connection().transaction() as tx:
            cur = tx.connection.cursor()
            conv = cur.execute(UPSERT, {"phone": phone, "now": now}).fetchone()[0]  # type: ignore[index]
            params = {"conv": conv, "sid": sid, "body": request.form.get("Body", ""), "now": now}
            inbound = cur.execute(INSERT_IN, params).fetchone()[0]  # type: ignore[index]
            cur.execute(
                INSERT_REPLY, {"conv": conv, "body": REPLY, "reply_to": inbound, "now": now}
            )
        return Response(TWIML.format(escape(REPLY)), mimetype="text/xml")

    return app
