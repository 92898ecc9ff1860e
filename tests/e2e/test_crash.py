"""kill -9 in the middle of a run: the next run finishes the work, nothing is lost or doubled, the dead run is named."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa

from flows.ingest import ingest
from tests.sites.faults import serve_faults

pytestmark = pytest.mark.e2e
PAGES = 34  # every sample article once
BATCH = 4


def count(eng: sa.Engine, sql: str) -> int:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


def test_a_run_killed_mid_way_is_finished_by_the_next(warehouse, database_url, prefect_backend, tmp_path: Path,
                                                      monkeypatch):
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("NEWSETL_BATCH_SIZE", str(BATCH))
    with serve_faults(pages=PAGES, crawl_delay=None) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=(), min_interval=0.1,
                                            max_connections=1), encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": database_url, "PREFECT_API_URL": PREFECT_API_URL.value(),
               "NEWSETL_BATCH_SIZE": str(BATCH)}
        victim = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--sources", str(sources)],
                                  env=env, cwd=Path(__file__).parents[2], start_new_session=True,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while count(warehouse, "SELECT count(*) FROM news.articles") < 2 * BATCH:
            assert victim.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline, "the run never loaded a batch"
            time.sleep(0.05)
        os.killpg(victim.pid, signal.SIGKILL)  # kill -9, the whole process group
        victim.wait()
        before = count(warehouse, "SELECT count(*) FROM news.articles")
        with warehouse.connect() as conn:
            held_at_kill = set(conn.execute(sa.text("SELECT url FROM news.pages")).scalars())
        hits_at_kill = len(site.hits)
        assert 2 * BATCH <= before < PAGES
        assert count(warehouse, "SELECT count(*) FROM news.ingest_runs WHERE status = 'running'") == 1

        second = ingest(sources_file=str(sources))
        after_rerun = count(warehouse, "SELECT count(*) FROM news.articles")
        third = ingest(sources_file=str(sources))
        after_third = count(warehouse, "SELECT count(*) FROM news.articles")

    print(f"kill -9 test: articles before the kill {before}, after the rerun {after_rerun}, "
          f"after a third run {after_third}")
    assert second.status == third.status == "completed"
    assert (after_rerun, after_third) == (PAGES, PAGES)
    assert count(warehouse, "SELECT count(*) FROM news.pages") == PAGES
    assert count(warehouse, "SELECT count(DISTINCT content_hash) FROM news.articles") == PAGES
    with warehouse.connect() as conn:
        runs = conn.execute(sa.text("SELECT id, status, error, finished_at FROM news.ingest_runs ORDER BY id")).all()
    assert [r.status for r in runs] == ["abandoned", "completed", "completed"]
    assert runs[0].finished_at is not None and "stopped without finishing" in runs[0].error

    # The rerun fetched only what was not stored; stored pages were never asked for again.
    second_hits = Counter(h.path for h in site.hits[hits_at_kill:] if h.path.startswith("/a/"))
    assert not any(site.base + path in held_at_kill for path in second_hits)
    assert sum(second_hits.values()) == PAGES - len(held_at_kill)
    # The third run asked for the feed conditionally (every URL it lists is held now) and got a 304.
    assert third.sources[0].not_modified == 1 and third.sources[0].new == 0


def test_a_database_lost_mid_run_fails_the_run_and_the_next_run_recovers(warehouse, database_url, prefect_backend,
                                                                         tmp_path: Path, monkeypatch):
    import threading

    monkeypatch.setenv("NEWSETL_BATCH_SIZE", str(BATCH))
    name = sa.make_url(database_url).database
    admin = sa.create_engine(sa.make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")

    def pull_the_plug() -> None:
        while count(warehouse, "SELECT count(*) FROM news.articles") < BATCH:
            time.sleep(0.02)
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    with serve_faults(pages=PAGES, crawl_delay=None) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=(), min_interval=0.05,
                                            max_connections=1), encoding="utf-8")
        plug = threading.Thread(target=pull_the_plug)
        plug.start()
        try:
            with pytest.raises(Exception):  # noqa: B017 - whichever database error surfaces first
                ingest(sources_file=str(sources))
        finally:
            plug.join()
            with admin.connect() as conn:
                conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        stored_in_failed_run = count(warehouse, "SELECT count(*) FROM news.articles")
        recovered = ingest(sources_file=str(sources))
    admin.dispose()

    assert BATCH <= stored_in_failed_run < PAGES
    assert recovered.status == "completed"
    assert count(warehouse, "SELECT count(*) FROM news.articles") == PAGES
    assert count(warehouse, "SELECT count(*) FROM news.pages") == PAGES
    with warehouse.connect() as conn:
        statuses = conn.execute(sa.text("SELECT status FROM news.ingest_runs ORDER BY id")).scalars().all()
    assert statuses == ["abandoned", "completed"]  # the run that lost its database is not left 'running'


def _prefect_servers(pid: int) -> list[psutil.Process]:
    """The Prefect API servers among a process's descendants (what `newsetl run` starts when none is named)."""
    found = []
    for child in psutil.Process(pid).children(recursive=True):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "prefect" in line and ("server" in line or "uvicorn" in line):
            found.append(child)
    return found


def _gone(process: psutil.Process) -> bool:
    try:
        return not process.is_running() or process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_run_records_it_failed_stops_the_prefect_server_and_exits_128_plus_n(
        warehouse, database_url, tmp_path: Path, signum):
    with serve_faults(pages=PAGES, crawl_delay=None) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(site.source_toml(feeds=("/pages.rss",), sitemaps=(), min_interval=0.5,
                                            max_connections=1), encoding="utf-8")
        # No PREFECT_API_URL: the command starts Prefect's temporary server, which must not outlive it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        env.update({"DATABASE_URL": database_url, "NEWSETL_BATCH_SIZE": str(BATCH),
                    "PREFECT_HOME": str(tmp_path / "prefect-home")})
        victim = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--sources", str(sources)],
                                  env=env, cwd=Path(__file__).parents[2], start_new_session=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 240
            while count(warehouse, "SELECT count(*) FROM news.articles") < BATCH:
                assert victim.poll() is None, "the run ended before the signal: " + victim.communicate()[1]
                assert time.monotonic() < deadline, "the run never loaded a batch"
                time.sleep(0.1)
            servers = _prefect_servers(victim.pid)
            assert servers, "the run started no Prefect server of its own"
            victim.send_signal(signum)  # the process alone, not its group: its children are its to stop
            signalled = time.monotonic()
            out, errors = victim.communicate(timeout=120)
            print(f"{signal.Signals(signum).name}: exited {victim.returncode} after "
                  f"{time.monotonic() - signalled:.1f} s")
        finally:
            if victim.poll() is None:
                os.killpg(victim.pid, signal.SIGKILL)
    assert victim.returncode == 128 + signum, errors
    name = signal.Signals(signum).name
    assert f"stopped by {name}" in errors and "Traceback" not in errors
    with warehouse.connect() as conn:
        run = conn.execute(sa.text("SELECT status, error, finished_at FROM news.ingest_runs")).one()
    assert run.status == "failed" and run.error == f"stopped by {name}" and run.finished_at is not None
    deadline = time.monotonic() + 30
    while not all(_gone(s) for s in servers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(_gone(s) for s in servers), f"Prefect server left running: {[s.pid for s in servers]}"
