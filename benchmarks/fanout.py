"""One fan-out on one Prefect worker and on two: wall time, rows, duplicates, smallest gap per host.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.fanout

A Prefect server of its own (temporary home, scheduler off), a scratch database, and the e2e test's
sites: four fault sites on 127.0.0.1-127.0.0.4 with 6 pages each, two sources per site (three pages
each, ``min_interval`` 1 s), dealt into three shards. Each worker has two slots; the parent holds one.
With one worker the three children run one after another; with two, at once (3 free slots). The wall
time is from `prefect deployment run` to the end of its watch, deploys and worker start-ups excluded.
"""

from __future__ import annotations

import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import reset_schema, scratch_database
from flows.prefect_server import local_prefect_server
from tests.sites.faults import serve_faults
from tests.workers import deployed_pool, smallest_gaps, two_sources_per_site

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
PAGES = 6
INTERVAL = 1.0
SHARDS = 3


def main() -> int:
    with scratch_database("newsetl_fanout") as url, tempfile.TemporaryDirectory() as tmp:
        from tasks.warehouse import db

        eng = db.engine(url)
        home = {"PREFECT_HOME": str(Path(tmp) / "prefect"), "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        with local_prefect_server(port=4210, env=home) as api:
            env = {**os.environ, **home, "PREFECT_API_URL": api, "DATABASE_URL": url}
            for workers in (1, 2):
                reset_schema(eng)
                work = Path(tmp) / f"workers-{workers}"
                work.mkdir()
                with ExitStack() as stack:
                    sites = [stack.enter_context(serve_faults(host, crawl_delay=None, pages=PAGES,
                                                              article_offset=i * PAGES))
                             for i, host in enumerate(HOSTS)]
                    sources = work / "sources.toml"
                    sources.write_text(two_sources_per_site(sites, INTERVAL), encoding="utf-8")
                    with deployed_pool(workers, env, work) as pool:
                        run = pool.run_fanout(sources, SHARDS)
                    gaps = smallest_gaps(sites)
                    agents = {site.host: len({h.headers.get("user-agent") for h in site.hits}) for site in sites}
                if run.returncode != 0:
                    print(run.output[-3000:])
                    return 1
                with eng.connect() as conn:
                    rows, distinct = conn.execute(
                        sa.text("SELECT count(*), count(DISTINCT url) FROM news.articles")).one()
                    span = conn.execute(sa.text("SELECT extract(epoch FROM max(finished_at) - min(started_at)) "
                                                "FROM news.ingest_runs")).scalar_one()
                print(f"{workers} worker(s), {SHARDS} shards: {run.seconds:.1f}s from trigger to the parent's end "
                      f"(children's runs {float(span):.1f}s); {rows} rows, {rows - distinct} duplicates; "
                      f"smallest gap per host (interval {INTERVAL}s): "
                      + ", ".join(f"{host} {gap:.3f}s ({agents[host]} workers)" for host, gap in gaps.items()))
        db.dispose_engines()
    return 0


if __name__ == "__main__":
    sys.exit(main())
