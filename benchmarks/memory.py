"""Peak memory of a run whose pages are a 1 GB endless body and a gzip bomb that inflates to 1 GB.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.memory

Runs ``newsetl run`` under ``/usr/bin/time -v`` against a fault site served from another
process, and prints the run's maximum resident set size and its rejects. The body limit
is the default (NEWSETL_MAX_BYTES, 5 MB), so both bodies must be cut off early.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import fault_sites, newsetl, scratch_database, source_entry

GB = 1_000_000_000


def main() -> int:
    with scratch_database() as url, fault_sites(["127.0.0.1"], bomb_size=GB, endless_size=GB,
                                                crawl_delay=None) as (servers, _), \
            tempfile.TemporaryDirectory() as tmp:
        host, _, base = servers[0]
        sources = Path(tmp) / "sources.toml"
        sources.write_text(source_entry("bombs", host, base, feeds=["/bombs.rss"], min_interval=0.1),
                           encoding="utf-8")
        baseline_sources = Path(tmp) / "baseline.toml"
        baseline_sources.write_text(source_entry("plain", host, base, feeds=["/pages.rss"], min_interval=0.1),
                                    encoding="utf-8")
        baseline = _peak(newsetl(["run", "--sources", str(baseline_sources)], {"DATABASE_URL": url},
                                 wrapper=["/usr/bin/time", "-v"]))
        began = time.monotonic()
        result = newsetl(["run", "--sources", str(sources)], {"DATABASE_URL": url}, wrapper=["/usr/bin/time", "-v"])
        took = time.monotonic() - began
        peak = _peak(result)
        eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        with eng.connect() as conn:
            rejects = conn.execute(sa.text("SELECT url, reason FROM news.rejects WHERE source = 'bombs' "
                                           "ORDER BY url")).all()
        eng.dispose()
    print(f"exit code {result.returncode}, wall {took:.1f}s (Prefect start-up included)")
    print(f"peak RSS: {peak / 1024:.0f} MB (a run over 3 plain pages: {baseline / 1024:.0f} MB)"
          if peak else result.stderr[-2000:])
    for row in rejects:
        print(f"reject {row.url.rsplit('/', 1)[-1]}: {row.reason}")
    return 0 if peak and peak < 300 * 1024 and len(rejects) == 2 else 1


def _peak(result) -> int:
    """Maximum resident set size in kB, as /usr/bin/time -v reports it."""
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return int(found.group(1)) if found else 0


if __name__ == "__main__":
    sys.exit(main())
