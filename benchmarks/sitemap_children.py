"""A sitemap index's children read side by side within the host's pacing, against one after another.

Usage: python -m benchmarks.sitemap_children

A fault site on 127.0.0.1 serves an index of 100 child sitemaps, each answering after 0.3 s (a busy
server); the source sets ``min_interval = 0.1`` and ``max_connections = 4``. One after another that is
100 x (0.3 s + parsing) at least; the pacing allows 100 x 0.1 s = 10 s at best. Discovery runs in this
process (no database, no Prefect), once with the children a few at a time (as shipped) and once with
one worker, and prints the wall time of each and the gaps between request starts as the server saw them.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import tasks.discover as discover
from tasks.config import load_sources
from tasks.fetch.client import Fetcher
from tests.sites.faults import serve_faults

CHILDREN = 100
LATENCY = 0.3
INTERVAL = 0.1
CONNECTIONS = 4


def measure(workers: int) -> tuple[float, list[float], int]:
    """Wall time of discovery, the gaps between the children's request starts, and the rejects."""
    shipped = discover.MAX_SITEMAP_WORKERS
    discover.MAX_SITEMAP_WORKERS = workers
    try:
        with serve_faults(crawl_delay=None, slow_children=CHILDREN, child_latency=LATENCY) as site, \
                tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "sources.toml"
            path.write_text(site.source_toml(feeds=(), sitemaps=("/sitemap-slow-index.xml",), min_interval=INTERVAL,
                                             max_connections=CONNECTIONS), encoding="utf-8")
            source = load_sources(path)[0]
            with Fetcher(source=source) as fetcher:
                fetcher.robots_rules(site.base + "/")
                began = time.monotonic()
                found = discover.discover_source(source, fetcher)
                took = time.monotonic() - began
            starts = [h.at for h in site.hits if h.path.startswith("/sitemap-slow")]
    finally:
        discover.MAX_SITEMAP_WORKERS = shipped
    return took, [b - a for a, b in zip(starts, starts[1:], strict=False)], len(found.rejects)


def main() -> int:
    print(f"index of {CHILDREN} children, {LATENCY} s each, min_interval {INTERVAL} s, {CONNECTIONS} connections; "
          f"best case {CHILDREN * INTERVAL:.1f} s")
    for label, workers in (("side by side", discover.MAX_SITEMAP_WORKERS), ("one after another", 1)):
        took, gaps, rejects = measure(workers)
        spaced = sum(g >= 0.8 * INTERVAL for g in gaps) / len(gaps)
        print(f"{label:>17}: {took:6.2f} s; mean gap {sum(gaps) / len(gaps):.3f} s, smallest {min(gaps):.3f} s, "
              f"{spaced:.0%} of gaps >= 0.8 x min_interval; rejects {rejects}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
