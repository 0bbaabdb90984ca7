"""The fake's HTTP plumbing: a threaded keep-alive JSON server that stops cleanly."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Reply:
    """What to send back; `drop` closes the socket without answering."""

    status: int
    payload: object = None
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False


# (method, path with query, Authorization header, body) -> Reply
App = Callable[[str, str, str | None, bytes], Reply]


def error(status: int, code: int, message: str, *headers: tuple[str, str]) -> Reply:
    """Twilio's error body, which the official client turns into TwilioRestException."""
    payload = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return Reply(status, payload, headers)


class JsonServer:
    """Serves `app` from a daemon thread; `stop` also closes idle keep-alive connections."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), app)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"twilio_double:{self.port}",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.close_connections()
        self._server.server_close()


class _Handler(BaseHTTPRequestHandler):
    """A lean keep-alive handler: read the body, ask the app, write JSON."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeTwilio/2.0"
    sys_version = ""
    disable_nagle_algorithm = True
    wbufsize = -1  # buffer the response so headers and body leave in one send()
    timeout = 60  # seconds an idle keep-alive connection is kept
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.app(self.command, self.path, self.headers.get("Authorization"), body)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        self.send_header("Twilio-Request-Id", "RQ" + uuid.uuid4().hex)
        for name, value in reply.headers:
            self.send_header(name, value)
        if reply.status == 204:  # No Content: no body, no length
            self.end_headers()
            return
        data = json.dumps(reply.payload).encode()
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log line."""


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that skips the reverse DNS lookup and tracks its sockets."""

    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        socketserver.TCPServer.server_bind(self)  # no getfqdn(): it can take seconds
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def track(self, connection: socket.socket, is_open: bool) -> None:
        with self._open_lock:
            if is_open:
                self._open.add(connection)
            else:
                self._open.discard(connection)

    def close_connections(self, wait: float = 2.0) -> None:
        """Wake the handler threads idling on keep-alive sockets, and let them close."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + wait
        while self._open and time.monotonic() < deadline:
            time.sleep(0.01)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is not worth a traceback."""
        if isinstance(sys.exception(), OSError):
            return
        super().handle_error(request, client_address)
