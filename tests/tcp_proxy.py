"""A TCP proxy a test can cut: the database goes away under running processes, then returns.

`down()` drops every open connection and closes each new one at once (a server that
crashed or restarted); `silent()` accepts new connections and never answers (a host
that stopped answering); `up()` forwards again.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType
from typing import Self

FORWARD, DOWN, SILENT = "forward", "down", "silent"


class TcpProxy:
    """127.0.0.1:<port> forwarding to `target` from a thread of its own."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode = FORWARD
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-proxy", daemon=True)

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def url_for(self, database_url: str) -> str:
        """The same database URL, through this proxy."""
        host = f"{self.target[0]}:{self.target[1]}"
        return database_url.replace(host, f"127.0.0.1:{self.port}", 1)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._thread.join(5)
        self._drop_all()
        self._listener.close()

    def down(self) -> None:
        with self._lock:
            self.mode = DOWN
        self._drop_all()

    def silent(self) -> None:
        with self._lock:
            self.mode = SILENT
        self._drop_all()

    def up(self) -> None:
        with self._lock:
            self.mode = FORWARD

    def _drop_all(self) -> None:
        with self._lock:
            sockets, self._open = list(self._open), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            with self._lock:
                mode = self.mode
                self._open.add(client)
            if mode == DOWN:
                self._drop(client)
            elif mode == FORWARD:
                threading.Thread(target=self._pipe, args=(client,), daemon=True).start()
            # SILENT: kept open, never read, never answered, until the next down/silent

    def _drop(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)
        with contextlib.suppress(OSError):
            sock.close()

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            self._drop(client)
            return
        with self._lock:
            self._open.add(upstream)
        pair = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for sock in pair:
                sock.settimeout(5)  # a read after select() never blocks; a send may wait
                selector.register(sock, selectors.EVENT_READ)
            while not self._stopping.is_set():
                try:
                    ready = selector.select(0.2)
                    for key, _ in ready:
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            raise ConnectionError
                        pair[key.fileobj].sendall(data)  # type: ignore[index]
                except (OSError, ConnectionError, ValueError):
                    break
        for sock in pair:
            self._drop(sock)
