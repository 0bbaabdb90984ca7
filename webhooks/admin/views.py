"""Every /admin page, gathered on one blueprint."""

from webhooks.admin import audit, auth, content, formats, inbox, people, program
from webhooks.admin.blueprint import bp

__all__ = ["audit", "auth", "bp", "content", "formats", "inbox", "people", "program"]
