"""Request spacing per host, and the wall time of a run over 4 hosts x 20 pages at 0.2 s per host.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.politeness

Four fault sites on 127.0.0.1-127.0.0.4 (all loopback) serve 20 article pages each,
listed in a feed; each source sets ``min_interval = 0.2``. The politeness rules allow
at best 20 x 0.2 = 4 s per host, all hosts in parallel; with robots.txt, the feed and the
sitemap named in robots.txt (the sources list none) a host sees 23 requests, 22 gaps =
4.4 s. Measured at the servers: the smallest gap between two requests to one host, and
the time from the first to the last request over all hosts.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import fault_sites, newsetl, scratch_database, source_entry

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
PAGES = 20
INTERVAL = 0.2


def main() -> int:
    with scratch_database() as url, fault_sites(HOSTS, pages=PAGES, crawl_delay=None) as (servers, hits), \
            tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text("\n".join(source_entry(f"site{i}", host, base, feeds=["/pages.rss"],
                                                  min_interval=INTERVAL)
                                     for i, (host, _, base) in enumerate(servers, start=1)), encoding="utf-8")
        began = time.monotonic()
        result = newsetl(["run", "--sources", str(sources)], {"DATABASE_URL": url, "NEWSETL_BATCH_SIZE": "25"})
        took = time.monotonic() - began
    if result.returncode != 0:
        print(result.stderr[-3000:])
        return 1
    by_host = hits()
    first = min(at for host_hits in by_host.values() for _, at in host_hits)
    last = max(at for host_hits in by_host.values() for _, at in host_hits)
    print(f"{len(HOSTS)} hosts x {PAGES} pages, min_interval {INTERVAL}s per host")
    worst = 1e9
    for host, host_hits in sorted(by_host.items()):
        starts = sorted(at for _, at in host_hits)
        gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
        worst = min(worst, min(gaps))
        print(f"  {host}: {len(starts)} requests over {starts[-1] - starts[0]:.2f}s; gap min {min(gaps):.3f}s, "
              f"median {sorted(gaps)[len(gaps) // 2]:.3f}s")
        waits = [(path, round(b - a, 2)) for (path, a), (_, b) in zip(sorted(host_hits, key=lambda h: h[1]),
                  sorted(host_hits, key=lambda h: h[1])[1:], strict=False) if b - a > 2 * INTERVAL]
        if waits:
            print(f"    gaps over {2 * INTERVAL:.1f}s (path before the gap, seconds): {waits}")
    requests = max(len(host_hits) for host_hits in by_host.values())
    print(f"all hosts, first to last request: {last - first:.2f}s (best case {PAGES * INTERVAL:.1f}s for the pages "
          f"alone, {(requests - 1) * INTERVAL:.1f}s for the {requests} requests per host made)")
    print(f"whole `newsetl run` wall time, Prefect start-up and database included: {took:.1f}s")
    print(f"smallest gap between two requests to one host: {worst:.3f}s vs the configured {INTERVAL}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
