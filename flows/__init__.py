"""The domain, pure: conversation rules, content and dates. No Flask, Celery, network or clock."""

from flows.content import Content, load_content
from flows.machine import Machine
from flows.outcome import ConsentChange, InboundText, Outcome
from flows.replies import Program, Reply, render
from flows.state import Conversation, Language, Referral, Status, Step

__all__ = [
    "ConsentChange",
    "Content",
    "Conversation",
    "InboundText",
    "Language",
    "Machine",
    "Outcome",
    "Program",
    "Referral",
    "Reply",
    "Status",
    "Step",
    "load_content",
    "render",
]
