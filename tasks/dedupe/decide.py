"""What each article of a batch is to the warehouse: new, updated, unchanged or a duplicate, and its story.

The flow builds a :class:`BatchDedupe` for a batch and hands it to the writer
(``tasks.warehouse.writes.load_batch``), which opens the transaction; each decision is
made on that connection just before the writer applies it, and it only reads. Identity first: the
stored article a page is, by canonical URL or any URL known to lead to it, read
``SELECT ... FOR UPDATE`` so that two runs revising one article apply their changes one
after the other. A held article with the same text is unchanged (at its own URL) or a
duplicate (reached by another URL); with other text it is updated and keeps its story.
A new article, or a held one stored before clusters existed, is given its story by the
near-duplicate check (``near``), whose LSH buckets the batch has locked first
(:meth:`BatchDedupe.lock`), so concurrent runs put one story in one cluster.

A "new" article's insert can still meet a row it conflicts with: a concurrent run stored
this canonical URL a moment earlier, or the source holds the same text under another
canonical URL. The writer then asks again with ``after_conflict=True`` and gets that row,
which the article is a copy or a revision of.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from tasks.dedupe.near import Fingerprint, best_cluster, fingerprints, lock_buckets, threshold
from tasks.records import Article, DedupeDecision
from tasks.warehouse.db import query


class BatchDedupe:
    """The decisions for one batch: fingerprints computed up front, buckets locked, then one decision per article."""

    def __init__(self, articles: Iterable[Article], neardup_threshold: float | None = None):
        """``neardup_threshold`` overrides the configured containment threshold (for evaluating it)."""
        self.articles = tuple(articles)
        self.limit = threshold() if neardup_threshold is None else neardup_threshold
        # Keyed by what a fingerprint is made of, so an article finds its own without an index.
        texts = list(dict.fromkeys((a.lead, a.body) for a in self.articles))
        self._fingerprints: dict[tuple[str | None, str], Fingerprint] = dict(zip(texts, fingerprints(texts),
                                                                                 strict=True))

    def lock(self, conn: Connection) -> None:
        """Advisory-lock every LSH bucket of the batch until its transaction ends, before any decision."""
        lock_buckets(conn, self._fingerprints.values())

    def decide(self, conn: Connection, article: Article, *, after_conflict: bool = False) -> DedupeDecision:
        """What ``article`` (one of the batch's) is, as the warehouse holds it now; the held row is locked."""
        fp = self._fingerprints[(article.lead, article.body)]
        params = {"canonical_url": article.canonical_url, "url": article.url,
                  "source": article.source, "content_hash": article.content_hash}
        held = conn.execute(query("dedupe/find_article.sql"), params).first()
        if held is None and after_conflict:
            # The insert found a row it conflicts with: this canonical URL, or this source's same text elsewhere.
            held = conn.execute(query("dedupe/find_same_text.sql"), params).first()
            if held is None:
                raise ValueError("the article conflicts with a row that is no longer there")
        if held is None:
            return DedupeDecision("new", cluster_id=best_cluster(conn, fp, self.limit), buckets=fp.buckets)
        if held.content_hash != article.content_hash:
            return DedupeDecision("updated", held_id=held.id, buckets=fp.buckets)
        kind = "unchanged" if held.url == article.url else "duplicate"
        if held.cluster_id is not None:
            return DedupeDecision(kind, held_id=held.id)
        # Stored before clusters existed: it gets its story now.
        cluster = best_cluster(conn, fp, self.limit, article_id=held.id)
        return DedupeDecision(kind, held_id=held.id, cluster_id=held.id if cluster is None else cluster,
                              buckets=fp.buckets)
