"""prefect.yaml as an operator uses it: a process work pool, `newsetl deploy` (checks, then `prefect deploy
--all`) from a checkout, one worker on loopback, a run triggered by hand with parameters, and that run
completing into the warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
POOL = "newsetl-pool"


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


def test_a_deployment_of_prefect_yaml_runs_on_a_process_worker(prefect_server, warehouse, database_url,
                                                               sample_sources_file, tmp_path):
    repo = checkout(tmp_path / "checkout")
    env = {**os.environ, **prefect_server.env, "DATABASE_URL": database_url,
           "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_LOGGING_LEVEL": "WARNING"}
    created = prefect("work-pool", "create", POOL, "--type", "process", "--overwrite", env=env, cwd=repo)
    assert created.returncode == 0, created.stderr[-2000:]
    deployed = subprocess.run([sys.executable, "-m", "flows.cli", "deploy"], capture_output=True, text=True,
                              env=env, cwd=repo, timeout=180)  # checks, then `prefect deploy --all`
    assert deployed.returncode == 0, deployed.stdout[-2000:] + deployed.stderr[-2000:]
    declared = len(yaml.safe_load((repo / "prefect.yaml").read_text(encoding="utf-8"))["deployments"])
    assert f"{declared} deployments checked" in deployed.stderr

    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type",
                               "process", "--limit", "1"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    try:
        started = prefect("deployment", "run", "ingest/newsetl-ingest", "--param",
                          f"sources_file={sample_sources_file}", "--param", 'only=["tintuc"]', "--param", "limit=3",
                          "--watch", "--watch-timeout", "240", env=env, cwd=repo, timeout=300)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert "Completed" in started.stdout, started.stdout[-3000:]

    with warehouse.connect() as conn:
        run = conn.execute(sa.text("SELECT status, sources, fetched, new FROM news.ingest_runs")).one()
    assert (run.status, run.sources, run.fetched, run.new) == ("completed", ["tintuc"], 3, 3)
