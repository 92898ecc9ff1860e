"""The run's readers (``flows.read_pool``): worker processes give the records reading in-process gives,
a page over the time limit is a reject ``timeout`` whose worker is replaced, and no worker outlives the pool."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.read_pool import ReadPool
from flows.sample_site.build import SITE_DIR
from flows.sample_site.server import expected_records
from tasks.config import Source
from tasks.records import FetchedPage
from tests.sites.faults import article_html, slow_read_html


def page_of(body: bytes, url: str = "http://127.0.0.1/a.html") -> FetchedPage:
    return FetchedPage(url, url, 200, {"content-type": "text/html; charset=utf-8"}, body, datetime.now(UTC))


def read_all(pool: ReadPool, jobs: list[tuple[Source, FetchedPage]]) -> list:
    """Every page read by ``pool`` from four threads at once, as a run's fetch threads hand them over."""
    with ThreadPoolExecutor(max_workers=4) as threads:
        return list(threads.map(lambda job: pool.read(*job), jobs))


def spawned_children() -> list[int]:
    """Pids of this process's live children that multiprocessing spawned (its read workers)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(os.getpid()) and b"spawn_main" in cmdline \
                and fields.get("State", "").split()[0] != "Z":
            found.append(int(status.parent.name))
    return found


def test_two_worker_processes_give_the_records_reading_in_process_gives():
    """Every page of the sample sites, as their server sends it."""
    jobs = []
    for record in expected_records():
        base = f"http://127.0.0.1:{8000 + len(record['source'])}"
        source = Source(name=record["source"], title=record["source"], homepage=base + "/", feeds=(base + "/feed",),
                        language="vi", timezone="Asia/Ho_Chi_Minh")
        body = (SITE_DIR / record["source"] / record["path"].lstrip("/")).read_bytes()
        jobs.append((source, page_of(body.replace(b"{{BASE}}", base.encode()), base + record["path"])))
    assert len(jobs) >= 30
    with ReadPool(1) as in_process:
        alone = read_all(in_process, jobs)
        assert in_process.pids == set()
    with ReadPool(2) as pool:
        pooled = read_all(pool, jobs)
        assert len(pool.pids) == 2 and os.getpid() not in pool.pids
    assert pooled == alone
    assert sum(article is not None for article, _ in pooled) == len(jobs)  # not equal by both failing
    assert spawned_children() == []


def test_pages_larger_than_the_byte_budget_are_each_read_alone_and_all_are_read():
    """A budget under every page's size (``NEWSETL_EXTRACT_BYTES``): one page in extraction at a time, the
    four threads queueing behind it, none starved, and the records those of reading in-process."""
    source = Source(name="x", title="x", homepage="http://127.0.0.1/", language="vi")
    jobs = [(source, page_of(article_html(n, "http://127.0.0.1").encode(), f"http://127.0.0.1/a/{n}.html"))
            for n in range(8)]
    with ReadPool(1) as in_process:
        alone = read_all(in_process, jobs)
    with ReadPool(2, budget=1) as pool:
        started = time.monotonic()
        pooled = read_all(pool, jobs)
        assert time.monotonic() - started < 120
    assert pooled == alone and all(article is not None for article, _ in pooled)


def test_a_page_over_the_time_limit_is_a_timeout_reject_and_its_worker_is_replaced():
    source = Source(name="x", title="x", homepage="http://127.0.0.1/", feeds=("http://127.0.0.1/feed",),
                    language="vi")
    slow = page_of(slow_read_html(25_000), "http://127.0.0.1/slow.html")
    good = [page_of(article_html(n, "http://127.0.0.1").encode(), f"http://127.0.0.1/a/{n}.html") for n in range(4)]
    with ReadPool(2, timeout=2) as pool:
        pool.start()
        before = pool.pids
        started = time.monotonic()
        results = read_all(pool, [(source, slow), *((source, page) for page in good)])
        took = time.monotonic() - started
        after = pool.pids
    (slow_article, slow_reject), *rest = results
    assert slow_article is None
    assert (slow_reject.stage, slow_reject.code, slow_reject.url) == ("extract", "timeout", slow.url)
    assert "took over 2 s" in slow_reject.detail
    assert all(article is not None and reject is None for article, reject in rest)
    assert len(after) == 2 and len(before - after) == 1  # the one that hung was killed and replaced
    assert took < 60, took  # the slow page alone would take far longer when it is not cut off under load
    assert spawned_children() == []


def test_in_process_reading_has_no_time_limit_and_starts_no_process():
    source = Source(name="x", title="x", homepage="http://127.0.0.1/", feeds=("http://127.0.0.1/feed",),
                    language="vi")
    with ReadPool(1, timeout=0.001) as pool:
        article, reject = pool.read(source, page_of(article_html(0, "http://127.0.0.1").encode()))
        assert reject is None and article is not None
        assert spawned_children() == []


@pytest.mark.parametrize("processes", [1, 2])
def test_reading_after_the_pool_is_closed_never_hangs(processes):
    pool = ReadPool(processes)
    pool.start()
    pool.close()
    assert spawned_children() == []
    if processes > 1:
        with pytest.raises(RuntimeError, match="stopped"):
            pool.read(Source(name="x", title="x", homepage="http://127.0.0.1/", feeds=("http://127.0.0.1/f",)),
                      page_of(b"<html></html>"))
