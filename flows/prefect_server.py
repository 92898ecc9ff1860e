"""A local Prefect server for ``newsetl serve`` and ``newsetl prefect-server`` when no ``PREFECT_API_URL`` is set.

Schedules need a Prefect server with its scheduler running; the temporary in-process
server Prefect starts for a single run cannot schedule ("Cannot schedule flows on an
ephemeral server"). So ``serve`` starts ``prefect server start`` as a child process on
127.0.0.1, points the process at it, and stops it on exit.

A run without ``PREFECT_API_URL`` otherwise has Prefect start a temporary server of its own,
which costs 5-10 s of a cron run that finds nothing new. So a server started here is announced
in ``NEWSETL_DATA_DIR/prefect-server.json`` while it is up (``newsetl prefect-server`` keeps one
up for that alone), and the commands that run flows report to it instead
(:func:`use_announced_server`): only a server newsetl started and that answers is taken, never
some other process that happens to listen on the port.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from tasks.config import settings
from tasks.errors import PrefectServerError

DEFAULT_PORT = 4200
STARTUP_TIMEOUT = 120.0  # seconds; the server takes about 10 s on a 2-core machine
ANNOUNCEMENT = "prefect-server.json"  # in NEWSETL_DATA_DIR: the API URL and pid of the server up now
# Seconds an announced server may take to answer its health check before a run starts a temporary one.
HEALTH_TIMEOUT = 2.0


def _free_port(preferred: int) -> int:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]


@contextmanager
def local_prefect_server(port: int = DEFAULT_PORT, env: dict[str, str] | None = None, *,
                         announce: bool = False) -> Iterator[str]:
    """Start ``prefect server start`` on 127.0.0.1 and yield its API URL; it is stopped afterwards.

    ``env`` adds to the server's environment (a test's own ``PREFECT_HOME``, its scheduler off);
    ``announce`` writes it to ``NEWSETL_DATA_DIR/prefect-server.json`` while it is up, for the
    runs started meanwhile (:func:`use_announced_server`).
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
        with _announced(api, process.pid) if announce else _nothing():
            yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _healthy(api: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def announcement_path() -> Path:
    return settings().data_dir / ANNOUNCEMENT


@contextmanager
def _announced(api: str, pid: int) -> Iterator[None]:
    """``prefect-server.json`` holds ``api`` while the block runs; removed after, if it is still this server's."""
    path = announcement_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"api": api, "pid": pid}), encoding="utf-8")
    temporary.replace(path)  # whole or not at all, for a run reading it meanwhile
    try:
        yield
    finally:
        with suppress(OSError, ValueError):
            if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid:
                path.unlink()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def announced_server() -> str | None:
    """The API URL of the server a newsetl command keeps up (``prefect-server.json``), if its process lives and
    it answers; None otherwise (no file, a stale one, a server still starting or gone)."""
    try:
        found = json.loads(announcement_path().read_text(encoding="utf-8"))
        api, pid = str(found["api"]), int(found["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # another user's process of that pid: the health check decides
        pass
    return api if _healthy(api, HEALTH_TIMEOUT) else None


def use_announced_server() -> str | None:
    """Point this process's Prefect at the announced server when ``PREFECT_API_URL`` is not set; its URL, or None.

    Called by the commands that run flows before Prefect is imported (its settings are read then),
    so that their flow runs report to that server instead of starting a temporary one.
    """
    if os.environ.get("PREFECT_API_URL"):
        return None
    api = announced_server()
    if api is not None:
        os.environ["PREFECT_API_URL"] = api
    return api
