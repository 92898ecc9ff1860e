"""Stories kept on load (news.stories, read by news.rpt_stories): always what the articles say.

After each kind of write (a load that clusters near-duplicates, a revision of a story's representative,
a 304 re-fetch, an article loaded before clustering that joins another story) the table must equal the
stories computed from news.articles from scratch, which is what the view computed before migration 0010.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from test_load import SOURCE, article

from tasks.dedupe.decide import BatchDedupe
from tasks.normalise import content_hash
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch, mark_unchanged
from tests.data.neardup_set import build, load_labelled

COLUMNS = ("story_id, representative_id, representative_source, published_at, title, lead, canonical_url, "
           "articles, sources, first_seen_at, last_seen_at")
# The stories from the articles, computed from scratch (rpt_stories' definition before 0010).
FROM_SCRATCH = f"""
WITH members AS (SELECT a.*, coalesce(a.cluster_id, a.id) AS story_id FROM news.articles a),
counts AS (SELECT story_id, count(*) AS articles, array_agg(DISTINCT source ORDER BY source) AS sources,
                  min(first_seen_at) AS first_seen_at, max(last_seen_at) AS last_seen_at
           FROM members GROUP BY story_id)
SELECT {COLUMNS} FROM (
    SELECT r.story_id, r.id AS representative_id, r.source AS representative_source, r.published_at, r.title,
           r.lead, r.canonical_url, c.articles, c.sources, c.first_seen_at, c.last_seen_at
    FROM (SELECT DISTINCT ON (story_id) * FROM members ORDER BY story_id, published_at NULLS LAST, id) r
    JOIN counts c USING (story_id)) s
ORDER BY story_id
"""


def kept(eng: sa.Engine) -> list[tuple]:
    with eng.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(f"SELECT {COLUMNS} FROM news.rpt_stories ORDER BY story_id"))]


def from_scratch(eng: sa.Engine) -> list[tuple]:
    with eng.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(FROM_SCRATCH))]


def story(eng: sa.Engine, story_id: int) -> sa.Row:
    with eng.connect() as conn:
        return conn.execute(sa.text("SELECT * FROM news.rpt_stories WHERE story_id = :id"), {"id": story_id}).one()


def test_a_load_that_clusters_near_duplicates_keeps_one_row_per_story(warehouse):
    labelled = build()
    clusters = load_labelled(warehouse, labelled)
    stories = kept(warehouse)
    assert stories == from_scratch(warehouse)
    assert len(stories) == len(set(clusters.values())) < len(labelled.articles)
    # One story by id: the biggest, with its members' count and sources, represented by the earliest.
    biggest = max(stories, key=lambda s: (s[7], -s[0]))
    one = story(warehouse, biggest[0])
    with warehouse.connect() as conn:
        members = conn.execute(sa.text("SELECT id, source, published_at FROM news.articles "
                                       "WHERE cluster_id = :id ORDER BY published_at, id"), {"id": one.story_id}).all()
    assert one.articles == len(members) >= 3
    assert one.sources == sorted({m.source for m in members})
    assert one.representative_id == members[0].id


def test_revising_a_representative_and_a_304_refetch_reach_the_story(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    body = " ".join(f"Câu thứ {n} kể chuyện đờn ca tài tử ở bến Ninh Kiều, Cần Thơ." for n in range(30))
    original = dataclasses.replace(article("goc", body=body), published_at=datetime(2026, 3, 1, tzinfo=UTC))
    copy_body = body + " Theo TTXVN"
    copy = dataclasses.replace(article("ban-sao", body=copy_body), published_at=datetime(2026, 3, 2, tzinfo=UTC),
                               content_hash=content_hash("Tiêu đề ban-sao", "Mở đầu.", copy_body))
    load_batch(warehouse, run, "mau", [], BatchDedupe([original]), [])
    load_batch(warehouse, run, "mau", [], BatchDedupe([copy]), [])
    (only,) = kept(warehouse)
    assert only[7] == 2 and only[4] == "Tiêu đề goc"
    revised = dataclasses.replace(original, title="Tiêu đề đã sửa",
                                  content_hash=content_hash("Tiêu đề đã sửa", original.lead, body))
    assert load_batch(warehouse, run, "mau", [], BatchDedupe([revised]), []).updated == 1
    assert story(warehouse, only[0]).title == "Tiêu đề đã sửa"
    with warehouse.begin() as conn:  # as if last seen a day ago
        conn.execute(sa.text("UPDATE news.articles SET last_seen_at = last_seen_at - interval '1 day'"))
        conn.execute(sa.text("UPDATE news.stories SET last_seen_at = last_seen_at - interval '1 day'"))
    before = story(warehouse, only[0]).last_seen_at
    assert mark_unchanged(warehouse, [copy.url]) == 1
    assert story(warehouse, only[0]).last_seen_at > before + timedelta(hours=23)
    assert kept(warehouse) == from_scratch(warehouse)


def test_an_article_loaded_before_clustering_leaves_its_own_story_for_the_one_it_joins(warehouse):
    sync_sources(warehouse, [SOURCE])
    run = open_run(warehouse, ["mau"])
    body = " ".join(f"Câu thứ {n} của bài viết về triều cường ở Cần Thơ." for n in range(30))
    first = article("a", body=body)
    second = dataclasses.replace(article("b", body=body + " Theo TTXVN"),
                                 content_hash=content_hash("Tiêu đề b", "Mở đầu.", body + " Theo TTXVN"))
    load_batch(warehouse, run, "mau", [], BatchDedupe([first, second]), [])
    with warehouse.begin() as conn:  # as migration 0002 left older rows: no story, no buckets
        conn.execute(sa.text("UPDATE news.articles SET cluster_id = NULL"))
        conn.execute(sa.text("DELETE FROM news.article_buckets"))
        conn.execute(sa.text("SELECT news.refresh_stories(ARRAY(SELECT id FROM news.articles))"))
    assert [s[7] for s in kept(warehouse)] == [1, 1]  # each its own story
    load_batch(warehouse, run, "mau", [], BatchDedupe([first]), [])
    load_batch(warehouse, run, "mau", [], BatchDedupe([second]), [])
    (joined,) = kept(warehouse)
    assert joined[7] == 2
    assert kept(warehouse) == from_scratch(warehouse)
