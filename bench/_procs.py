"""Child processes for the benchmarks that run the service: the fake Twilio, Celery's
worker and beat, gunicorn. Each child has its own process group and a log file, and is
stopped by its own id (SIGTERM to its group, SIGKILL after a timeout).

Nothing here is imported by the service.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from _common import ACCOUNT_SID, AUTH_TOKEN, PUBLIC_BASE_URL, ROOT, SENDER_NUMBER


class Child:
    """A child process in its own process group, its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logdir: Path) -> None:
        self.name = name
        self.log = logdir / f"{name}.log"
        self._file = self.log.open("ab")
        self.process = subprocess.Popen(
            args,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=self._file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._file.close()


def start_fake(logdir: Path) -> tuple[subprocess.Popen[str], str]:
    """`python -m twilio_double --port 0` in its own process; its first line is its URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "twilio_double",
            "--port",
            "0",
            "--account-sid",
            ACCOUNT_SID,
            "--auth-token",
            AUTH_TOKEN,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=(logdir / "fake_twilio.log").open("ab"),
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url.startswith("http://127.0.0.1:"):
        process.kill()
        raise SystemExit(f"fake Twilio did not start (printed {base_url!r})")
    return process, base_url


def stop_fake(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def service_env(
    db_url: str, redis_url: str, twilio_url: str, sweep_interval: float, rate: float
) -> dict[str, str]:
    """The worker's and beat's environment (as tests/test_worker_processes.py sets it)."""
    return {
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": SENDER_NUMBER,
        "PROGRAM_ORG": "the Patient Navigation Team",
        "PROGRAM_CONTACT": "(212) 555-0199",
        "PROGRAM_ORG_ES": "el Equipo de Navegación de Pacientes",
        "PROGRAM_CONTACT_ES": "(212) 555-0199",
        "TWILIO_API_BASE_URL": twilio_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "SWEEP_INTERVAL_SECONDS": str(sweep_interval),
        "STALE_AFTER_SECONDS": "120",
        "SEND_RATE_PER_SECOND": str(rate),
        "TWILIO_TIMEOUT_SECONDS": "10",
    }


CELERY = [sys.executable, "-m", "celery", "-A", "workers"]


def start_worker(
    env: dict[str, str], logdir: Path, name: str = "worker", concurrency: int = 8
) -> Child:
    """As the Procfile: `celery -A workers worker --pool threads --concurrency 8 --loglevel
    INFO` (gossip, mingle and heartbeats off, as a lone worker needs none of them)."""
    return Child(
        name,
        [
            *CELERY,
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env,
        logdir,
    )


def start_beat(env: dict[str, str], logdir: Path) -> Child:
    """As the Procfile: `celery -A workers beat --loglevel INFO`."""
    return Child("beat", [*CELERY, "beat", "--loglevel", "INFO"], env, logdir)


def rss_kib(pid: int) -> int:
    """Resident set size of one process, in KiB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
