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

With neither (and no API in Prefect's profile or settings files), a command that runs flows starts
that temporary server itself, before its flow runs (:func:`start_temporary_prefect_server`): the same
command with the same settings as Prefect's client, but Prefect's client imports the whole server
application (FastAPI, its ORM models, its services) into the run's process to start it, about
65 MB resident held for the whole run; started from here, that code is loaded in the server alone.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from tasks.config import settings
from tasks.errors import PrefectServerError

log = logging.getLogger("newsetl")

DEFAULT_PORT = 4200
STARTUP_TIMEOUT = 120.0  # seconds; the server takes about 10 s on a 2-core machine
ANNOUNCEMENT = "prefect-server.json"  # in NEWSETL_DATA_DIR: the API URL and pid of the server up now
# Seconds an announced server may take to answer its health check before a run starts a temporary one.
HEALTH_TIMEOUT = 2.0


# What Prefect's client sets for the temporary server it starts when no API is named
# (prefect.server.api.server.SubprocessASGIServer): the API alone, without the UI, in ephemeral mode.
TEMPORARY_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}


def _free_port(preferred: int = 0) -> int:
    """``preferred`` if it is free on 127.0.0.1, else a port the system picks (0: any free port)."""
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """A Prefect API server in a child process of this one, started at once; :meth:`wait_up` waits for it."""

    def __init__(self, argv: list[str], api: str, env: Mapping[str, str], stderr: int | None = subprocess.PIPE):
        self.api = api
        self.process = subprocess.Popen([sys.executable, "-m", *argv], stdout=subprocess.DEVNULL, stderr=stderr,
                                        env={**os.environ, **env})
        self._up = False

    def wait_up(self) -> None:
        """Return once the server answers its health check; :class:`PrefectServerError` if it exits or is late."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._up and not _healthy(self.api):
            if self.process.poll() is not None:
                output = self.process.stderr.read() if self.process.stderr else b""
                detail = (output or b"").decode(errors="replace").strip().splitlines()[-3:]
                raise PrefectServerError(f"prefect server exited with code {self.process.returncode}: "
                                         f"{' '.join(detail)}")
            if time.monotonic() > deadline:
                raise PrefectServerError(f"prefect server did not answer on {self.api} within {STARTUP_TIMEOUT:.0f}s")
            time.sleep(0.2)
        self._up = True

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
    server = ServerProcess(["prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)], api,
                           {**(env or {}), "PREFECT_API_URL": api})
    try:
        server.wait_up()
        with _announced(api, server.process.pid) if announce else _nothing():
            yield api
    finally:
        server.stop()


def start_temporary_prefect_server() -> str | None:
    """Before a command's flow runs: where Prefect would start its temporary server (no API named by the
    environment, a profile or a settings file, and ephemeral mode on, as in Prefect's default profile), start
    it from here, point this process's Prefect at it and return its API URL; None where nothing was needed.

    The server is the one Prefect's client would start, with the same command and settings; only the code
    that starts it is not imported into this process (see the module's doc). As Prefect's own, it is stopped
    when the process exits (``atexit``), so after Prefect's log and event workers have sent what they hold
    (they drain when threading shuts down, before ``atexit`` hooks run): stopped sooner, their last
    batch is lost and they wait on connection retries. Its errors go to this process's stderr.
    """
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    current = get_current_settings()
    if current.api.url or not current.server.ephemeral.enabled:
        return None
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    log.info("Starting temporary server on %s", api.removesuffix("/api"))
    argv = ["uvicorn", "--app-dir", str(_prefect_package().parent), "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"]
    server = ServerProcess(argv, api, TEMPORARY_SERVER_ENV, stderr=None)
    atexit.register(server.stop)
    server.wait_up()
    os.environ["PREFECT_API_URL"] = api
    refresh_global_settings_context()  # Prefect's settings were read at its import: again, with the variable
    return api


def _prefect_package() -> Path:
    """The folder of the installed ``prefect`` package, found without importing it (its settings would be read)."""
    import importlib.util

    spec = importlib.util.find_spec("prefect")
    if spec is None or spec.origin is None:
        raise PrefectServerError("the prefect package is not installed")
    return Path(spec.origin).parent


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
