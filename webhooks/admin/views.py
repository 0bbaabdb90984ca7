"""Every /admin page, gathered on one blueprint."""

from webhooks.admin import audit, auth, content, enrol, formats, inbox, people, program
from webhooks.admin.blueprint import bp

__all__ = ["audit", "auth", "bp", "content", "enrol", "formats", "inbox", "people", "program"]
