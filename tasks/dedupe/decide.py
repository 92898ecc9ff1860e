"""What each article of a batch is to the warehouse: new, updated, unchanged or a duplicate, and its story.

The flow builds a :class:`BatchDedupe` for a batch and hands it to the writer
(``tasks.warehouse.writes.load_batch``), which opens the transaction; each decision is
made on that connection just before the writer applies it, and it only reads. Identity first: the
stored article a page is, by canonical URL or any URL known to lead to it, read
``SELECT ... FOR UPDATE`` so that two runs revising one article apply their changes one
after the other; for the whole batch in one round trip when the batch is locked. A held
article with the same text is unchanged (at its own URL) or a duplicate (reached by another
URL); with other text it is updated and keeps its story.
A new article, or a held one stored before clusters existed, is given its story by the
near-duplicate check (``near``), whose LSH buckets the batch has locked first
(:meth:`BatchDedupe.lock`), so concurrent runs put one story in one cluster.

A "new" article's insert can still meet a row it conflicts with: a concurrent run stored
this canonical URL a moment earlier, or the source holds the same text under another
canonical URL. The writer then asks again with ``after_conflict=True`` and gets that row,
which the article is a copy or a revision of.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy.engine import Connection, Row

from tasks.dedupe.near import Fingerprint, best_cluster, fingerprints, lock_buckets, threshold
from tasks.records import Article, DedupeDecision
from tasks.warehouse.db import query


class BatchDedupe:
    """The decisions for one batch: fingerprints computed up front, buckets locked, then one decision per article."""

    def __init__(self, articles: Iterable[Article], neardup_threshold: float | None = None,
                 digests: Mapping[tuple[str | None, str], bytes] | None = None):
        """``neardup_threshold`` overrides the configured containment threshold (for evaluating it); ``digests``
        are the shingle digests of (lead, body) texts taken where the pages were read (``near.fingerprints``)."""
        self.articles = tuple(articles)
        self.limit = threshold() if neardup_threshold is None else neardup_threshold
        # Keyed by what a fingerprint is made of, so an article finds its own without an index.
        texts = list(dict.fromkeys((a.lead, a.body) for a in self.articles))
        self._fingerprints: dict[tuple[str | None, str], Fingerprint] = dict(zip(texts, fingerprints(texts, digests),
                                                                                 strict=True))
        self._index = {id(article): i for i, article in enumerate(self.articles)}
        self._held: dict[int, Row | None] = {}  # filled by lock(), in the batch's transaction

    def lock(self, conn: Connection) -> None:
        """Advisory-lock every LSH bucket of the batch until its transaction ends, before any decision; then
        find and lock the rows the batch's articles already are, in one round trip (:meth:`_held_rows`)."""
        lock_buckets(conn, self._fingerprints.values())
        self._held = self._held_rows(conn)

    def _held_rows(self, conn: Connection) -> dict[int, Row | None]:
        """The held row of each article (by its index) whose URLs no other article of the batch shares.

        ``find_articles.sql`` is ``find_article.sql`` for the whole batch, read before any article is
        written. An article whose URL or canonical URL is another's of the batch may be the row that one
        is about to insert, which a read up front cannot see: it is looked up alone when it is decided.
        """
        keys = [{article.url, article.canonical_url} for article in self.articles]
        seen: dict[str, int] = {}
        for urls in keys:
            for url in urls:
                seen[url] = seen.get(url, 0) + 1
        alone = [i for i, urls in enumerate(keys) if all(seen[url] == 1 for url in urls)]
        if not alone:
            return {}
        rows = conn.execute(query("dedupe/find_articles.sql"), {
            "canonical_urls": [self.articles[i].canonical_url for i in alone],
            "urls": [self.articles[i].url for i in alone]}).all()
        found = {alone[row.i - 1]: row for row in rows}
        return {i: found.get(i) for i in alone}

    def decide(self, conn: Connection, article: Article, *, after_conflict: bool = False) -> DedupeDecision:
        """What ``article`` (one of the batch's) is, as the warehouse holds it now; the held row is locked."""
        fp = self._fingerprints[(article.lead, article.body)]
        params = {"canonical_url": article.canonical_url, "url": article.url,
                  "source": article.source, "content_hash": article.content_hash}
        index = self._index.get(id(article))
        if not after_conflict and index in self._held:
            held = self._held.pop(index)  # read with the batch's; once: a second decision reads it again
        else:
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
