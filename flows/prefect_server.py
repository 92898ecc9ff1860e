"""Prefect servers the commands start themselves when no ``PREFECT_API_URL`` is set.

Schedules need a Prefect server with its scheduler running; the temporary in-process
server Prefect starts for a single run cannot schedule ("Cannot schedule flows on an
ephemeral server"). So ``serve`` starts ``prefect server start`` as a child process on
127.0.0.1, points the process at it, and stops it on exit (:func:`local_prefect_server`).

A one-off command (``run``, ``demo``, ``reprocess``, ``backfill``) gets Prefect's own temporary
server, which Prefect would start when the flow begins, after this process has imported the
pipeline; :class:`EarlyTemporaryServer` starts it before, so that it boots in its process while
this one imports.
"""

from __future__ import annotations

import contextvars
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tasks.errors import PrefectServerError

log = logging.getLogger(__name__)

DEFAULT_PORT = 4200
STARTUP_TIMEOUT = 120.0  # seconds; the server takes about 10 s on a 2-core machine


def _free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


@contextmanager
def local_prefect_server(port: int = DEFAULT_PORT, env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``prefect server start`` on 127.0.0.1 and yield its API URL; it is stopped afterwards.

    ``env`` adds to the server's environment (a test's own ``PREFECT_HOME``, its scheduler off).
    """
    port = _free_port(port)
    api = f"http://127.0.0.1:{port}/api"
    process = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {}), "PREFECT_API_URL": api},
    )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(api):
            if process.poll() is not None:
                detail = (process.stderr.read() or b"").decode(errors="replace").strip().splitlines()[-3:]
                raise PrefectServerError(f"prefect server exited with code {process.returncode}: {' '.join(detail)}")
            if time.monotonic() > deadline:
                raise PrefectServerError(f"prefect server did not answer on {api} within {STARTUP_TIMEOUT:.0f}s")
            time.sleep(0.5)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _healthy(api: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


class EarlyTemporaryServer:
    """Start Prefect's temporary server now, in a background thread, unless a Prefect API is configured.

    ``PREFECT_API_URL`` (or a Prefect profile, or a test harness) names a server: nothing is started.
    Otherwise the thread starts the same ``SubprocessASGIServer`` a flow run would start, and the flow
    run finds it running. Python imports of two threads can deadlock on each other's module locks, so
    the caller imports nothing of Prefect before :meth:`imported` has returned (the thread's imports
    are done by then), and calls :meth:`ready` before its flow run.
    """

    def __init__(self) -> None:
        self._imported = threading.Event()
        context = contextvars.copy_context()  # Prefect's settings context (a test harness sets the API there)
        self._thread = threading.Thread(target=context.run, args=(self._start,), name="prefect-temporary-server",
                                        daemon=True)
        self._thread.start()

    def _start(self) -> None:
        try:
            from prefect.settings import PREFECT_API_URL

            if PREFECT_API_URL.value():
                return
            from prefect.server.api.server import SubprocessASGIServer
        finally:
            self._imported.set()
        try:
            SubprocessASGIServer().start()
        except Exception as exc:  # noqa: BLE001 - the flow run starts it again and reports its own error
            log.debug("early start of Prefect's temporary server failed: %s", exc)

    def imported(self) -> None:
        """Wait until the thread has imported what it needs of Prefect; the caller may import Prefect after."""
        self._imported.wait()

    def ready(self) -> None:
        """Wait until the server answers (or its start failed, which the flow run then reports)."""
        self._imported.wait()
        self._thread.join()
