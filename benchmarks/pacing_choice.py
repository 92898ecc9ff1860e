"""The two ways of pacing a host across workers the issue offered, measured side by side.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.pacing_choice

1. Prefect's global concurrency limit with a ``rate_limit`` decay (a Prefect server of its own,
   temporary home): a limit of 1 slot decaying at 1/interval per second, created ahead, and two
   processes each calling ``rate_limit(name, strict=True)`` 8 times as fast as they can.
2. The warehouse's host schedule (``news.host_schedule``, a scratch database): two processes each
   claiming, confirming and releasing 8 starts of one host at the same interval.

Printed for each: the smallest and median gap between two starts, whichever process made them,
against the interval, and the cost of one uncontended acquisition (interval 0 / a fresh limit).
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import scratch_database

INTERVAL = 0.5
PER_PROCESS = 8
NAME = "host-127.0.0.1"


def _prefect_worker(api: str, home: str, name: str, out) -> None:
    os.environ.update({"PREFECT_API_URL": api, "PREFECT_HOME": home})
    from prefect.concurrency.sync import rate_limit

    starts = []
    for _ in range(PER_PROCESS):
        rate_limit(name, strict=True)
        starts.append(time.time())
    out.send(starts)


def _schedule_worker(url: str, host: str, interval: float, out) -> None:
    from tasks.fetch.hosts import HostLimiter, HostSchedule
    from tasks.warehouse import db

    schedule, limiter = HostSchedule(db.engine(url)), HostLimiter(8)
    starts = []
    for _ in range(PER_PROCESS):
        with limiter.slot(host, connections=1, interval=interval, max_wait=30, schedule=schedule) as arrived:
            starts.append(time.time())
            arrived()
    out.send(starts)


def _in_processes(target, *args) -> list[float]:
    ctx = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for _ in range(2):
        recv, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=target, args=(*args, send))
        process.start()
        pipes.append(recv)
        processes.append(process)
    starts = sorted(t for recv in pipes for t in recv.recv())
    for process in processes:
        process.join(30)
    return starts


def _report(what: str, starts: list[float], interval: float, acquire_ms: float) -> None:
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    print(f"{what}: {len(starts)} starts from 2 processes; gap min {min(gaps):.3f}s, median "
          f"{statistics.median(gaps):.3f}s (interval {interval}s); one uncontended acquisition {acquire_ms:.1f} ms")


def prefect_limits() -> None:
    from flows.prefect_server import local_prefect_server

    with tempfile.TemporaryDirectory() as home:
        env = {"PREFECT_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        with local_prefect_server(port=4220, env=env) as api:
            os.environ.update({"PREFECT_API_URL": api, "PREFECT_HOME": home})
            from prefect.client.orchestration import get_client
            from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
            from prefect.concurrency.sync import rate_limit

            with get_client(sync_client=True) as client:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name=NAME, limit=1, slot_decay_per_second=1 / INTERVAL))
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(
                    name="fast", limit=1000, slot_decay_per_second=1000))
            rate_limit("fast", strict=True)  # the client's first connection, not counted
            began = time.perf_counter()
            for _ in range(20):
                rate_limit("fast", strict=True)
            acquire_ms = (time.perf_counter() - began) / 20 * 1000
            _report("Prefect rate_limit (limit 1, decay 1/interval)", _in_processes(_prefect_worker, api, home, NAME),
                    INTERVAL, acquire_ms)


def host_schedule() -> None:
    from tasks.fetch.hosts import HostLimiter, HostSchedule
    from tasks.warehouse import db

    with scratch_database("newsetl_pacing") as url:
        db.upgrade(db.engine(url))
        schedule, limiter = HostSchedule(db.engine(url)), HostLimiter(8)
        with limiter.slot("warm.example", connections=1, interval=0, max_wait=5, schedule=schedule) as arrived:
            arrived()
        began = time.perf_counter()
        for _ in range(50):
            with limiter.slot("fast.example", connections=8, interval=0, max_wait=5, schedule=schedule) as arrived:
                arrived()
        acquire_ms = (time.perf_counter() - began) / 50 * 1000
        starts = _in_processes(_schedule_worker, url, "127.0.0.1", INTERVAL)
        _report("news.host_schedule (claim, confirm, release)", starts, INTERVAL, acquire_ms)
        db.dispose_engines()


def main() -> int:
    sys.path.insert(0, str(Path(__file__).parents[1]))
    prefect_limits()
    host_schedule()
    return 0


if __name__ == "__main__":
    sys.exit(main())
