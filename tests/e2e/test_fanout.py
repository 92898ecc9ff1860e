"""One fan-out over two Prefect workers: several processes fetch the same hosts, and the hosts are still paced.

Four fault sites on 127.0.0.1-127.0.0.4, each with two sources (every other page each, from a sitemap of
its own), dealt into four shards so that each host's two sources are in different child runs; two
process workers with two slots each (one holds the parent), so the children run on both at once. Each
worker sends its own User-Agent, which its flow runs inherit, so each site's log says who sent what.
"""

from __future__ import annotations

import json
import os
import urllib.request
from contextlib import ExitStack

import pytest
import sqlalchemy as sa

from tests.sites.faults import serve_faults
from tests.workers import AGENT, fanout_over_workers

pytestmark = pytest.mark.e2e

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
PAGES = 6  # per host: three per source
INTERVAL = 1.0  # each source's min_interval (the default)
SHARDS = 4


def sources_toml(sites) -> str:
    """Two sources per site, one after the other: the round-robin deal puts them in different shards."""
    entries = []
    for i, site in enumerate(sites, start=1):
        for k, part in enumerate("ab", start=1):
            entries.append(
                f'[[sources]]\nname = "site{i}{part}"\nhomepage = "{site.base}/"\n'
                f'sitemaps = ["{site.base}/part-{k}-of-2.xml"]\nlanguage = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\n'
                f'allow_addresses = ["{site.host}"]\nmin_interval = {INTERVAL}\nmax_connections = 2\n')
    return "\n".join(entries)


def smallest_gaps(sites) -> dict[str, float]:
    gaps = {}
    for site in sites:
        starts = sorted(hit.at for hit in site.hits)
        gaps[site.host] = min(b - a for a, b in zip(starts, starts[1:], strict=False))
    return gaps


def artifact(api: str, key: str) -> list[dict]:
    request = urllib.request.Request(f"{api}/artifacts/filter", method="POST",
                                     data=json.dumps({"artifacts": {"key": {"any_": [key]}}}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        (found,) = json.loads(response.read())
    return json.loads(found["data"]) if isinstance(found["data"], str) else found["data"]


def test_a_fanout_on_two_workers_loads_every_page_once_and_keeps_each_hosts_spacing(
        prefect_server, warehouse, database_url, tmp_path):
    with ExitStack() as stack:
        sites = [stack.enter_context(serve_faults(host, crawl_delay=None, pages=PAGES, article_offset=i * PAGES))
                 for i, host in enumerate(HOSTS)]
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(sites), encoding="utf-8")
        env = {**os.environ, **prefect_server.env, "DATABASE_URL": database_url}
        run = fanout_over_workers(2, env=env, sources_file=sources, shards=SHARDS, tmp=tmp_path)
        assert run.returncode == 0, run.output[-3000:] + "\n".join(log[-2000:] for log in run.worker_logs)
        assert "Completed" in run.output, run.output[-3000:]

        with warehouse.connect() as conn:
            urls = conn.execute(sa.text("SELECT url FROM news.articles")).scalars().all()
            runs = conn.execute(sa.text("SELECT flow_run_id, status, sources, new FROM news.ingest_runs")).all()
        gaps = smallest_gaps(sites)
        senders = {site.host: {hit.headers.get("user-agent") for hit in site.hits} for site in sites}

    # Every page loaded once: one row per page of every site, no URL twice, nothing else.
    expected = {f"{site.base}/a/{n}.html" for site in sites for n in range(PAGES)}
    assert len(urls) == len(set(urls)) == len(expected)
    assert set(urls) == expected
    # Every child completed, each an ingest run of its own, and the parent's summary adds them up.
    assert len(runs) == SHARDS and {r.status for r in runs} == {"completed"}
    assert sorted(name for r in runs for name in r.sources) == sorted(f"site{i}{p}" for i in range(1, 5) for p in "ab")
    totals = artifact(prefect_server.api, "ingest-fanout-summary")[-1]
    assert totals["source"] == "total" and totals["new"] == sum(r.new for r in runs) == len(expected)
    # Both workers ran child runs (the User-Agent of each worker's flow runs).
    agents = set().union(*senders.values())
    assert agents == {AGENT.format(n=1), AGENT.format(n=2)}, senders
    # Each host's requests, whichever worker sent them, at least the interval apart (5 % for the clock).
    assert all(gap >= 0.95 * INTERVAL for gap in gaps.values()), gaps
    print(f"\nfan-out on 2 workers: {len(urls)} rows, {len(urls) - len(set(urls))} duplicates, "
          f"{run.seconds:.1f}s from trigger to end; smallest gap per host (interval {INTERVAL}s): "
          + ", ".join(f"{host} {gap:.3f}s ({len(senders[host])} workers)" for host, gap in gaps.items()))
