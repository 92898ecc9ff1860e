"""Four `newsetl run` processes at once over overlapping sources: no duplicate rows, one story per cluster.

The sources are the two sample sites and a mirror of ``tintuc`` on another address (a
paper republishing every ``tintuc`` article word for word), so the runs race on the same
pages, the same articles and the same near-duplicate clusters.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.sample_site.build import SITE_DIR
from flows.sample_site.server import FEEDS, LOOPBACK_SOURCE_KEYS, _Handler, serve_directory

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).parents[2]
# Which sources each of the four processes ingests: every source by at least two of them.
WORKERS = (None, None, ["baocantho", "tintuc"], ["tintuc", "mirror"])
PAGE_DELAY = 0.25  # seconds per article page, fetched one at a time per source (max_connections = 1)
# Article pages are held until all four runs have started: process start-up on a busy machine
# can take longer than a whole run, and runs that never overlap would test nothing.
ALL_STARTED = threading.Event()


def scalar(eng: sa.Engine, sql: str):
    with eng.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


class _SlowArticles(_Handler):
    """Article pages answer after a pause, so that the four runs are fetching and loading at the same time."""

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        if self.path.endswith(".html"):
            ALL_STARTED.wait(timeout=300)
            time.sleep(PAGE_DELAY)
        super().do_GET()


def test_four_concurrent_runs_store_each_article_once_in_one_consistent_cluster(
        warehouse, database_url, tmp_path, prefect_backend):
    from prefect.settings import PREFECT_API_URL

    shutil.copytree(SITE_DIR / "tintuc", tmp_path / "mirror")
    roots = {"baocantho": SITE_DIR / "baocantho", "tintuc": SITE_DIR / "tintuc", "mirror": tmp_path / "mirror"}
    with ExitStack() as stack:
        sites = {name: stack.enter_context(serve_directory(root)) for name, root in roots.items()}
        for site in sites.values():
            site.server.RequestHandlerClass = _SlowArticles
        sources = tmp_path / "sources.toml"
        sources.write_text("\n".join(
            f'[[sources]]\nname = "{name}"\nhomepage = "{site.base}/"\n'
            f'feeds = ["{site.base}{FEEDS["baocantho" if name == "baocantho" else "tintuc"][0]}"]\n'
            f'sitemaps = ["{site.base}/sitemap.xml"]\nlanguage = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\n'
            f'{LOOPBACK_SOURCE_KEYS}max_connections = 1\n'
            for name, site in sites.items()), encoding="utf-8")
        env = {**os.environ, "DATABASE_URL": database_url, "NEWSETL_BATCH_SIZE": "4", "COLUMNS": "160",
               "PREFECT_API_URL": PREFECT_API_URL.value()}
        procs = [subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--sources", str(sources),
                                   *(["--only", *only] if only else [])],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for only in WORKERS]
        threading.Thread(target=_open_gate_when_started, args=(warehouse, len(WORKERS)), daemon=True).start()
        outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (_, errors) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, errors[-3000:]
    totals = [_total_row(out) for out, _ in outputs]
    # discovered, fetched, new, updated, unchanged, duplicates, rejected: every article inserted by exactly one run
    assert sum(t[2] for t in totals) == 51, totals
    assert sum(t[3] for t in totals) == 0, totals
    print("per-process totals (discovered, fetched, new, updated, unchanged, duplicates, rejected):", totals)
    with warehouse.connect() as conn:
        runs = conn.execute(sa.text("SELECT started_at, finished_at, status FROM news.ingest_runs")).all()
    assert len(runs) == 4 and all(r.status == "completed" for r in runs)
    # The four runs really overlapped: all had started before the first one finished.
    assert max(r.started_at for r in runs) < min(r.finished_at for r in runs), runs

    assert scalar(warehouse, "SELECT count(*) FROM news.articles") == 51
    assert scalar(warehouse, "SELECT count(*) FROM news.pages") == 56  # 18 + 19 + 19 URLs answered
    assert scalar(warehouse, "SELECT count(*) FROM (SELECT source, canonical_url FROM news.articles "
                             "GROUP BY 1, 2 HAVING count(*) > 1) d") == 0
    assert scalar(warehouse, "SELECT count(*) FROM (SELECT source, content_hash FROM news.articles "
                             "GROUP BY 1, 2 HAVING count(*) > 1) d") == 0
    assert scalar(warehouse, "SELECT count(*) FROM news.article_urls u LEFT JOIN news.articles a "
                             "ON a.canonical_url = u.url WHERE a.id IS NULL AND u.url NOT LIKE '%/amp/%'") == 0
    assert scalar(warehouse, "SELECT count(*) FROM news.articles WHERE cluster_id IS NULL") == 0
    assert scalar(warehouse, "SELECT count(*) FROM news.article_versions") == 0
    assert scalar(warehouse, "SELECT max(version) FROM news.articles") == 1
    # 17 baocantho stories alone; 17 tintuc stories, each carried by tintuc and the mirror.
    assert scalar(warehouse, "SELECT count(DISTINCT cluster_id) FROM news.articles") == 34
    assert scalar(warehouse, "SELECT count(*) FROM news.rpt_stories") == 34
    with warehouse.connect() as conn:
        stories = conn.execute(sa.text(
            "SELECT sources, articles FROM news.rpt_stories ORDER BY articles, sources")).all()
        clusters = conn.execute(sa.text(
            "SELECT a.cluster_id, m.cluster_id AS mirror_cluster FROM news.articles a "
            "JOIN news.articles m ON m.source = 'mirror' AND m.content_hash = a.content_hash "
            "WHERE a.source = 'tintuc'")).all()
    assert [tuple(s) for s in stories] == [(["baocantho"], 1)] * 17 + [(["mirror", "tintuc"], 2)] * 17
    assert len(clusters) == 17 and all(c.cluster_id == c.mirror_cluster for c in clusters)
    # Every cluster id is the id of one of its own members (the article that founded it).
    assert scalar(warehouse, "SELECT count(*) FROM news.articles a WHERE NOT EXISTS "
                             "(SELECT 1 FROM news.articles f WHERE f.id = a.cluster_id "
                             "AND f.cluster_id = a.cluster_id)") == 0


def _open_gate_when_started(eng: sa.Engine, runs: int) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and scalar(eng, "SELECT count(*) FROM news.ingest_runs") < runs:
        time.sleep(0.1)
    ALL_STARTED.set()


def _total_row(stdout: str) -> list[int]:
    (line,) = [x for x in stdout.splitlines() if x.startswith("│") and x.split("│")[1].strip() == "total"]
    return [int(c.strip()) for c in line.split("│")[2:-1]]
