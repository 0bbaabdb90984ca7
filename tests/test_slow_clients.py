"""The Procfile's web process keeps answering while clients trickle their bodies in."""

from __future__ import annotations

import shlex
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from store.migrate import upgrade
from tests.builders import AUTH_TOKEN, PUBLIC_BASE_URL
from tests.processes import Service, free_port

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 4  # more than the Procfile's workers: sync workers would all be held


def web_command(port: int) -> list[str]:
    """The Procfile's `web:` line, with this port and this interpreter's gunicorn."""
    line = next(x for x in (ROOT / "Procfile").read_text().splitlines() if x.startswith("web:"))
    args = shlex.split(line.removeprefix("web:").replace("${PORT:-8000}", str(port)))
    return [str(Path(sys.executable).parent / args[0]), *args[1:]]


@contextmanager
def trickling(port: int, count: int) -> Iterator[None]:
    """`count` posts that send a few bytes of their body, then nothing more for now."""
    head = (
        "POST /twilio/sms HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: x\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\nFrom="
    )
    with ExitStack() as stack:
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            sock.sendall(head.encode())
        yield


def healthz(port: int, timeout: float) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=timeout) as answer:
        return int(answer.status)


def test_healthz_answers_while_more_clients_than_workers_trickle_a_body(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'web.db'}"
    upgrade(url)
    port = free_port()
    env = {
        "DATABASE_URL": url,
        "EMBEDDED_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}",
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "REDIS_URL": "",
    }
    web = Service(web_command(port), env, tmp_path / "web.log")
    try:
        deadline = time.monotonic() + 30
        while True:  # until gunicorn has booted its workers
            try:
                assert healthz(port, 2) == 200
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "web.log").read_text()
                time.sleep(0.3)
        with trickling(port, SLOW_CLIENTS):
            time.sleep(0.5)  # every slow request has reached a worker
            started = time.monotonic()
            assert healthz(port, 5) == 200
            assert time.monotonic() - started < 2
    finally:
        web.stop()
