"""Prefect workers for the fan-out test and benchmark: a checkout, a process pool, N workers, a fan-out run.

:func:`deployed_pool` does what an operator does on several machines, on loopback: copies the
project as a checkout, creates the ``process`` work pool, starts ``workers`` ``prefect worker start``
processes (each in a session of its own, stopped with its flow-run children however the block ends)
and runs ``prefect deploy --all`` from the checkout; :meth:`Pool.run_fanout` triggers
``ingest-fanout/newsetl-fanout`` by hand and watches it to its end.
Each worker sends a User-Agent of its own (``newsetl-test worker-N``), which its flow runs inherit, so
the sites' request logs say which worker sent what.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
POOL = "newsetl-pool"
AGENT = "newsetl-test worker-{n}"


def prefect(*args: str, env: dict[str, str], cwd: Path, timeout: int = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "prefect", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=timeout)


def checkout(where: Path) -> Path:
    """The project's files as a checkout elsewhere has them (the package itself is installed in the venv)."""
    for name in ("flows", "tasks", "sql"):
        shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "prefect.yaml", where / "prefect.yaml")
    shutil.copy(ROOT / "sources.toml", where / "sources.toml")  # what `newsetl deploy` checks the parameters with
    return where


def two_sources_per_site(sites, interval: float) -> str:
    """Two sources per site, one after the other: the round-robin deal puts them in different shards."""
    entries = []
    for i, site in enumerate(sites, start=1):
        for k, part in enumerate("ab", start=1):
            entries.append(
                f'[[sources]]\nname = "site{i}{part}"\nhomepage = "{site.base}/"\n'
                f'sitemaps = ["{site.base}/part-{k}-of-2.xml"]\nlanguage = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\n'
                f'allow_addresses = ["{site.host}"]\nmin_interval = {interval}\nmax_connections = 2\n')
    return "\n".join(entries)


def smallest_gaps(sites) -> dict[str, float]:
    gaps = {}
    for site in sites:
        starts = sorted(hit.at for hit in site.hits)
        gaps[site.host] = min(b - a for a, b in zip(starts, starts[1:], strict=False))
    return gaps


@contextmanager
def workers_running(count: int, env: dict[str, str], cwd: Path, logs: Path, limit: int = 2) -> Iterator[list[Path]]:
    """``count`` process workers on the pool, each allowed ``limit`` flow runs at once; their log files.

    Each runs in a new session, so that stopping it stops the flow runs it started too: no process is
    left behind, whatever happened in the block.
    """
    started: list[subprocess.Popen] = []
    paths: list[Path] = []
    try:
        for n in range(1, count + 1):
            path = logs / f"worker-{n}.log"
            log = path.open("w")
            started.append(subprocess.Popen(
                [sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process",
                 "--limit", str(limit), "--name", f"worker-{n}"],
                env={**env, "NEWSETL_USER_AGENT": AGENT.format(n=n), "PREFECT_LOGGING_LEVEL": "INFO"}, cwd=cwd,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
            log.close()
            paths.append(path)
        yield paths
    finally:
        for process in started:
            stop_worker(process)


def stop_worker(process: subprocess.Popen) -> None:
    """SIGTERM to the worker's session (the worker and its flow runs), then SIGKILL to whatever is left of it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@dataclass
class FanoutRun:
    """A triggered fan-out: the CLI's output and exit code, the parent's flow run id, its wall time."""

    returncode: int
    output: str
    flow_run_id: str | None
    seconds: float


@dataclass
class Pool:
    """prefect.yaml deployed from a checkout, and workers running on its pool."""

    repo: Path
    env: dict[str, str]
    worker_logs: list[Path]

    def run_fanout(self, sources_file: Path, shards: int, timeout: int = 240) -> FanoutRun:
        """Trigger ``ingest-fanout/newsetl-fanout`` by hand as an operator does, and watch it to its end.

        ``seconds`` runs from the trigger to the end of the watch (the parent's final state, polled).
        """
        began = time.monotonic()
        run = prefect("deployment", "run", "ingest-fanout/newsetl-fanout", "--param", f"sources_file={sources_file}",
                      "--param", f"shards={shards}", "--param", "poll_seconds=0.5", "--watch",
                      "--watch-timeout", str(timeout), env=self.env, cwd=self.repo, timeout=timeout + 60)
        seconds = time.monotonic() - began
        found = re.search(r"UUID:\s*([0-9a-f-]{36})", run.stdout)
        return FanoutRun(run.returncode, run.stdout + run.stderr, found[1] if found else None, seconds)

    def logs(self) -> str:
        return "\n".join(path.read_text()[-2000:] for path in self.worker_logs)


@contextmanager
def deployed_pool(workers: int, env: dict[str, str], tmp: Path, limit: int = 2) -> Iterator[Pool]:
    """A checkout in ``tmp``, the process pool, ``workers`` workers of ``limit`` slots, ``prefect deploy --all``."""
    repo = checkout(tmp / "checkout")
    env = {**env, "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
    created = prefect("work-pool", "create", POOL, "--type", "process", "--overwrite", env=env, cwd=repo)
    assert created.returncode == 0, created.stderr[-2000:]
    with workers_running(workers, env, tmp, tmp, limit) as logs:  # they start while the deployments are made
        deployed = prefect("--no-prompt", "deploy", "--all", env=env, cwd=repo)
        assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
        yield Pool(repo, env, logs)
