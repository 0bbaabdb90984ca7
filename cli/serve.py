"""`secondopinion serve`: the web app, a worker and beat, on embedded defaults, in one command."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import click
from werkzeug.serving import make_server

from secondopinion.settings import Settings
from store.migrate import upgrade


def sandbox_settings(settings: Settings, sandbox: bool | None) -> Settings:
    """Sandbox unless Twilio or a server database is configured; never a sandbox with them."""
    from webhooks import sandbox_problem

    problem = sandbox_problem(settings.model_copy(update={"sandbox": True}))
    if sandbox and problem:
        raise click.UsageError(problem)
    chosen = problem is None if sandbox is None else sandbox
    return settings.model_copy(update={"sandbox": chosen})


def start_workers(settings: Settings) -> list[subprocess.Popen[bytes]]:
    """A Celery worker and beat as child processes, on REDIS_URL or the embedded broker."""
    celery = [sys.executable, "-m", "celery", "--quiet", "-A", "workers"]
    quiet = ["--loglevel", "WARNING"]
    commands = [
        [*celery, "worker", "--pool", "threads", "--concurrency", "4", *quiet],
        [*celery, "beat", *quiet],  # its schedule is kept in memory (workers/schedule.py)
    ]
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    out = subprocess.DEVNULL  # their banners would bury the URL; warnings still show
    return [subprocess.Popen(command, env=env, stdout=out) for command in commands]


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the children too, as Ctrl-C does


def serve(settings: Settings, host: str, port: int, workers: bool) -> None:
    from webhooks import create_app

    upgrade(settings.database_url)
    app = create_app(settings)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the simulator polls
    server = make_server(host, port, app, threaded=True)
    signal.signal(signal.SIGTERM, _stop)
    children = start_workers(settings) if workers else []
    base = f"http://{host}:{server.port}"
    if settings.sandbox:
        click.echo(f"\nPhone simulator: {base}/simulator   (no Twilio: nothing leaves here)")
    click.echo(f"Staff dashboard: {base}/admin   (accounts: secondopinion staff add NAME)")
    click.echo("Ctrl-C stops everything.\n")
    try:
        server.serve_forever()  # werkzeug's returns quietly on KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    finally:
        click.echo("stopping")  # Ctrl-C or SIGTERM was heard; the children follow
        server.server_close()
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
