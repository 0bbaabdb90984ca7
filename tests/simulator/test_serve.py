"""`secondopinion serve`: migrates, prints the URL, runs a worker and beat, stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main

URL = re.compile(r"Phone simulator: (http://127\.0\.0\.1:\d+)/simulator")


def _serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "REDIS_"))},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "EMBEDDED_BROKER_URL": f"sqla+sqlite:///{tmp_path / 'broker.db'}",
    }
    command = [str(Path(sys.executable).parent / "secondopinion"), "serve", "--port", "0", *args]
    return subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )


def _base_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if found := URL.search(line):
            return found.group(1)
        if not line and process.poll() is not None:
            break
    pytest.fail("serve never printed the simulator's URL")


def test_serve_starts_the_sandbox_and_stops_with_its_children(tmp_path: Path):
    process = _serve(tmp_path)
    try:
        base = _base_url(process)
        with urllib.request.urlopen(f"{base}/simulator", timeout=10) as page:
            assert page.status == 200
            assert "Phone simulator" in page.read().decode()
        children = _children(process.pid)
        assert len(children) == 2  # a worker and beat
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        assert process.stdout is not None
        said = process.stdout.read()
        process.stdout.close()
    assert code == 0
    assert said.rstrip().endswith("stopping")  # whoever sent SIGTERM sees it was heard
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)


def _children(parent: int) -> list[int]:
    """Processes whose parent is `parent` (from /proc: Linux only, like CI)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def test_serve_refuses_the_sandbox_with_a_twilio_account(monkeypatch):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    result = CliRunner().invoke(main, ["serve", "--sandbox"])
    assert result.exit_code != 0
    assert "sandbox" in result.output
