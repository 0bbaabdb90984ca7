"""Play a caller in a terminal: the real voice webhooks, signed, with the keypad typed in."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator

from cli.chat import local_phone
from flows.phones import to_e164
from secondopinion.settings import Settings

ATTESTED = "TN-Validation-Passed-A"  # a local play: the number is the player's own


def transcript(settings: Settings, phone: str, keys: str) -> Iterator[str]:
    """Lines of a call where the caller presses `keys` in turn ('-' presses nothing)."""
    caller = local_phone(settings, phone)
    turn = caller.ring(StirVerstat=ATTESTED)
    for key in [*keys, None]:
        for language, words in turn.said:
            yield f"[{language}] {words}"
        if turn.dialled:
            yield f"(connects to {turn.dialled})"
        if turn.next_path is None or key is None:
            break
        yield f"(presses {key})" if key != "-" else "(presses nothing)"
        turn = caller.press(turn, "" if key == "-" else key)
    if turn.next_path is None:
        yield "(hangs up)"


def run_call(settings: Settings, phone: str, read: Callable[[str], str] = input) -> None:
    number = to_e164(phone)
    if number is None:
        raise SystemExit(f"not a phone number: {phone}")
    logging.getLogger().setLevel(logging.WARNING)
    caller = local_phone(settings, number)
    turn = caller.ring(StirVerstat=ATTESTED)
    while True:
        for language, words in turn.said:
            print(textwrap.fill(f"[{language}] {words}", width=76, subsequent_indent="  "))
        if turn.dialled:
            print(f"(connects to {turn.dialled})")
        if turn.next_path is None:
            print("(the call has ended)")
            return
        try:
            key = read("keypad> ").strip()[:1]
        except EOFError:
            return
        turn = caller.press(turn, key)
