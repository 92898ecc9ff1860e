"""One fan-out over two Prefect workers: several processes fetch the same hosts, and the hosts are still paced.

Four fault sites on 127.0.0.1-127.0.0.4, each with two sources (every other page each, from a sitemap of
its own), dealt into three shards so that each host's two sources are in different child runs. Two
process workers with two slots each: one slot holds the parent, which leaves exactly three for the
three children, so they run at once and both workers run some (one worker can take two at most). Each
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
from tests.workers import AGENT, Pool, deployed_pool, smallest_gaps, two_sources_per_site

pytestmark = pytest.mark.e2e

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
PAGES = 6  # per host: three per source
INTERVAL = 1.0  # each source's min_interval (the default)
SHARDS = 3


@pytest.fixture(scope="module")
def pool(prefect_server, database_url, tmp_path_factory):
    """prefect.yaml deployed, two workers of two slots each on its pool, for this module's fan-outs."""
    env = {**os.environ, **prefect_server.env, "DATABASE_URL": database_url}
    with deployed_pool(2, env, tmp_path_factory.mktemp("pool")) as deployed:
        yield deployed


def api_post(api: str, path: str, body: dict) -> object:
    request = urllib.request.Request(f"{api}/{path}", method="POST", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def artifact(api: str, key: str) -> list[dict]:
    (found,) = api_post(api, "artifacts/filter", {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC",
                                                  "limit": 1})
    return json.loads(found["data"]) if isinstance(found["data"], str) else found["data"]


def test_a_fanout_on_two_workers_loads_every_page_once_and_keeps_each_hosts_spacing(
        pool: Pool, prefect_server, warehouse, tmp_path):
    with ExitStack() as stack:
        sites = [stack.enter_context(serve_faults(host, crawl_delay=None, pages=PAGES, article_offset=i * PAGES))
                 for i, host in enumerate(HOSTS)]
        sources = tmp_path / "sources.toml"
        sources.write_text(two_sources_per_site(sites, INTERVAL), encoding="utf-8")
        run = pool.run_fanout(sources, SHARDS)
        assert run.returncode == 0, run.output[-3000:] + pool.logs()
        assert "Completed" in run.output, run.output[-3000:]

        with warehouse.connect() as conn:
            urls = conn.execute(sa.text("SELECT url FROM news.articles")).scalars().all()
            runs = conn.execute(sa.text("SELECT flow_run_id, status, sources, new, started_at, finished_at "
                                        "FROM news.ingest_runs")).all()
        gaps = smallest_gaps(sites)
        senders = {site.host: {hit.headers.get("user-agent") for hit in site.hits} for site in sites}
        first = min(hit.at for site in sites for hit in site.hits)
        last = max(hit.at for site in sites for hit in site.hits)

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
    children = max(r.finished_at for r in runs) - min(r.started_at for r in runs)
    print(f"\nfan-out on 2 workers: {len(urls)} rows, {len(urls) - len(set(urls))} duplicates, "
          f"{run.seconds:.1f}s from trigger to the parent's end, children's runs {children.total_seconds():.1f}s, "
          f"first to last request {last - first:.1f}s; smallest gap per host (interval {INTERVAL}s): "
          + ", ".join(f"{host} {gap:.3f}s ({len(senders[host])} workers)" for host, gap in gaps.items()))


def test_a_child_that_fails_fails_the_fanout_naming_it_and_the_others_still_load(pool: Pool, prefect_server,
                                                                                 warehouse, tmp_path):
    with serve_faults("127.0.0.1", crawl_delay=None, pages=2) as alive, \
            serve_faults("127.0.0.2", crawl_delay=None, down=True) as dead:
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(
            f'[[sources]]\nname = "{name}"\nhomepage = "{site.base}/"\nsitemaps = ["{site.base}/part-1-of-1.xml"]\n'
            f'language = "vi"\nallow_addresses = ["{site.host}"]\nmin_interval = 0.2\n'
            for name, site in (("alive", alive), ("dead", dead))), encoding="utf-8")
        run = pool.run_fanout(sources, 2)
    assert run.returncode != 0 and "Failed" in run.output, run.output[-3000:]
    with urllib.request.urlopen(f"{prefect_server.api}/flow_runs/{run.flow_run_id}", timeout=30) as response:
        state = json.loads(response.read())["state"]
    assert state["type"] == "FAILED"
    assert "1 of 2 child runs did not complete" in state["message"] and "dead" in state["message"], state
    assert "every source failed entirely" in state["message"]
    with warehouse.connect() as conn:
        runs = dict(conn.execute(sa.text("SELECT array_to_string(sources, ','), status FROM news.ingest_runs")).all())
        loaded = conn.execute(sa.text("SELECT count(*) FROM news.articles WHERE source = 'alive'")).scalar_one()
    assert runs == {"alive": "completed", "dead": "failed"} and loaded == 2
    totals = artifact(prefect_server.api, "ingest-fanout-summary")[-1]
    assert totals["new"] == 2
