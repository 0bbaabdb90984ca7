"""Every /admin page, gathered on one blueprint."""

from webhooks.admin import auth, content, people, program
from webhooks.admin.blueprint import bp

__all__ = ["auth", "bp", "content", "people", "program"]
