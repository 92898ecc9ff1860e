"""Corrections after publication: a re-fetched page whose text changed becomes version 2; reprocess needs no fetch."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.ingest import ingest
from flows.reprocess import reprocess
from flows.sample_site.build import SITE_DIR
from flows.sample_site.server import FEEDS, LOOPBACK_SOURCE_KEYS, RunningSite, serve_directory

pytestmark = pytest.mark.e2e
PAGE = "kinh-te/nha-vuon-phong-dien-trung-mua-sau-rieng.html"
OLD = "thưởng thức sầu riêng tại vườn với giá vé từ 80.000 đến 120.000 đồng/người."
NEW = "thưởng thức sầu riêng tại vườn với giá vé từ 90.000 đến 150.000 đồng/người (đã đính chính)."


@pytest.fixture
def editable_site(tmp_path: Path) -> Iterator[tuple[RunningSite, Path]]:
    """A copy of the baocantho sample site that the test can edit, and its sources file."""
    root = tmp_path / "baocantho"
    shutil.copytree(SITE_DIR / "baocantho", root)
    with serve_directory(root) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'[[sources]]\nname = "baocantho"\nhomepage = "{site.base}/"\n'
                           f'feeds = ["{site.base}{FEEDS["baocantho"][0]}"]\nsitemaps = ["{site.base}/sitemap.xml"]\n'
                           f'language = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\n{LOOPBACK_SOURCE_KEYS}', encoding="utf-8")
        yield site, sources


def one(eng: sa.Engine, sql: str, **params) -> sa.Row:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def test_a_corrected_article_is_refetched_while_young_and_kept_as_two_versions(
        warehouse, editable_site, prefect_backend, monkeypatch):
    site, sources = editable_site
    first = ingest(sources_file=str(sources))
    assert (first.totals.new, first.totals.fetched) == (17, 18)
    page = Path(site.server.root) / PAGE
    page.write_text(page.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")

    # Default policy: the sample articles are older than two days, so nothing is fetched again.
    assert ingest(sources_file=str(sources)).totals.fetched == 0
    # A policy that counts them as young: every article page is fetched again; one changed.
    monkeypatch.setenv("NEWSETL_REFETCH_DAYS", "36500")
    again = ingest(sources_file=str(sources))
    t = again.totals
    assert (t.fetched, t.new, t.updated, t.unchanged, t.duplicates) == (17, 0, 1, 16, 0)

    row = one(warehouse, "SELECT id, version, body, run_id, cluster_id FROM news.articles WHERE url LIKE :u",
              u=f"%/{PAGE}")
    old = one(warehouse, "SELECT * FROM news.article_versions")
    assert (row.version, row.run_id, row.cluster_id) == (2, again.run_id, row.id)
    assert NEW in row.body and OLD not in row.body
    assert (old.article_id, old.version, old.run_id) == (row.id, 1, again.run_id)
    assert OLD in old.body and NEW not in old.body
    assert one(warehouse, "SELECT count(*) AS n FROM news.articles WHERE version > 1").n == 1


def test_a_young_article_that_answers_304_is_only_marked_seen(warehouse, editable_site, prefect_backend,
                                                               monkeypatch):
    site, sources = editable_site
    site.server.etags = True
    monkeypatch.setenv("NEWSETL_REFETCH_DAYS", "36500")  # every sample article counts as young
    first = ingest(sources_file=str(sources))
    assert (first.totals.new, first.totals.not_modified) == (17, 0)
    page = Path(site.server.root) / PAGE
    page.write_text(page.read_text(encoding="utf-8").replace(OLD, NEW), encoding="utf-8")

    again = ingest(sources_file=str(sources))
    t = again.totals
    # 17 conditional re-fetches: the corrected page answers 200 and is revised, the other 16 answer 304;
    # so does the sitemap index (it lists no articles, so its validators were kept; its children are read).
    assert (t.fetched, t.new, t.updated, t.not_modified) == (17, 0, 1, 16 + 1)
    assert sum(p.endswith(".html") for p in site.requests) == 18 + 17
    started = one(warehouse, "SELECT started_at FROM news.ingest_runs WHERE id = :r", r=again.run_id).started_at
    seen = one(warehouse, "SELECT count(*) FILTER (WHERE last_seen_at >= :s) AS seen, "
                          "count(*) FILTER (WHERE version = 1) AS v1 FROM news.articles", s=started)
    assert (seen.seen, seen.v1) == (17, 16)  # all seen in this run; only the corrected one has a new version


def test_reprocess_reextracts_stored_pages_without_fetching(warehouse, editable_site, prefect_backend):
    site, sources = editable_site
    ingest(sources_file=str(sources))
    requests_before = len(site.requests)
    # As if the page had been stored with the corrected text (or the extractor now reads it differently).
    with warehouse.begin() as conn:
        body = gzip.decompress(conn.execute(sa.text("SELECT body_gzip FROM news.pages WHERE url LIKE :u"),
                                            {"u": f"%/{PAGE}"}).scalar_one())
        conn.execute(sa.text("UPDATE news.pages SET body_gzip = :b WHERE url LIKE :u"),
                     {"b": gzip.compress(body.decode().replace(OLD, NEW).encode()), "u": f"%/{PAGE}"})

    summary = reprocess(sources_file=str(sources), batch_size=5)
    assert summary.status == "completed"
    t = summary.totals
    # 18 stored 200 pages: 17 articles (one changed) and the page without an article (a reject again).
    assert (t.discovered, t.fetched, t.new, t.updated, t.unchanged, t.rejected) == (18, 0, 0, 1, 16, 1)
    assert len(site.requests) == requests_before  # nothing fetched
    row = one(warehouse, "SELECT version, body FROM news.articles WHERE url LIKE :u", u=f"%/{PAGE}")
    assert row.version == 2 and NEW in row.body
    assert one(warehouse, "SELECT count(*) AS n FROM news.article_versions").n == 1
    assert one(warehouse, "SELECT count(*) AS n FROM news.rejects WHERE run_id = :r AND stage = 'extract'",
               r=summary.run_id).n == 1


def test_reprocess_command_prints_the_summary_and_names_an_unknown_source(warehouse, database_url,
                                                                         sample_sources_file):
    from test_cli import newsetl, summary_rows

    env = {"DATABASE_URL": database_url}
    assert newsetl("run", "--sources", str(sample_sources_file), env=env).returncode == 0
    result = newsetl("reprocess", "--sources", str(sample_sources_file), env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    # discovered (stored pages read), fetched, new, updated, unchanged, duplicates (the AMP copy), rejected,
    # not modified (no requests are made)
    assert summary_rows(result.stdout)["total"] == ["36", "0", "0", "0", "34", "1", "1", "0"]
    wrong = newsetl("reprocess", "--only", "nope", env=env)
    assert wrong.returncode == 2 and "no pages stored for source nope" in wrong.stderr


def test_reprocess_takes_url_rules_from_the_sources_file_only_for_the_same_site(warehouse, tmp_path):
    from flows.reprocess import warehouse_sources
    from tasks.config import Source
    from tasks.warehouse.runs import sync_sources

    sync_sources(warehouse, [Source(name="a", title="A", homepage="http://127.0.0.1:8001/"),
                             Source(name="b", title="B", homepage="http://127.0.0.1:8002/")])
    file = tmp_path / "sources.toml"
    file.write_text('[[sources]]\nname = "a"\nhomepage = "http://127.0.0.1:8001/"\nfeeds = ["http://127.0.0.1:8001/r"]\n'
                    'amp_paths = true\n\n[[sources]]\nname = "b"\nhomepage = "http://127.0.0.1:9999/"\n'
                    'feeds = ["http://127.0.0.1:9999/r"]\namp_paths = true\n', encoding="utf-8")
    sources = warehouse_sources(str(file), None)
    assert sources["a"].amp_paths and sources["a"].homepage == "http://127.0.0.1:8001/"
    assert not sources["b"].amp_paths and sources["b"].homepage == "http://127.0.0.1:8002/"
