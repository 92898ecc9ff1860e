"""Dedupe in the real warehouse: URLs of one article, revisions, the re-fetch policy, 304s, stories."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from test_load import SOURCE, article, count

from tasks.dedupe.decide import BatchDedupe
from tasks.dedupe.near import DEFAULT_THRESHOLD
from tasks.normalise import content_hash
from tasks.warehouse.reads import known_urls
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch, mark_unchanged
from tests.data.neardup_set import build, load_labelled, score


def revised(a, body: str):
    return dataclasses.replace(a, body=body, content_hash=content_hash(a.title, a.lead, body))


def test_same_text_under_another_url_is_one_article_and_either_url_is_known(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    a = article("a")
    copy = dataclasses.replace(a, url="http://127.0.0.1/chuyen-muc/a.html",
                               canonical_url="http://127.0.0.1/chuyen-muc/a.html")
    result = load_batch(warehouse, run, "mau", [], BatchDedupe([a]), [])
    assert result.new == 1
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([copy]), []).duplicates == 1
    assert count(warehouse, "SELECT count(*) FROM news.articles") == 1
    assert count(warehouse, "SELECT count(DISTINCT article_id) FROM news.article_urls") == 1
    # A later listing of either URL needs no fetch.
    assert known_urls(warehouse, [a.url, copy.url, "http://127.0.0.1/other.html"]) == {a.url, copy.url}


def test_changed_content_is_a_new_version_and_the_old_one_is_kept(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    first = article("a", body="Nội dung ban đầu.")
    load_batch(warehouse, run, "mau", [], BatchDedupe([first]), [])
    second_run = open_run(warehouse, ["mau"])
    result = load_batch(warehouse, second_run, "mau", [], BatchDedupe([revised(first, "Nội dung đã đính chính.")]), [])
    assert result.updated == 1
    again = load_batch(warehouse, second_run, "mau", [], BatchDedupe([revised(first, "Nội dung đã đính chính.")]), [])
    assert (again.updated, again.unchanged) == (0, 1)
    with warehouse.connect() as conn:
        row = conn.execute(sa.text("SELECT id, version, body, run_id, cluster_id FROM news.articles")).one()
        old = conn.execute(sa.text("SELECT * FROM news.article_versions")).one()
    assert (row.version, row.body, row.run_id) == (2, "Nội dung đã đính chính.", second_run)
    assert row.cluster_id == row.id
    assert (old.article_id, old.version, old.body, old.content_hash, old.run_id) == (
        row.id, 1, "Nội dung ban đầu.", first.content_hash, second_run)


def test_two_runs_revising_one_article_at_once_lose_no_update(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    base = article("a", body="Bản 1.")
    load_batch(warehouse, run, "mau", [], BatchDedupe([base]), [])
    versions = [revised(base, f"Bản {n}.") for n in range(2, 8)]
    errors: list[Exception] = []

    def load(a):
        try:
            load_batch(warehouse, run, "mau", [], BatchDedupe([a]), [])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=load, args=(a,)) for a in versions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Six changes applied one after the other: version 7, six old versions 1..6, none lost.
    with warehouse.connect() as conn:
        version = conn.execute(sa.text("SELECT version FROM news.articles")).scalar_one()
        kept = conn.execute(sa.text("SELECT version, body FROM news.article_versions ORDER BY version")).all()
    assert version == 7
    assert [v for v, _ in kept] == [1, 2, 3, 4, 5, 6]
    assert len({b for _, b in kept}) == 6


def test_young_articles_are_fetched_again_old_ones_are_not(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    young = dataclasses.replace(article("young"), published_at=datetime.now(UTC) - timedelta(hours=5))
    old = dataclasses.replace(article("old"), published_at=datetime.now(UTC) - timedelta(days=5))
    undated = dataclasses.replace(article("undated"), published_at=None)  # first seen just now: young
    load_batch(warehouse, run, "mau", [], BatchDedupe([young, old, undated]), [])
    urls = [young.url, old.url, undated.url]
    assert known_urls(warehouse, urls, timedelta(days=2)) == {old.url}
    assert known_urls(warehouse, urls, timedelta(0)) == set(urls)


def test_mark_unchanged_moves_only_last_seen(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    a = article("a")
    load_batch(warehouse, run, "mau", [], BatchDedupe([a, article("b")]), [])
    with warehouse.begin() as conn:
        conn.execute(sa.text("UPDATE news.articles SET last_seen_at = last_seen_at - interval '3 days'"))
    before = {r.canonical_url: r for r in _articles(warehouse)}
    assert mark_unchanged(warehouse, [a.url, "http://127.0.0.1/not-held.html"]) == 1
    with warehouse.begin() as conn:  # also inside the caller's transaction
        assert mark_unchanged(conn, []) == 0
    after = {r.canonical_url: r for r in _articles(warehouse)}
    assert after[a.canonical_url].last_seen_at > before[a.canonical_url].last_seen_at
    unmoved = ("version", "body", "content_hash", "run_id")
    assert [getattr(after[a.canonical_url], k) for k in unmoved] == [getattr(before[a.canonical_url], k)
                                                                     for k in unmoved]
    b_url = article("b").canonical_url
    assert after[b_url] == before[b_url]
    assert count(warehouse, "SELECT count(*) FROM news.article_versions") == 0


def _articles(eng):
    with eng.connect() as conn:
        return conn.execute(sa.text("SELECT canonical_url, version, body, content_hash, last_seen_at, run_id "
                                    "FROM news.articles")).all()


def test_labelled_near_duplicates_are_clustered_with_target_precision_and_recall(warehouse):
    labelled = build()
    assert labelled.duplicate_pairs >= 40 and len(labelled.pairs) - labelled.duplicate_pairs >= 200
    clusters = load_labelled(warehouse, labelled)
    quality = score(labelled, clusters, DEFAULT_THRESHOLD)
    assert quality.precision >= 0.98, quality
    assert quality.recall >= 0.90, quality
    # One row per story in the view, represented by the earliest-published member (the original).
    originals = {a.key for a in labelled.articles if "~" not in a.key}
    with warehouse.connect() as conn:
        stories = conn.execute(sa.text("SELECT s.articles, a.canonical_url FROM news.rpt_stories s "
                                       "JOIN news.articles a ON a.id = s.representative_id")).all()
        unclustered = conn.execute(sa.text("SELECT count(*) FROM news.articles WHERE cluster_id IS NULL")).scalar()
    assert unclustered == 0
    # Every original (the earliest-published) represents its story; a story split by a recall
    # miss adds a row represented by a copy.
    representatives = [url.rsplit("/", 1)[-1].removesuffix(".html") for _, url in stories]
    assert originals <= set(representatives)
    assert len(stories) == len(set(clusters.values())) <= len(originals) + quality.false_neg
    assert sum(n for n, _ in stories) == len(labelled.articles)


def test_a_stricter_threshold_splits_copies_into_stories_of_their_own(warehouse):
    labelled = build()
    quality = score(labelled, load_labelled(warehouse, labelled, threshold=0.99), 0.99)
    assert quality.recall < 0.5 and quality.precision == 1.0


def test_an_article_stored_before_clusters_gets_one_when_seen_again(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    a = article("a", body=" ".join(f"câu thứ {n} của bài viết mẫu về Cần Thơ." for n in range(20)))
    load_batch(warehouse, run, "mau", [], BatchDedupe([a]), [])
    with warehouse.begin() as conn:  # as migration 0002 leaves older rows
        conn.execute(sa.text("UPDATE news.articles SET cluster_id = NULL"))
        conn.execute(sa.text("DELETE FROM news.article_buckets"))
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([a]), []).unchanged == 1
    with warehouse.connect() as conn:
        row = conn.execute(sa.text("SELECT id, cluster_id FROM news.articles")).one()
        buckets = conn.execute(sa.text("SELECT count(*) FROM news.article_buckets")).scalar_one()
    assert row.cluster_id == row.id and buckets == 32


def test_dedupe_decides_what_each_article_is_and_writes_nothing(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    held = article("a", body=" ".join(f"câu thứ {n} của bài viết mẫu về Cần Thơ." for n in range(20)))
    load_batch(warehouse, run, "mau", [], BatchDedupe([held]), [])
    other = "http://127.0.0.1/b.html"
    retitled = dataclasses.replace(held, url=other, canonical_url=other, title="Tiêu đề khác",
                                   content_hash=content_hash("Tiêu đề khác", held.lead, held.body))
    amp = dataclasses.replace(held, url="http://127.0.0.1/amp/a.html")
    corrected = revised(held, held.body + " Đính chính.")
    dedupe = BatchDedupe([retitled, amp, corrected, held])
    tables = ("articles", "article_urls", "article_buckets")
    before = [count(warehouse, f"SELECT count(*) FROM news.{t}") for t in tables]
    with warehouse.begin() as conn:
        held_id = conn.execute(sa.text("SELECT id FROM news.articles")).scalar_one()
        dedupe.lock(conn)
        decisions = [dedupe.decide(conn, a) for a in (retitled, amp, corrected, held)]
    assert [(d.kind, d.held_id, d.cluster_id) for d in decisions] == [
        ("new", None, held_id),  # the same story under another title: joins the held article's
        ("duplicate", held_id, None), ("updated", held_id, None), ("unchanged", held_id, None)]
    assert len(decisions[0].buckets) == len(decisions[2].buckets) == 32 and decisions[1].buckets == ()
    assert [count(warehouse, f"SELECT count(*) FROM news.{t}") for t in tables] == before
