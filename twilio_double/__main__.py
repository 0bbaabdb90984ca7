"""Run a FakeTwilio as its own process: `python -m twilio_double --port 0 --account-sid AC...`."""

from __future__ import annotations

import argparse
import signal
import threading

from twilio_double.fake import FakeTwilio


def main(argv: list[str] | None = None) -> None:
    """Serve until SIGTERM or Ctrl-C; the first line printed is the base URL."""
    parser = argparse.ArgumentParser(prog="python -m twilio_double", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--account-sid", required=True)
    parser.add_argument("--auth-token", required=True)
    args = parser.parse_args(argv)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with FakeTwilio(args.account_sid, args.auth_token, args.host, args.port) as fake:
        print(fake.base_url, flush=True)
        try:
            while not stopping.wait(0.2):
                pass
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
