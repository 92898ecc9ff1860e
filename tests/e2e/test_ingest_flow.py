"""The real Prefect flow against the sample sites and a real Postgres: rows, counts, rejects, idempotence."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from flows.ingest import ingest
from flows.runs import RunSummary
from flows.sample_site.server import expected_records
from tasks.errors import SourcesFailed

pytestmark = pytest.mark.e2e
LISTINGS = {"/rss/tin-moi.rss", "/sitemap.xml", "/sitemaps/news.xml", "/feed.atom"}


def rows(eng: sa.Engine, sql: str, **params) -> list[sa.Row]:
    with eng.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def test_ingest_end_to_end_then_second_run_adds_nothing(warehouse, sample_sites, sample_sources_file,
                                                        prefect_backend, monkeypatch):
    # 7 pages per batch: three batches per source, so duplicates must be caught across batches.
    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "7")
    first_requests = {name: len(site.requests) for name, site in sample_sites.items()}
    summary = ingest(sources_file=str(sample_sources_file))

    assert summary.status == "completed", summary.errors
    stats = {s.source: s for s in summary.sources}
    # baocantho: 17 articles + the broken page; the RSS links carry tracking parameters,
    # the sitemap lists the same pages clean: each page is fetched once.
    b = stats["baocantho"]
    assert (b.discovered, b.fetched, b.new, b.duplicates, b.rejected) == (18, 18, 17, 0, 1)
    # tintuc: 17 articles + an AMP copy of one (a duplicate) + a removed article (404).
    t = stats["tintuc"]
    assert (t.discovered, t.fetched, t.new, t.duplicates, t.rejected) == (19, 19, 17, 1, 1)
    fetched_paths = [p.split("?")[0] for name, site in sample_sites.items()
                     for p in site.requests[first_requests[name]:]]
    assert fetched_paths.count("/thoi-su/ban-thuong-vu-thanh-uy-can-tho-kiem-diem-2017.html") == 1

    # Every field of every article row is the expected record's.
    for record in expected_records():
        base = sample_sites[record["source"]].base
        (row,) = rows(warehouse, "SELECT * FROM news.articles WHERE canonical_url = :u",
                      u=base + record["canonical_path"])
        assert row.source == record["source"]
        assert row.url == base + record["path"]
        for field in ("title", "dateline", "lead", "body", "captions", "authors", "byline", "section", "tags",
                      "language"):
            assert getattr(row, field) == record[field], (record["path"], field)
        assert row.published_at == datetime.fromisoformat(record["published_at"]), record["path"]
        assert row.image_url == base + record["image_path"]
        # "feed" only for the page that prints no date; the others say which page signal won.
        assert (row.provenance["published_at"] == "feed") == (record["published_from"] == "feed")
        assert row.run_id == summary.run_id

    rejects = rows(warehouse, "SELECT source, url, stage, reason_code, reason, http_status FROM news.rejects "
                              "ORDER BY source")
    assert [(r.source, r.url.rsplit("/", 1)[-1], r.stage, r.reason_code, r.reason, r.http_status)
            for r in rejects] == [
        ("baocantho", "loi-trang.html", "extract", "no_text", "no article text found", 200),
        ("tintuc", "bai-da-go-bo.html", "fetch", "http_status", "HTTP 404", 404),
    ]
    (run,) = rows(warehouse, "SELECT * FROM news.ingest_runs")
    assert (run.status, run.discovered, run.fetched, run.new, run.duplicates, run.rejected) == (
        "completed", 37, 37, 34, 1, 2)
    assert run.finished_at is not None and str(run.flow_run_id) == summary.flow_run_id
    assert rows(warehouse, "SELECT count(*) FROM news.pages")[0][0] == 37
    assert rows(warehouse, "SELECT count(*) FROM news.ingest_run_sources WHERE run_id = :r", r=run.id)[0][0] == 2

    # The flow and its tasks are real Prefect runs.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(summary.flow_run_id)
        task_runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id])))
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run.id])))
    assert artifact.key == "ingest-summary" and artifact.type == "table"
    assert {"source": "total", "discovered": 37, "fetched": 37, "new": 34, "updated": 0, "unchanged": 0,
            "duplicates": 1, "rejected": 2, "not_modified": 0, "error": "", "health": ""} in json.loads(artifact.data)
    assert flow_run.state.is_completed()
    # A task per source (its batches run one after another inside it), never per batch or URL.
    assert sorted(tr.name for tr in task_runs) == ["discover-baocantho", "discover-tintuc",
                                                  "ingest-baocantho", "ingest-tintuc"]
    assert all(tr.state.is_completed() for tr in task_runs)

    # Second run over unchanged sites: listings only, no article page, no new row.
    before = {name: len(site.requests) for name, site in sample_sites.items()}
    assert before != first_requests
    again = ingest(sources_file=str(sample_sources_file))
    new_paths = {p.split("?")[0] for name, site in sample_sites.items() for p in site.requests[before[name]:]}
    assert new_paths == LISTINGS
    assert again.status == "completed"
    assert (again.totals.discovered, again.totals.fetched, again.totals.new, again.totals.rejected) == (37, 0, 0, 0)
    assert rows(warehouse, "SELECT count(*) FROM news.articles")[0][0] == 34
    assert rows(warehouse, "SELECT count(*) FROM news.rejects")[0][0] == 2
    assert rows(warehouse, "SELECT count(*) FROM news.pages")[0][0] == 37


# Port 9 on loopback: nothing listens, so every listing of this source is refused at once.
OFFLINE_SOURCE = """
[[sources]]
name = "offline"
homepage = "http://127.0.0.1:9/"
feeds = ["http://127.0.0.1:9/rss.xml"]
sitemaps = ["http://127.0.0.1:9/sitemap.xml"]
timezone = "Asia/Ho_Chi_Minh"
allow_addresses = ["127.0.0.1"]
"""


def failed_run(state) -> RunSummary:
    """The summary a run that failed a source entirely carries in its exception, once its flow run is Failed."""
    assert state.is_failed(), state
    exc = state.result(raise_on_failure=False)
    assert isinstance(exc, SourcesFailed), exc
    assert "failed entirely" in state.message and "offline" in state.message  # what an alert shows
    return exc.summary


def test_a_failing_source_leaves_the_others_marks_the_run_partial_and_fails_the_flow_run(
        warehouse, sample_sites, tmp_path: Path, sample_sources_file, prefect_backend):
    sources = tmp_path / "sources.toml"
    sources.write_text(sample_sources_file.read_text(encoding="utf-8") + OFFLINE_SOURCE, encoding="utf-8")
    summary = failed_run(ingest(sources_file=str(sources), only=["offline", "baocantho"], limit=5,
                                return_state=True))

    assert summary.status == "partial" and summary.failed_sources == ["offline"]
    stats = {s.source: s for s in summary.sources}
    assert stats["offline"].error.startswith("every feed, sitemap and listing failed: connection failed")
    assert (stats["offline"].discovered, stats["offline"].rejected) == (0, 2)
    assert (stats["baocantho"].fetched, stats["baocantho"].new) == (5, 5)  # --limit 5
    (run,) = rows(warehouse, "SELECT status, error, new FROM news.ingest_runs")
    assert run.status == "partial" and "offline" in run.error and run.new == 5
    discover_rejects = rows(warehouse, "SELECT url FROM news.rejects WHERE source = 'offline' AND stage = 'discover'")
    assert len(discover_rejects) == 2


def test_a_run_whose_every_source_failed_is_failed(warehouse, tmp_path: Path, prefect_backend):
    sources = tmp_path / "sources.toml"
    sources.write_text(OFFLINE_SOURCE + OFFLINE_SOURCE.replace('"offline"', '"offline2"'), encoding="utf-8")
    summary = failed_run(ingest(sources_file=str(sources), return_state=True))

    assert summary.status == "failed" and summary.failed_sources == ["offline", "offline2"]
    (run,) = rows(warehouse, "SELECT status, error, finished_at FROM news.ingest_runs")
    assert run.status == "failed" and run.finished_at is not None
    assert "offline: every feed, sitemap and listing failed" in run.error


def test_a_source_that_lost_some_batches_only_is_partial_not_failed(warehouse, sample_sources_file, prefect_backend,
                                                                    monkeypatch):
    """A batch refused by the database costs itself alone: the source loaded the ones before and after it, so the
    flow run completes."""
    import flows.ingest

    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "7")
    load = flows.ingest.load_batch
    calls = []

    def second_batch_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # batches of one source run one after another
            raise RuntimeError("the database refused this batch")
        return load(*args, **kwargs)

    monkeypatch.setattr(flows.ingest, "load_batch", second_batch_fails)
    summary = ingest(sources_file=str(sample_sources_file), only=["baocantho"])
    assert summary.status == "partial" and summary.failed_sources == []
    # not a transient error, so not loaded again; the third batch (4 pages) goes on after it
    assert "1 of 3 batches not loaded" in summary.errors[0] and summary.totals.new == 11
    assert "batch 2/3: RuntimeError: the database refused this batch" in summary.errors[0]


def test_a_source_with_only_listings_fills_the_warehouse(warehouse, sample_sites, listings_sources_file,
                                                         prefect_backend):
    summary = ingest(sources_file=str(listings_sources_file))

    assert summary.status == "completed", summary.errors
    (stats,) = summary.sources
    # Three sections of three stories, two pages each; the empty photo section is a reject.
    assert (stats.source, stats.discovered, stats.fetched, stats.new, stats.rejected) == (
        "tintuc-chuyenmuc", 9, 9, 9, 1)
    base = sample_sites["tintuc"].base
    records = [r for r in expected_records()
               if r["source"] == "tintuc" and r["section"] in {"Thời sự", "Xã hội", "Kinh tế"}]
    assert len(records) == 9
    for record in records:
        (row,) = rows(warehouse, "SELECT * FROM news.articles WHERE url = :u", u=base + record["path"])
        assert row.source == "tintuc-chuyenmuc"
        for field in ("title", "lead", "body", "authors", "section"):
            assert getattr(row, field) == record[field], (record["path"], field)
        assert row.published_at == datetime.fromisoformat(record["published_at"])
    assert rows(warehouse, "SELECT count(*) FROM news.articles")[0][0] == 9
    rejects = rows(warehouse, "SELECT url, stage, reason_code, reason FROM news.rejects")
    assert [(r.url, r.stage, r.reason_code, r.reason) for r in rejects] == [
        (base + "/tin-anh/", "discover", "no_links", "listing page has no article links")]


PROFILE = """\
hosts = ["tintuc.example.vn"]

[[layouts]]
valid_until = 2020-01-01
title = "title"                   # an old template's: the <title>, site name and all

[[layouts]]
valid_from = 2020-01-01
title = "h1.title-detail"
article_urls = '/(?:thoi-su|kinh-te)/[a-z0-9-]+\\.html$'
"""


def test_a_source_with_a_site_profile_is_read_with_the_layout_of_the_fetch_day(warehouse, sample_sites,
                                                                                 listings_sources_file,
                                                                                 prefect_backend):
    """The profile (a file beside the sources file, named by the source) goes through the flow: its
    current layout's article_urls picks the listing links, its title selector reads the pages."""
    (listings_sources_file.parent / "profiles").mkdir()
    (listings_sources_file.parent / "profiles" / "mau.toml").write_text(PROFILE, encoding="utf-8")
    text = listings_sources_file.read_text(encoding="utf-8")
    listings_sources_file.write_text(text.replace('language = "vi"', 'language = "vi"\nprofile = "mau"'),
                                     encoding="utf-8")
    summary = ingest(sources_file=str(listings_sources_file))

    base = sample_sites["tintuc"].base
    records = {base + r["path"]: r for r in expected_records()
               if r["source"] == "tintuc" and r["section"] in {"Thời sự", "Kinh tế"}}
    (stats,) = summary.sources
    assert (stats.discovered, stats.new) == (6, 6) and len(records) == 6
    got = rows(warehouse, "SELECT url, title, provenance FROM news.articles")
    assert {r.url for r in got} == set(records)
    for row in got:
        assert row.title == records[row.url]["title"]  # the h1 of today's layout, not the old one's <title>
        assert row.provenance["title"] == "profile" and row.provenance["profile"] == "mau 2020-01-01.."
    rejects = rows(warehouse, "SELECT url, reason_code FROM news.rejects ORDER BY url")
    assert [(r.url, r.reason_code) for r in rejects] == [(base + "/tin-anh/", "no_links"),
                                                         (base + "/xa-hoi/", "no_links")]
