"""A real Twilio account never starts with the sandbox's stand-in words: carriers check HELP."""

from __future__ import annotations

import pytest

from flows import Language
from secondopinion.container import build
from secondopinion.settings import Settings
from tests.builders import ACCOUNT_SID
from webhooks import create_app

STAND_INS = {"program_org": Settings().program_org, "program_contact_es": "su clínica"}


@pytest.mark.parametrize("field", list(STAND_INS))
def test_a_real_account_refuses_to_start_with_stand_in_words(settings: Settings, field: str):
    real = settings.model_copy(
        update={"twilio_account_sid": ACCOUNT_SID, **{field: STAND_INS[field]}}
    )

    with pytest.raises(ValueError, match="program's words are not ready"):
        build(real)
    with pytest.raises(ValueError, match="program's words are not ready"):
        create_app(real)


def test_a_real_account_with_real_words_starts(settings: Settings) -> None:
    svc = build(settings.model_copy(update={"twilio_account_sid": ACCOUNT_SID}))
    try:
        help_es = svc.machine.render_key("help", Language.ES)
    finally:
        svc.engine.dispose()
    assert "el Equipo de Navegación de Pacientes" in help_es and "your" not in help_es


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the sandbox's only kind
def test_the_sandbox_runs_with_the_stand_ins(settings: Settings) -> None:
    bare = Settings(database_url=settings.database_url, sandbox=True)
    app = create_app(bare)
    app.extensions["secondopinion"].engine.dispose()
