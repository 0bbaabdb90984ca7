"""Whatever people text, in whatever order: the machine answers safely and keeps its promises."""

from __future__ import annotations

import datetime as dt

from flowkit import CONTENT, NOW, PROGRAM, consent_kind, keywords, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows import (
    ConsentKind,
    Conversation,
    InboundText,
    Language,
    Machine,
    Referral,
    Status,
    Step,
    render,
)
from flows.content.segments import count_segments

MACHINE = Machine(CONTENT)

# --- What people text ------------------------------------------------------------------------

CATALOGUE_WORDS = sorted(
    {
        word
        for catalogue in CONTENT.catalogues.values()
        for family in catalogue.keywords.values()
        for word in family
    }
)
SPELLINGS = [
    "second",
    " Second ",
    "Ségunda",
    "español",
    "Inglés",
    "sí",
    "no sé",
    "todavía no",
    "menú",
    "stop!",
    "please stop texting me",
    "no más mensajes",
    "no me manden mensajes",
    "DONE 1,3",
    "LISTO 2",
    "done all",
    "listo todo",
    "DONE 9",
]
DATES = [
    "12/15",
    "Dec 15",
    "december 15th",
    "15 de diciembre",
    "el 3 de enero",
    "tomorrow",
    "mañana",
    "next tuesday",
    "el próximo martes",
    "11/20/2026",
    "12/15/2027",
    "today",
    "2/29",
    "12/15/99999",
    "en 100000 dias",
]
FRAGMENTS = [
    "",
    " ",
    "1",
    "2",
    "3",
    "0",
    "🙂",
    "👍🏽",
    "🛑",
    "x" * 1_600,
    "ñ" * 1_600,
    "\x00",
    "\x07\x1b[2J",
    "\r\n",
    "\u200b",
    "\ufeff",
    "\uff33\uff34\uff2f\uff30",  # STOP in full-width letters
    "<script>alert(1)</script>",
    "<b>HELP</b>",
    "'; DROP TABLE conversations; --",
    "' OR 1=1 --",
    "{program}",
    "{0}",
    "%s",
]

texts = st.one_of(
    st.sampled_from(CATALOGUE_WORDS),
    st.sampled_from(SPELLINGS),
    st.sampled_from(DATES),
    st.sampled_from(FRAGMENTS),
    st.integers(min_value=0, max_value=99_999).map(str),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    st.builds(
        lambda a, b: f"{a} {b}",
        st.sampled_from(CATALOGUE_WORDS),
        st.sampled_from([*DATES, "1", "2", "ALL", "🙂"]),
    ),
)

# --- Where they start ------------------------------------------------------------------------

days = st.dates(min_value=dt.date(2026, 11, 25), max_value=dt.date(2027, 11, 25))
conversations = st.builds(
    Conversation,
    language=st.sampled_from(Language),
    step=st.sampled_from(Step),
    status=st.sampled_from(Status),
    appointment=st.none() | days,
    pending_date=days,
    date_deferred=st.booleans(),
    referral=st.sampled_from(Referral),
    records_done=st.frozensets(st.sampled_from((1, 2, 3, 4))),
    phrase_index=st.integers(min_value=0, max_value=1_000),
    timezone=st.sampled_from(["America/New_York", "America/Los_Angeles", "Pacific/Honolulu"]),
)
starts = st.one_of(
    st.just(Conversation()),  # never joined
    st.builds(Conversation, language=st.sampled_from(Language)),
    conversations,
)
moments = st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)

# --- What counts as what, read independently of the machine ----------------------------------

ENROL = keywords("enrol")
HELP = keywords("help")
OPT_IN = keywords("opt_in")
OPT_OUT = keywords("opt_out")
TO_ENGLISH = keywords("lang_en")
TO_SPANISH = keywords("lang_es")
ENROLLED = frozenset(Status) - {Status.NEW, Status.OPTED_OUT}  # everyone who joined and stayed
LANGUAGE_OF_STOP_WORD = {
    plain(word): language for language in Language for word in CONTENT[language].keywords["opt_out"]
}


def may_change_language(before: Conversation, text: str) -> bool:
    """A language command, 1/2 at the language question, or the enrolment keyword.

    Also the one place the machine picks a language by itself: a stop word from a number
    that never joined is confirmed in the stop word's language.
    """
    word = plain(text)
    if word in ENROL or word in TO_ENGLISH or word in TO_SPANISH:
        return True
    if before.status in ENROLLED and before.step is Step.LANGUAGE and word in {"1", "2"}:
        return True
    return before.status is Status.NEW and word in LANGUAGE_OF_STOP_WORD


# --- The properties --------------------------------------------------------------------------

FAST = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def check_one_text(before: Conversation, text: str, now: dt.datetime) -> Conversation:
    outcome = MACHINE.step(before, InboundText(text), now)
    after = outcome.conversation
    word = plain(text)

    # A reply to someone enrolled is in their language; every reply fits its budget.
    if outcome.reply is not None and after.status is Status.ACTIVE:
        assert outcome.reply.language is after.language, (before, text, outcome.reply)
    if outcome.reply is not None:
        rendered = render(CONTENT, PROGRAM, outcome.reply)
        budget = CONTENT[outcome.reply.language].budget(outcome.reply.key)
        assert rendered.strip()
        assert count_segments(rendered).segments <= budget, (outcome.reply, rendered)

    # The language changes only when the person asked for it.
    if after.language is not before.language:
        not_joined = before.status in (Status.NEW, Status.CONFIRMING)
        stopped_before_joining = not_joined and after.status is Status.OPTED_OUT
        assert may_change_language(before, text) or stopped_before_joining, (before, text)

    # Enrolled people always get an answer; HELP always gets one, everywhere.
    if before.status in ENROLLED:
        assert outcome.reply is not None, (before, text)
    if word in HELP:
        assert outcome.reply is not None and outcome.reply.key == "help"

    # After an opt-out, silence until a re-subscribe word or the keyword (HELP aside).
    if before.status is Status.OPTED_OUT and outcome.reply is not None:
        assert word in HELP | OPT_IN | ENROL, (text, outcome.reply)
    if before.status is Status.OPTED_OUT and word not in OPT_IN | ENROL:
        assert after.status is Status.OPTED_OUT

    # The consent ledger hears of every change of standing, and only of those.
    outside = (Status.NEW, Status.OPTED_OUT, Status.CONFIRMING)  # not (or no longer) enrolled
    joined = before.status in outside and after.status is Status.ACTIVE
    left = before.status is not Status.OPTED_OUT and after.status is Status.OPTED_OUT
    assert (consent_kind(outcome) is ConsentKind.OPT_IN) == joined
    assert (consent_kind(outcome) is ConsentKind.OPT_OUT) == left
    if outcome.consent is not None:
        assert outcome.reminders.plan is not None

    # A conversation at the date check always has a date to check.
    if after.step is Step.DATE_CONFIRM and before.pending_date is not None:
        assert after.pending_date is not None
    return after


@FAST
@given(start=starts, sequence=st.lists(texts, max_size=8), now=moments)
def test_any_sequence_of_texts_is_answered_safely(start, sequence, now):
    conversation = start
    for text in sequence:
        conversation = check_one_text(conversation, text, now)


@FAST
@given(
    language=st.sampled_from(Language),
    before=st.lists(texts, max_size=4),
    stop=st.sampled_from([*sorted(OPT_OUT), "please stop texting me", "no más mensajes"]),
    after=st.lists(texts, max_size=6),
)
def test_after_stop_only_help_start_or_the_keyword_get_an_answer(language, before, stop, after):
    keyword = "SECOND" if language is Language.EN else "SEGUNDA"
    conversation = Conversation()
    for text in [keyword, *before]:
        conversation = MACHINE.step(conversation, InboundText(text), NOW).conversation
    stopped = MACHINE.step(conversation, InboundText(stop), NOW)
    if conversation.status is Status.OPTED_OUT:
        return  # one of the texts before was already a stop
    assert stopped.conversation.status is Status.OPTED_OUT
    assert stopped.reply is not None and stopped.reply.key == "opted_out"

    conversation = stopped.conversation
    for text in after:
        word = plain(text)
        outcome = MACHINE.step(conversation, InboundText(text), NOW)
        if word in HELP:
            assert outcome.reply is not None and outcome.reply.key == "help"
        elif word in OPT_IN | ENROL:
            assert outcome.conversation.status is Status.ACTIVE
            assert consent_kind(outcome) is ConsentKind.OPT_IN
            break
        else:
            assert outcome.reply is None, text
            assert outcome.conversation == conversation
        conversation = outcome.conversation


@FAST
@given(text=texts)
def test_reading_a_text_never_raises_and_is_the_same_every_time(text):
    first = MACHINE.keywords.read(text)
    assert MACHINE.keywords.read(text) == first


@FAST
@given(start=conversations, sequence=st.lists(texts, min_size=1, max_size=6))
def test_a_message_about_a_date_always_names_the_date(start, sequence):
    conversation = start
    for text in sequence:
        outcome = MACHINE.step(conversation, InboundText(text), NOW)
        if outcome.reply is not None:
            template = CONTENT[outcome.reply.language].sms[outcome.reply.key]
            if "{date}" in template:
                assert outcome.reply.date is not None, (conversation, text, outcome.reply)
        conversation = outcome.conversation
