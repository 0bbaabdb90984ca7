"""The `secondopinion` command: database, content, chat, call, serve, staff, catch-up, forget."""

from __future__ import annotations

import logging

import click

from flows import Machine, load_content
from flows.content.check import check
from flows.phones import to_e164
from secondopinion.settings import Settings
from store.migrate import upgrade


@click.group()
def main() -> None:
    """secondopinion: text and voice help to prepare for a medical second opinion."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to DATABASE_URL."""
    upgrade(Settings().database_url)
    click.echo("database is up to date")


@main.group()
def content() -> None:
    """The message catalogues."""


@content.command("check")
@click.option(
    "--strict",
    is_flag=True,
    help="Also refuse the sandbox's stand-in names and contacts, as a real program does.",
)
def content_check(strict: bool) -> None:
    """Print every message's encoding, length and segments; fail on any problem."""
    machine = Machine(load_content(), Settings().program)
    report = check(machine.content, machine.program, strict=strict)
    click.echo(
        f"{'lang':<5}{'message':<28}{'encoding':<10}{'chars':>6}{'segments':>10}{'budget':>8}"
    )
    for row in report.rows:
        flag = "  OVER" if row.over_budget else ""
        click.echo(
            f"{row.language:<5}{row.key:<28}{row.encoding:<10}{row.units:>6}"
            f"{row.segments:>10}{row.budget:>8}{flag}"
        )
    catalogues = load_content().catalogues
    for language, catalogue in catalogues.items():
        for key, words in sorted(catalogue.voice.items()):
            click.echo(f"{language:<5}{'voice.' + key:<28}{'speech':<10}{len(words):>6}")
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    spoken = sum(len(c.voice) for c in catalogues.values())
    click.echo(
        f"{len(report.rows)} texts and {spoken} spoken entries checked, "
        f"{len(report.problems)} problems"
    )
    if report.problems:
        raise SystemExit(1)


@main.command()
@click.option("--phone", default="+1 212 555 0100", show_default=True, help="The patient's number.")
def chat(phone: str) -> None:
    """Play the patient in this terminal (local database, no Twilio account)."""
    from cli.chat import run_chat

    settings = Settings()
    upgrade(settings.database_url)
    run_chat(settings, phone)


@main.command()
@click.option("--phone", default="+1 212 555 0100", show_default=True, help="The caller's number.")
@click.option(
    "--keys", default=None, help="Keys to press in turn ('-' for none); prints a transcript."
)
def call(phone: str, keys: str | None) -> None:
    """Call the phone menu from this terminal (local database, no Twilio account)."""
    from cli.call import run_call, transcript

    settings = Settings()
    upgrade(settings.database_url)
    if keys is None:
        run_call(settings, phone)
        return
    number = to_e164(phone) or phone
    logging.getLogger().setLevel(logging.WARNING)
    for line in transcript(settings, number, keys):
        click.echo(line)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, help="0 picks a free port.")
@click.option(
    "--sandbox/--no-sandbox",
    default=None,
    help="The phone simulator; the default when no Twilio account is configured.",
)
@click.option("--workers/--no-workers", default=True, help="Also run a Celery worker and beat.")
def serve_command(host: str, port: int, sandbox: bool | None, workers: bool) -> None:
    """Migrate the database, then run the web app, a worker and beat; print the URL."""
    from cli.serve import sandbox_settings, serve

    serve(sandbox_settings(Settings(), sandbox), host, port, workers)


@main.command("catch-up")
@click.option(
    "--since",
    required=True,
    help="How far back: 90m, 6h, 2d, or a time such as 2026-12-01T14:30 (UTC).",
)
def catch_up_command(since: str) -> None:
    """Take in texts and delivery reports Twilio has that the service missed (an outage)."""
    from cli.catchup import run_catch_up

    settings = Settings()
    upgrade(settings.database_url)
    for name, count in run_catch_up(settings, since).items():
        click.echo(f"{name}: {count}")


@main.command()
@click.argument("phone")
@click.option("--at-twilio/--here-only", default=False, help="Also delete the texts at Twilio.")
def forget(phone: str, at_twilio: bool) -> None:
    """Erase everything about a number but its consent record (a request to be forgotten)."""
    from cli.forget import run_forget

    number = to_e164(phone)
    if number is None:
        raise click.BadParameter(f"not a phone number: {phone!r}")
    settings = Settings()
    upgrade(settings.database_url)
    for line in run_forget(settings, number, at_twilio):
        click.echo(line)


@main.group()
def staff() -> None:
    """Accounts for the staff dashboard (/admin)."""


@staff.command("add")
@click.argument("username")
@click.password_option(help="Asked for when not given (at least 10 characters).")
def staff_add(username: str, password: str) -> None:
    """Create a staff account, or set a new password for one (which also lifts a lockout)."""
    import datetime as dt

    from store.db import make_engine, make_sessions, transaction
    from store.staff import add_staff

    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessions(engine)) as session:
            add_staff(session, username, password, dt.datetime.now(dt.UTC))
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    finally:
        engine.dispose()
    click.echo(f"staff account {username.strip().lower()!r} is ready (its old sessions ended)")


@staff.command("remove")
@click.argument("username")
def staff_remove(username: str) -> None:
    """Remove a staff account: every session it has ends at once."""
    import datetime as dt

    from store.db import make_engine, make_sessions, transaction
    from store.sign_ins import record
    from store.staff import remove_staff

    settings = Settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_sessions(engine)) as session:
            if not remove_staff(session, username):
                raise click.BadParameter(f"no staff account {username!r}")
            record(session, dt.datetime.now(dt.UTC), username, "command line", "removed")
    finally:
        engine.dispose()
    click.echo(f"staff account {username.strip().lower()!r} removed")
