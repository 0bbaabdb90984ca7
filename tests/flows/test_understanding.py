"""People write the way they talk: the replies the program understands, table by table."""

from __future__ import annotations

import itertools
import time

import pytest
from flowkit import CONTENT, Patient, at_ready, chat, enrolled, opted_out, plain

from flows import Conversation, Language, Referral, Status, Step
from flows.conversation.keywords import Kind

EN, ES = Language.EN, Language.ES

SIGN_UPS = [
    ("SECOND OPINION", EN),
    ("Second opinion", EN),
    ("second-opinion!", EN),
    ("SEGUNDA OPINIÓN", ES),
    ("segunda opinion", ES),
    ("Segunda Opinión.", ES),
]


@pytest.mark.parametrize(("typed", "language"), SIGN_UPS)
def test_the_whole_name_signs_up_in_its_language(machine, typed, language):
    talk = chat(machine, [typed])

    assert talk.keys == ["consent"]
    assert talk.conversation.status is Status.ACTIVE
    assert talk.conversation.language is language


# (what they type, the checklist items it marks), in both languages.
DONE_TABLE = [
    ("DONE 1 AND 3", {1, 3}),
    ("done 1 and 3", {1, 3}),
    ("DONE 2 & 4", {2, 4}),
    ("DONE NUMBER 2", {2}),
    ("I have 1", {1}),
    ("1, 3", {1, 3}),
    ("1 and 3", {1, 3}),
    ("2 y 4", {2, 4}),
    ("4", {4}),
    ("LISTO 1 Y 3", {1, 3}),
    ("LISTO EL 1", {1}),
    ("listo el 1 y el 3", {1, 3}),
    ("YA TENGO EL 1", {1}),
    ("ya tengo el 2 y el 4", {2, 4}),
    ("TENGO 1", {1}),
    ("TENGO LOS 2", {2}),
    ("LISTA 1", {1}),
    ("Lista 2 y 3", {2, 3}),
    ("LISTA TODO", {1, 2, 3, 4}),
    ("TENGO TODO", {1, 2, 3, 4}),
    ("CONSEGUÍ EL 2", {2}),
    ("ya conseguí 1 y 3", {1, 3}),
    ("ya lo tengo todo", {1, 2, 3, 4}),
]


@pytest.mark.parametrize(("typed", "items"), DONE_TABLE)
@pytest.mark.parametrize("language", [EN, ES])
def test_done_in_the_ways_people_write_it(machine, language, typed, items):
    talk = chat(machine, [typed], start=at_ready(language))

    assert talk.conversation.records_done == frozenset(items), typed
    assert talk.outcome.reply is not None
    assert talk.outcome.reply.key in ("records_progress", "records_all_done")


@pytest.mark.parametrize("typed", ["1/3", "12/15", "1-3", "DONE 1 3 7", "DONE 9"])
def test_a_date_or_a_number_off_the_list_marks_nothing(machine, typed):
    talk = chat(machine, [typed], start=at_ready(EN))

    assert talk.conversation.records_done == frozenset()


@pytest.mark.parametrize("step", [Step.DATE, Step.REFERRAL])
def test_bare_numbers_count_as_records_only_once_setup_is_done(machine, step):
    talk = chat(machine, ["1, 3"], start=enrolled(EN, step))

    assert talk.conversation.records_done == frozenset()


@pytest.mark.parametrize("word", ["LISTA", "LISTO", "TENGO", "lista!", "CONSEGUÍ", "ya lo tengo"])
def test_the_spanish_word_for_done_works_for_everyone(machine, word):
    talk = chat(machine, [word], start=at_ready(ES))

    assert talk.keys == ["records_which"]  # which one? never the list, never "not understood"


SENT_TABLE = [
    "SENT",
    "They sent it",
    "ENVIADO",
    "enviada",
    "YA LO MANDARON",
    "ya la mandaron",
    "Ya lo enviaron",
    "lo mandaron",
    "ya enviaron",
    "Referido enviado",
]


@pytest.mark.parametrize("typed", SENT_TABLE)
def test_a_sent_referral_in_the_ways_people_say_it(machine, typed):
    talk = chat(machine, [typed], start=at_ready(ES, referral=Referral.NEEDED))

    assert talk.keys == ["referral_sent"]
    assert talk.conversation.referral is Referral.SENT


STOP_TABLE = [
    ("STOP", EN),
    ("REVOKE", EN),
    ("REVOCAR", ES),
    ("revocar", ES),
    ("TERMINAR", ES),
    ("Terminar.", ES),
    ("PARAR", ES),
    ("quiero revocar", ES),
    ("DESUSCRIBIRME", ES),
]


@pytest.mark.parametrize(("typed", "language"), STOP_TABLE)
@pytest.mark.parametrize("reader", [EN, ES])
def test_stop_words_in_both_languages_end_everything(machine, reader, typed, language):
    talk = chat(machine, [typed], start=at_ready(reader))

    assert talk.conversation.status is Status.OPTED_OUT
    assert talk.keys == ["opted_out"]


OTHER_WORDS = [
    ("ASEGURANZA", ["ask_referral"]),
    ("remisión", ["ask_referral"]),
    ("PAPELES", ["records"]),
    ("mis papeles", ["records"]),
    ("LLÁMEME", ["calls_on"]),
    ("ENOJO", ["upset"]),
    ("se enojó", ["upset"]),
    ("UPSET", ["upset"]),
    ("my doctor is angry", ["upset"]),
    ("cambiaron mi cita", ["ask_date"]),
    ("cambiar la cita", ["ask_date"]),
    ("mi seguro", ["ask_referral"]),
    ("Seguro médico", ["ask_referral"]),
    ("aseguransa", ["ask_referral"]),
    ("mis documentos", ["records"]),
    ("otra frase", ["phrase"]),
    ("por teléfono", ["calls_on"]),
    ("se puso brava", ["upset"]),
    ("información", ["help"]),
]


@pytest.mark.parametrize(("typed", "keys"), OTHER_WORDS)
def test_everyday_words_reach_their_command(machine, typed, keys):
    assert chat(machine, [typed], start=at_ready(ES)).keys == keys


@pytest.mark.parametrize("typed", ["por mensaje", "mensajes de texto", "Por texto"])
def test_everyday_words_for_texts_switch_calls_back_to_texts(machine, typed):
    talk = chat(machine, [typed], start=at_ready(ES, calls=True))

    assert talk.keys == ["calls_off"]
    assert talk.conversation.calls is False


# (what they type at the date check, whether it keeps the date)
DATE_CHECK_TABLE = [
    ("sip", True),
    ("Es correcto", True),
    ("Sí, por favor", True),
    ("exacto", True),
    ("nop", False),
    ("incorrecto", False),
    ("no es así", False),
]


@pytest.mark.parametrize(("typed", "kept"), DATE_CHECK_TABLE)
def test_everyday_yes_and_no_at_the_date_check(machine, typed, kept):
    visit = at_ready().appointment
    start = enrolled(ES, Step.DATE_CONFIRM, appointment=None, pending_date=visit)

    talk = chat(machine, [typed], start=start)

    assert (talk.conversation.appointment == visit) is kept
    assert talk.keys == (["date_saved_ask_referral"] if kept else ["ask_date"])


@pytest.mark.parametrize("typed", ["todavía no tengo", "Aún no tengo"])
def test_no_date_yet_in_everyday_words(machine, typed):
    talk = chat(machine, [typed], start=enrolled(ES, Step.DATE))

    assert talk.keys == ["not_booked_ask_referral"]


def test_no_lo_se_is_not_sure_of_the_referral(machine):
    talk = chat(machine, ["No lo sé"], start=enrolled(ES, Step.REFERRAL, appointment=None))

    assert talk.conversation.referral is Referral.UNSURE


@pytest.mark.parametrize(("typed", "language"), [("en inglés", EN), ("En español", ES)])
def test_in_english_or_in_spanish_switches_the_language(machine, typed, language):
    other = ES if language is EN else EN

    talk = chat(machine, [typed], start=at_ready(other))

    assert talk.conversation.language is language


def test_empezar_brings_a_spanish_speaker_back(machine):
    talk = chat(machine, ["EMPEZAR"], start=opted_out(ES))

    assert talk.conversation.status is Status.ACTIVE
    assert talk.keys == ["welcome_back"]


def test_a_lo_mejor_is_not_sure_of_the_referral(machine):
    talk = chat(machine, ["A LO MEJOR"], start=enrolled(ES, Step.REFERRAL, appointment=None))

    assert talk.conversation.referral is Referral.UNSURE


@pytest.mark.parametrize("step", [Step.DATE_CONFIRM, Step.READY])
def test_seguro_never_jumps_to_the_referral_question(machine, step):
    """ "Seguro" is "sure" as often as "insurance": it must not mean a command."""
    start = enrolled(ES, step, pending_date=at_ready().appointment)

    talk = chat(machine, ["SEGURO"], start=start)

    assert talk.conversation.step is not Step.REFERRAL
    assert talk.keys != ["ask_referral"]


# Families that may share a word, because the word means the same thing in both: "yes" joins
# again after STOP and says yes to a question; "I don't know" is not sure and not booked.
SAME_MEANING = {
    frozenset({Kind.YES, Kind.OPT_IN}),
    frozenset({Kind.UNSURE, Kind.NOT_BOOKED}),
}


def test_no_word_means_one_thing_at_one_step_and_another_elsewhere():
    families: dict[str, set[Kind]] = {}
    for catalogue in CONTENT.catalogues.values():
        for kind in Kind:
            for word in catalogue.keywords.get(kind.value, ()):
                families.setdefault(plain(word), set()).add(kind)
    clashes = {
        word: kinds
        for word, kinds in families.items()
        if len(kinds) > 1 and frozenset(kinds) not in SAME_MEANING
    }
    assert clashes == {}


COMMANDS = [Kind.RECORDS, Kind.PHRASES, Kind.UPSET, Kind.DATE, Kind.REFERRAL, Kind.CALLS]


@pytest.mark.parametrize("family", [*COMMANDS, Kind.HELP, Kind.OPT_OUT])
def test_the_menu_names_every_command(machine, patient: Patient, family):
    menu = chat(machine, [patient.menu], start=at_ready(patient.language)).last or ""
    words = CONTENT[patient.language].keywords[family.value]

    assert any(word in plain(menu) for word in map(plain, words)), family


@pytest.mark.parametrize("patient_language", [EN, ES])
def test_the_menu_offers_the_other_language(machine, patient_language):
    menu = chat(machine, ["MENU"], start=at_ready(patient_language)).last or ""

    other = ES if patient_language is EN else EN
    words = CONTENT[other].keywords[f"lang_{other.value}"]
    assert any(plain(word) in plain(menu) for word in words)


def test_every_command_works_at_every_step_once_enrolled(machine):
    """No step swallows a command: each still gets its own answer."""
    steps = [Step.DATE, Step.REFERRAL, Step.READY]
    for step, family in itertools.product(steps, COMMANDS):
        word = CONTENT[EN].keywords[family.value][0]
        start = Conversation(status=Status.ACTIVE, step=step, language=EN)
        assert chat(machine, [word], start=start).outcome.reply is not None, (step, word)


@pytest.mark.parametrize("hostile", ["1" * 1_600, "1" * 1_599 + "x", "1 " * 799 + "x", "1," * 800])
def test_a_long_run_of_digits_is_read_at_once(machine, hostile):
    """Twilio's longest text, made of digits: reading it must not blow up (it once took
    minutes for 28 digits and a letter)."""
    started = time.perf_counter()

    talk = chat(machine, [hostile], start=at_ready(EN))

    assert time.perf_counter() - started < 0.5
    assert talk.outcome.reply is not None
