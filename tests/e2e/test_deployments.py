"""prefect.yaml as an operator uses it: a process work pool, `newsetl deploy` (checks, then `prefect deploy
--all`) from a checkout, one worker on loopback, a run triggered by hand with parameters, and that run
completing into the warehouse."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa
import yaml

from tests.workers import POOL, checkout, prefect, stop_worker

pytestmark = pytest.mark.e2e


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
                              stderr=subprocess.DEVNULL, start_new_session=True)  # no unread pipe to fill
    try:
        started = prefect("deployment", "run", "ingest/newsetl-ingest", "--param",
                          f"sources_file={sample_sources_file}", "--param", 'only=["tintuc"]', "--param", "limit=3",
                          "--watch", "--watch-timeout", "240", env=env, cwd=repo, timeout=300)
    finally:
        stop_worker(worker)  # with its flow runs, so none outlives the test and serves the next module's pool
    assert started.returncode == 0, started.stdout[-3000:] + started.stderr[-3000:]
    assert "Completed" in started.stdout, started.stdout[-3000:]

    with warehouse.connect() as conn:
        run = conn.execute(sa.text("SELECT status, sources, fetched, new FROM news.ingest_runs")).one()
    assert (run.status, run.sources, run.fetched, run.new) == ("completed", ["tintuc"], 3, 3)
