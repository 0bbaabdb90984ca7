"""The framework's own ceiling for bench/inbound.py: Flask answering fixed TwiML, nothing else.

No signature check, no form parsing, no database: what gunicorn and Flask cost per request
on their own, under the same gunicorn settings as the real app. Not part of the service.

    gunicorn --config gunicorn.conf.py --workers 2 --pythonpath bench 'bare_webhook:create_app()'
"""

from __future__ import annotations

from flask import Flask, Response

TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Reply PHRASES for ways to ask '
    "your doctor, RECORDS for your checklist, HELP for help.</Message></Response>"
)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/twilio/sms")
    def inbound_sms() -> Response:
        return Response(TWIML, mimetype="text/xml")

    return app
