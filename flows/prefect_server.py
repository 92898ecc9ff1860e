"""A local Prefect server for ``newsetl serve`` when no ``PREFECT_API_URL`` is set.

Schedules need a Prefect server with its scheduler running; the temporary in-process
server Prefect starts for a single run cannot schedule ("Cannot schedule flows on an
ephemeral server"). So ``serve`` starts ``prefect server start`` as a child process on
127.0.0.1, points the process at it, and stops it on exit.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from tasks.errors import PrefectServerError

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
