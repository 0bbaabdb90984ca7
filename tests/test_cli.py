"""The `secondopinion` command: content check, and a phone call played from the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main


@pytest.fixture
def local_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    return tmp_path


def test_content_check_lists_every_text_and_spoken_entry() -> None:
    result = CliRunner().invoke(main, ["content", "check"])
    assert result.exit_code == 0, result.output
    assert "es   consent                     UCS-2" in result.output
    assert "voice.menu_new" in result.output
    assert result.output.rstrip().endswith("0 problems")


def test_a_call_transcript_in_spanish(local_db: Path) -> None:
    result = CliRunner().invoke(main, ["call", "--phone", "+1 646 555 0141", "--keys", "2193"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("[en-US] Hello") and lines[1].startswith("[es-US] Hola")
    assert "(presses 2)" in lines and "(presses 3)" in lines
    assert "referido" in lines[-1]


def test_the_terminal_chat_enrols(local_db: Path) -> None:
    result = CliRunner().invoke(main, ["chat", "--phone", "+1 646 555 0142"], input="SECOND\n1\n")
    assert result.exit_code == 0, result.output
    shown = " ".join(result.output.split())  # the chat wraps long texts
    assert "Msg & data rates may apply" in shown
    assert "When is your second-opinion visit?" in shown


REAL_WORDS = {
    "PROGRAM_ORG": "Patient Navigation, Mercy Hospital",
    "PROGRAM_CONTACT": "(212) 555-0199",
    "PROGRAM_ORG_ES": "Navegación de Pacientes, Hospital Mercy",
    "PROGRAM_CONTACT_ES": "(212) 555-0199",
}


def test_content_check_strict_refuses_the_sandboxs_stand_ins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in REAL_WORDS:
        monkeypatch.delenv(name, raising=False)
    assert CliRunner().invoke(main, ["content", "check"]).exit_code == 0  # the sandbox runs

    result = CliRunner().invoke(main, ["content", "check", "--strict"])

    assert result.exit_code == 1
    assert "program contact is the sandbox's stand-in" in result.output
    assert "es: program org" in result.output


def test_content_check_strict_passes_with_real_words(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_WORDS.items():
        monkeypatch.setenv(name, value)

    result = CliRunner().invoke(main, ["content", "check", "--strict"])

    assert result.exit_code == 0, result.output
