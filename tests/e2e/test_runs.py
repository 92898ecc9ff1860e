"""The run lifecycle every flow shares (``flows.runs``), seen through reprocess: leased, and failed when it raises."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

import flows.read_pool
import flows.reprocess
from flows.ingest import ingest
from flows.reprocess import reprocess
from flows.runs import RunSummary
from tasks.warehouse.runs import RUN_LOCK_KEY

pytestmark = pytest.mark.e2e
WAIT = 120  # seconds: generous for a loaded machine; the test never sleeps, it waits on events


def run_row(eng: sa.Engine, run_id: int) -> sa.Row:
    with eng.connect() as conn:
        return conn.execute(sa.text("SELECT status, error, finished_at FROM news.ingest_runs WHERE id = :r"),
                            {"r": run_id}).one()


def test_an_ingest_started_while_a_reprocess_runs_leaves_the_reprocess_running(
        warehouse, sample_sources_file, prefect_backend, monkeypatch):
    first = ingest(sources_file=str(sample_sources_file), only=["baocantho"])
    assert first.status == "completed" and first.totals.new == 17

    # The reprocess is held inside its first batch, after its run is open and before anything is loaded,
    # until the test lets it go: each stored page waits for `release` before it is read (in this process).
    monkeypatch.setenv("NEWSETL_EXTRACT_PROCESSES", "1")
    reading, release = threading.Event(), threading.Event()
    read_fetched = flows.read_pool.read_fetched

    def held_read(*args, **kwargs):
        reading.set()
        if not release.wait(WAIT):
            raise TimeoutError("the test never released the reprocess")
        return read_fetched(*args, **kwargs)

    monkeypatch.setattr(flows.read_pool, "read_fetched", held_read)
    outcome: dict[str, RunSummary | BaseException] = {}

    def run_reprocess() -> None:
        try:
            outcome["summary"] = reprocess(sources_file=str(sample_sources_file), only=["baocantho"], batch_size=5)
        except BaseException as exc:  # reported by the assertion below, not lost in the thread
            outcome["error"] = exc

    thread = threading.Thread(target=run_reprocess, name="reprocess")
    thread.start()
    try:
        assert reading.wait(WAIT), f"the reprocess never reached its first page: {outcome}"
        with warehouse.connect() as conn:
            (reprocess_run,) = conn.execute(sa.text("SELECT id FROM news.ingest_runs WHERE status = 'running'")).all()
        # An ingest starts (and finishes) while the reprocess is mid-run: it clears dead runs as it starts.
        second = ingest(sources_file=str(sample_sources_file), only=["baocantho"])
        assert second.status == "completed" and second.run_id != reprocess_run.id
        assert run_row(warehouse, reprocess_run.id).status == "running"  # alive, so not 'abandoned'
    finally:
        release.set()
        thread.join(WAIT)
    assert not thread.is_alive(), "the reprocess did not finish after it was released"
    assert "error" not in outcome, outcome.get("error")
    summary = outcome["summary"]
    assert summary.run_id == reprocess_run.id and summary.status == "completed"
    assert (summary.totals.discovered, summary.totals.unchanged) == (18, 17)
    row = run_row(warehouse, reprocess_run.id)
    assert (row.status, row.error) == ("completed", None) and row.finished_at is not None
    with warehouse.connect() as conn:
        statuses = conn.execute(sa.text("SELECT status FROM news.ingest_runs ORDER BY id")).scalars().all()
    assert statuses == ["completed", "completed", "completed"]  # ingest, reprocess, the ingest beside it
    assert artifact_keys(summary.flow_run_id) == ["reprocess-summary"]
    assert artifact_keys(second.flow_run_id) == ["ingest-summary"]


def test_a_reprocess_that_fails_is_recorded_failed_not_left_running(warehouse, sample_sources_file, prefect_backend,
                                                                    monkeypatch):
    ingest(sources_file=str(sample_sources_file), only=["baocantho"])

    class Broken:
        def with_options(self, **options):
            return self

        def submit(self, *args, **kwargs):
            raise RuntimeError("the task runner is gone")

    monkeypatch.setattr(flows.reprocess, "reprocess_batch", Broken())
    with pytest.raises(RuntimeError, match="the task runner is gone"):
        reprocess(only=["baocantho"])
    with warehouse.connect() as conn:
        runs = conn.execute(sa.text("SELECT status, error, finished_at FROM news.ingest_runs ORDER BY id")).all()
    assert [r.status for r in runs] == ["completed", "failed"]
    assert runs[1].error == "RuntimeError: the task runner is gone" and runs[1].finished_at is not None
    with warehouse.connect() as conn:  # its lease was released with it
        held = conn.execute(sa.text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :key "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"),
            {"key": RUN_LOCK_KEY}).scalar_one()
    assert held == 0


def artifact_keys(flow_run_id: str) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return [a.key for a in artifacts]
