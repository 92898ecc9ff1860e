"""The host schedule shared through the warehouse (``news.host_schedule``): what one process does to a host's
pacing, another sees. Each "process" here is a limiter and an engine of its own, sharing nothing but the
database, as two workers do."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from tasks.errors import HostPaused
from tasks.fetch.hosts import HostLimiter, HostSchedule
from tasks.warehouse import db
from tasks.warehouse import host_schedule as rows


@pytest.fixture
def workers(warehouse, database_url):
    """Two independent (limiter, schedule) pairs on the test warehouse, each with its own engine."""
    engines = [sa.create_engine(db.with_driver(database_url), pool_size=8) for _ in range(2)]
    yield [(HostLimiter(8), HostSchedule(eng)) for eng in engines]
    for eng in engines:
        eng.dispose()


def _run(workers, host: str, per_worker: int, *, connections: int, interval: float, hold: float = 0.0,
         crawl_delay: float | None = None) -> tuple[list[tuple[float, int]], int]:
    """``per_worker`` requests from each worker at once: (start, worker) sorted, and the peak in flight."""
    starts: list[tuple[float, int]] = []
    in_flight, peak = 0, 0
    lock = threading.Lock()

    def one(number: int, limiter: HostLimiter, schedule: HostSchedule) -> None:
        nonlocal in_flight, peak
        with limiter.slot(host, connections=connections, interval=interval, max_wait=5, schedule=schedule,
                          crawl_delay=crawl_delay) as arrived:
            with lock:
                starts.append((time.monotonic(), number))
                in_flight += 1
                peak = max(peak, in_flight)
            arrived()  # as the fetcher does once the response head is in
            time.sleep(hold)
            with lock:
                in_flight -= 1

    threads = [threading.Thread(target=one, args=(n, limiter, schedule))
               for n, (limiter, schedule) in enumerate(workers) for _ in range(per_worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(starts), peak


def _gaps(starts: list[tuple[float, int]]) -> list[float]:
    return [b - a for (a, _), (b, _) in zip(starts, starts[1:], strict=False)]


def test_two_workers_keep_one_spacing_per_host(workers):
    starts, _ = _run(workers, "a.example", 4, connections=4, interval=0.3)
    assert {worker for _, worker in starts} == {0, 1}  # both sent requests
    # Each worker alone would space its own four requests; together, without the schedule, gaps near 0.
    # A start read here is later than the claim's stamp (a round trip, a thread switch: tens of ms on a loaded
    # machine), and the confirmation after it moves the next start past it: every gap is the interval or more.
    assert min(_gaps(starts)) >= 0.3 * 0.99


def test_the_connection_cap_holds_across_workers(workers):
    _, peak = _run(workers, "b.example", 3, connections=2, interval=0, hold=0.1)
    assert peak == 2  # each worker alone would allow 2: 4 in all


def test_retry_after_seen_by_one_worker_pauses_the_host_for_the_other(workers):
    (_, first), (limiter, second) = workers
    first.pause("c.example", 0.4)
    began = time.monotonic()
    with limiter.slot("c.example", connections=1, interval=0, max_wait=5, schedule=second):
        assert time.monotonic() - began >= 0.35
    first.pause("c.example", 60)
    with pytest.raises(HostPaused), limiter.slot("c.example", connections=1, interval=0, max_wait=5,
                                                 schedule=second):
        pass


def test_a_crawl_delay_one_worker_read_paces_the_other_before_it_reads_robots(workers, warehouse):
    (limiter_a, first), (limiter_b, second) = workers
    with limiter_a.slot("d.example", connections=1, interval=0.4, max_wait=5, schedule=first,
                        crawl_delay=0.4) as arrived:
        a_started = time.monotonic()
        arrived()
    # The second worker asks for robots.txt (it has not read it: no Crawl-delay of its own) with 2 connections.
    with limiter_b.slot("d.example", connections=2, interval=0.05, max_wait=5, schedule=second):
        assert time.monotonic() - a_started >= 0.4 * 0.95
    with warehouse.connect() as conn:
        row = conn.execute(sa.text("SELECT crawl_delay, requests, leases FROM news.host_schedule "
                                   "WHERE host = 'd.example'")).one()
    assert (row.crawl_delay, row.requests, row.leases) == (0.4, 2, [])


def test_the_slot_of_a_process_that_died_frees_itself(warehouse):
    # A claim whose lease is 0.2 s, never released (its process was killed mid-request).
    assert rows.claim_start(warehouse, "e.example", interval=0, crawl_delay=None, connections=1, lease=0.2)
    assert rows.claim_start(warehouse, "e.example", interval=0, crawl_delay=None, connections=1, lease=60) is None
    time.sleep(0.25)
    assert rows.claim_start(warehouse, "e.example", interval=0, crawl_delay=None, connections=1, lease=60)


def test_a_request_goes_on_after_the_server_dropped_the_schedule_connections(warehouse):
    """The schedule's connections are not pinged before use: one the server closed between two requests costs
    that statement a second try on a fresh connection, not the request."""
    limiter, schedule = HostLimiter(8), HostSchedule(warehouse)
    with limiter.slot("f.example", connections=1, interval=0, max_wait=5, schedule=schedule) as arrived:
        arrived()
    with db.autocommit_engine(warehouse).connect() as conn:  # the pooled connection the schedule just used
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    with warehouse.connect() as conn:  # as a server restart or an idle timeout would
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    with limiter.slot("f.example", connections=1, interval=0, max_wait=5, schedule=schedule) as arrived:
        arrived()
    with warehouse.connect() as conn:
        row = conn.execute(sa.text("SELECT requests, leases FROM news.host_schedule "
                                   "WHERE host = 'f.example'")).one()
    assert (row.requests, row.leases) == (2, [])
