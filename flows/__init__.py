"""The domain, pure: conversation rules, content and dates. No Flask, Celery, network or clock."""

from flows.content import Content, load_content
from flows.content.render import Program, Reply, render
from flows.conversation.machine import Event, Machine
from flows.conversation.outcome import Consent, ConsentKind, InboundText, Outcome
from flows.conversation.state import Conversation, Referral, Status, Step
from flows.language import Language

__all__ = [
    "Consent",
    "ConsentKind",
    "Content",
    "Conversation",
    "Event",
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
