"""A webhook receiver on loopback: what ``NEWSETL_ALERT_WEBHOOK`` posts to in the tests.

It keeps every POST's JSON body in ``messages`` (in arrival order) and answers with ``status``;
``delay`` seconds before answering stand for a webhook that hangs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flows.sample_site.server import serving


class _Handler(BaseHTTPRequestHandler):
    server: Receiver
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        srv = self.server
        with srv.lock:
            srv.messages.append(json.loads(body))
            srv.paths.append(self.path)
            srv.arrived.set()
        time.sleep(srv.delay)
        self.send_response(srv.status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        pass


class Receiver(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, status: int = 200, delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hooks/newsetl"
        self.status, self.delay = status, delay
        self.messages: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.lock = threading.Lock()
        self.arrived = threading.Event()


@contextmanager
def receive_webhooks(status: int = 200, delay: float = 0.0) -> Iterator[Receiver]:
    """A receiver on 127.0.0.1 until the block ends."""
    with serving(Receiver(status, delay), "webhook-receiver") as server:
        yield server
