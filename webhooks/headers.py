"""Security headers on every answer; no caching of anything but static files.

The dashboard and the simulator load only their own scripts and styles (no inline code),
so the Content-Security-Policy needs no 'unsafe-inline', and no page may sit in a frame.
"""

from __future__ import annotations

from flask import Flask, Response, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def init_app(app: Flask) -> None:
    app.after_request(secure)


def secure(response: Response) -> Response:
    response.headers.update(HEADERS)
    if not (request.endpoint or "").endswith(".static"):
        # pages name patients, the CSV lists them: never kept by a browser or a proxy
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
