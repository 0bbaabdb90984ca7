"""Every /admin page, gathered on one blueprint."""

from webhooks.admin import auth, content, formats, inbox, people, program
from webhooks.admin.blueprint import bp

__all__ = ["auth", "bp", "content", "formats", "inbox", "people", "program"]
