"""What the benchmarks share: a scratch database, fault sites in a process of their own, the CLI."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).parents[1]


@contextmanager
def scratch_database(prefix: str = "newsetl_bench") -> Iterator[str]:
    """A fresh database ``<prefix>_<random>`` on the server named by DATABASE_URL, never the warehouse
    itself (dropped afterwards); its URL."""
    from tasks.warehouse.db import with_driver

    server = os.environ.get("DATABASE_URL")
    if not server:
        sys.exit("set DATABASE_URL to a Postgres server, e.g. postgresql://postgres@127.0.0.1:5432/postgres")
    server = with_driver(server)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_engine(prefix: str = "newsetl_bench") -> Iterator[sa.Engine]:
    """A scratch database (:func:`scratch_database`), migrated; its engine, disposed before the drop."""
    from tasks.warehouse import db

    with scratch_database(prefix) as url:
        try:
            eng = db.engine(url)
            db.upgrade(eng)
            yield eng
        finally:
            db.dispose_engines()


def reset_schema(eng: sa.Engine) -> None:
    """An empty, migrated ``news`` schema in the scratch database."""
    from tasks.warehouse import db

    with eng.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS news CASCADE"))
    db.upgrade(eng)


def _serve(hosts: list[str], options: dict, ready, stop, hits) -> None:
    from contextlib import ExitStack

    from tests.sites.faults import serve_faults

    with ExitStack() as stack:
        servers = [stack.enter_context(serve_faults(host, **options)) for host in hosts]
        ready.send([(s.host, s.port, s.base) for s in servers])
        stop.wait()
        hits.send({s.host: [(h.path, h.at) for h in s.hits] for s in servers})


@contextmanager
def in_processes(target: Callable, arguments: list[tuple]) -> Iterator[tuple[list, list]]:
    """``target(*args, ready, stop, hits)`` run in a spawned process per ``args`` (a server each, so that its CPU
    and memory are not the measured run's, nor its GIL): yields what each sent on ``ready``, in order, and a
    list that holds what each sent on ``hits`` once the block has ended and ``stop`` was set."""
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    started = []
    for args in arguments:
        ready_recv, ready_send = ctx.Pipe(duplex=False)
        hits_recv, hits_send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=target, args=(*args, ready_send, stop, hits_send), daemon=True)
        process.start()
        started.append((process, ready_recv, hits_recv))
    readies = [ready.recv() for _, ready, _ in started]
    collected: list = []
    try:
        yield readies, collected
    finally:
        stop.set()
        for process, _, hits_recv in started:
            if hits_recv.poll(30):
                collected.append(hits_recv.recv())
            process.join(10)


@contextmanager
def fault_sites(hosts: list[str], **options) -> Iterator[tuple[list[tuple[str, int, str]], callable]]:
    """Fault servers on ``hosts``, each in a process of its own (so they neither count towards the run's memory
    nor share a GIL, which would blur the arrival times they log).

    Yields (host, port, base) per server and a function returning each host's (path, monotonic time) hits,
    filled in when the block ends.
    """
    with in_processes(_serve, [([host], options) for host in hosts]) as (readies, collected):
        yield [server for ready in readies for server in ready], lambda: {h: v for c in collected for h, v in c.items()}


def source_entry(name: str, host: str, base: str, *, feeds: list[str], min_interval: float,
                 max_connections: int = 2) -> str:
    feed_list = ", ".join(f'"{base}{f}"' for f in feeds)
    return (f'[[sources]]\nname = "{name}"\nhomepage = "{base}/"\nfeeds = [{feed_list}]\n'
            f'language = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\nallow_addresses = ["{host}"]\n'
            f"min_interval = {min_interval}\nmax_connections = {max_connections}\n")


def newsetl(args: list[str], env: dict[str, str], wrapper: list[str] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*wrapper, sys.executable, "-m", "flows.cli", *args], env={**os.environ, **env},
                          cwd=ROOT, capture_output=True, text=True)
