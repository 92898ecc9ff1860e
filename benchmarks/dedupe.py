"""Per-article dedupe cost against a warehouse of 10,000 and then 100,000 articles.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.dedupe

In a scratch database on that server (created and dropped by the script), it bulk-loads
synthetic articles with their LSH buckets (``COPY``), then loads a probe of new articles
through the real load path (``tasks.warehouse.writes.load_batch``: bucket locks, identity
lookup, candidate lookup and containment check in ``tasks.dedupe``; the insert with its buckets
and cluster in the writer) in batches of 25, and reports the cost per article. A fifth of the
probe are syndicated copies of stored articles (first paragraph dropped, credit line added),
so the check has real matches to find. Then the warehouse is grown to 100,000 and a fresh
probe is measured the same way. The near-duplicate check is an index lookup per bucket, so
the cost must not grow with the warehouse: the script fails (exit 1) when the 100k cost is
over 2x the 10k cost.

Synthetic text: a word-bigram chain over the sample articles (Vietnamese syllables as
they occur in news), with names and numbers mixed in; unrelated articles share almost
no 4-word shingles (median containment 0, 99th percentile about 0.01), like real news.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

import tasks.dedupe.near as neardup
from benchmarks.common import scratch_engine
from tasks.config import Source
from tasks.dedupe.decide import BatchDedupe
from tasks.normalise import content_hash
from tasks.records import Article
from tasks.text import word_count
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch
from tests.data.neardup_set import ARTICLES_FILE

SOURCES = ("synth-a", "synth-b", "synth-c", "synth-d")
PARAGRAPHS, PARAGRAPH_WORDS = 4, 45
BATCH = 25


class TextMaker:
    """Realistic-looking news text, fast: a bigram chain over the sample articles' words."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        words: list[str] = []
        for item in json.loads(ARTICLES_FILE.read_text(encoding="utf-8")):
            for paragraph in (item["lead"], *item["body"]):
                words += re.findall(r"\w+|[.,]", paragraph)
        self.words = words
        self.next: dict[str, list[str]] = {}
        for a, b in zip(words, words[1:], strict=False):
            self.next.setdefault(a, []).append(b)
        letters, vowels = "BCDĐGHKLMNPQRSTVX", ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
        self.names = [self.rng.choice(letters) + self.rng.choice(vowels) + self.rng.choice(["", "n", "ng", "nh", "m"])
                      for _ in range(3000)]

    def paragraph(self) -> str:
        rng, out = self.rng, []
        word = rng.choice(self.words)
        while len(out) < PARAGRAPH_WORDS:
            roll = rng.random()
            out.append(word if roll > 0.15 else rng.choice(self.names) if roll < 0.09 else str(rng.randint(2, 9999)))
            word = rng.choice(self.next.get(word) or self.words)
        return " ".join(out).replace(" .", ".").replace(" ,", ",")

    def article(self) -> tuple[str, str, str]:
        """(title, lead, body)."""
        return self.paragraph()[:90], self.paragraph(), "\n\n".join(self.paragraph() for _ in range(PARAGRAPHS - 1))


def _copy_rows(conn, table: str, columns: str, rows: list[str]) -> None:
    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur:
        cur.copy_expert(f"COPY news.{table} ({columns}) FROM STDIN WITH (FORMAT text)", io.StringIO("".join(rows)))


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def bulk_load(eng: sa.Engine, maker: TextMaker, start_id: int, count: int) -> float:
    """COPY ``count`` synthetic articles (each its own story) with their buckets; seconds taken."""
    began = time.perf_counter()
    stamp = datetime(2026, 1, 1, tzinfo=UTC)
    chunk = 5000
    for first in range(start_id, start_id + count, chunk):
        articles, buckets = [], []
        for i in range(first, min(first + chunk, start_id + count)):
            title, lead, body = maker.article()
            url = f"http://127.0.0.1/{SOURCES[i % len(SOURCES)]}/bai-{i}.html"
            published = (stamp + timedelta(minutes=i)).isoformat()
            articles.append("\t".join([str(i), SOURCES[i % len(SOURCES)], url, url, _esc(title), _esc(lead),
                                       _esc(body), str(word_count(lead, body)), content_hash(title, lead, body),
                                       published, str(i), "1"]) + "\n")
            buckets.extend(f"{b}\t{i}\n" for b in neardup.fingerprint(lead, body).buckets)
        with eng.begin() as conn:
            _copy_rows(conn, "articles", "id, source, url, canonical_url, title, lead, body, word_count, "
                       "content_hash, published_at, cluster_id, version", articles)
            _copy_rows(conn, "article_urls", "url, article_id",
                       [f"{line.split(chr(9))[2]}\t{line.split(chr(9))[0]}\n" for line in articles])
            _copy_rows(conn, "article_buckets", "bucket, article_id", buckets)
    with eng.begin() as conn:
        conn.execute(sa.text("SELECT setval('news.articles_id_seq', (SELECT max(id) FROM news.articles))"))
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("ANALYZE news.articles; ANALYZE news.article_buckets; ANALYZE news.article_urls"))
    return time.perf_counter() - began


@dataclass
class Probe:
    size: int
    articles: int
    seconds_total: float
    seconds_dedupe: float
    candidates: int
    copies: int
    copies_found: int

    @property
    def ms_total(self) -> float:
        return self.seconds_total / self.articles * 1000

    @property
    def ms_dedupe(self) -> float:
        return self.seconds_dedupe / self.articles * 1000


def probe(eng: sa.Engine, maker: TextMaker, size: int, count: int, run_id: int) -> Probe:
    """Load ``count`` new articles (a fifth of them copies of stored ones) through ``load_batch``; time it."""
    rng = maker.rng
    new: list[tuple[Article, int | None]] = []  # (article, id of the stored original it copies)
    with eng.connect() as conn:
        originals = conn.execute(sa.text("SELECT id, lead, body FROM news.articles WHERE id = ANY(:ids)"),
                                 {"ids": rng.sample(range(1, size + 1), count // 5)}).all()
    stamp = datetime(2026, 6, 1, tzinfo=UTC)
    for n in range(count):
        if n < len(originals):
            original = originals[n]
            title, lead = "Theo TTXVN: " + maker.paragraph()[:60], None
            body = original.body + "\n\nTheo TTXVN"  # first paragraph (the lead) dropped, credit added
            of = original.id
        else:
            (title, lead, body), of = maker.article(), None
        source = "synth-e"
        url = f"http://127.0.0.1/{source}/moi-{size}-{n}.html"
        new.append((Article(source=source, url=url, canonical_url=url, title=title, lead=lead, body=body,
                            published_at=stamp + timedelta(seconds=n), word_count=word_count(lead, body),
                            content_hash=content_hash(title, lead, body)), of))
    rng.shuffle(new)

    import tasks.dedupe.decide as decide_module

    spent = [0.0]
    # The dedupe steps inside load_batch: fingerprints, bucket locks, the candidates' containment
    # (tasks.dedupe). Indexing a new article under its buckets is part of its insert statement (the
    # writer), so it counts in the whole load only.
    steps = ((decide_module, "fingerprints"), (decide_module, "lock_buckets"), (decide_module, "best_cluster"))
    real = {(module, name): getattr(module, name) for module, name in steps}

    def timed(step):
        def run(*args, **kwargs):
            began = time.perf_counter()
            try:
                return step(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - began
        return run

    for module, name in steps:
        setattr(module, name, timed(real[module, name]))
    try:
        began = time.perf_counter()
        for start in range(0, len(new), BATCH):
            load_batch(eng, run_id, "synth-e", [], BatchDedupe([a for a, _ in new[start:start + BATCH]]), [])
        total = time.perf_counter() - began
    finally:
        for module, name in steps:
            setattr(module, name, real[module, name])
    copies = [(a, of) for a, of in new if of is not None]
    with eng.connect() as conn:
        found = conn.execute(sa.text(
            "SELECT count(*) FROM news.articles c JOIN unnest(CAST(:urls AS text[]), CAST(:ids AS bigint[])) "
            "AS p(url, original) ON c.canonical_url = p.url JOIN news.articles o ON o.id = p.original "
            "WHERE c.cluster_id = o.cluster_id"),
            {"urls": [a.canonical_url for a, _ in copies], "ids": [of for _, of in copies]}).scalar_one()
        candidates = conn.execute(sa.text(
            "SELECT count(*) FROM news.articles a JOIN news.article_buckets b ON b.article_id = a.id "
            "JOIN news.article_buckets o ON o.bucket = b.bucket AND o.article_id <> a.id "
            "WHERE a.source = 'synth-e' AND a.url LIKE :prefix"), {"prefix": f"%/moi-{size}-%"}).scalar_one()
    return Probe(size, count, total, spent[0], candidates, len(copies), found)


def explain_candidates(eng: sa.Engine) -> str:
    """The plan of the candidate lookup for one stored article: it must be an index scan."""
    with eng.connect() as conn:
        article_id, = conn.execute(sa.text("SELECT max(id) FROM news.articles")).one()
        buckets = conn.execute(sa.text("SELECT array_agg(bucket) FROM news.article_buckets WHERE article_id = :i"),
                               {"i": article_id}).scalar_one()
        plan = conn.execute(sa.text("EXPLAIN " + neardup.query("dedupe/candidates.sql").text),
                            {"buckets": buckets, "article_id": article_id, "limit": neardup.MAX_CANDIDATES}).scalars()
        return "\n".join(line for line in plan if "Scan" in line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000], help="warehouse sizes")
    parser.add_argument("--probe", type=int, default=1000, help="new articles loaded and timed at each size")
    args = parser.parse_args()
    maker = TextMaker(seed=7)
    results: list[Probe] = []
    with scratch_engine() as eng:
        sync_sources(eng, [Source(name=n, title=n, homepage=f"http://127.0.0.1/{n}/", feeds=("http://127.0.0.1/",))
                           for n in (*SOURCES, "synth-e")])
        run_id = open_run(eng, ["synth-e"])
        stored = 0
        for size in args.sizes:
            seconds = bulk_load(eng, maker, stored + 1, size - stored)
            print(f"bulk-loaded {size - stored:,} articles (to {size:,}) in {seconds:.1f} s", flush=True)
            stored = size
            result = probe(eng, maker, size, args.probe, run_id)
            results.append(result)
            print(f"{size:>8,} stored: {result.ms_dedupe:6.2f} ms/article dedupe (fingerprint, bucket locks, "
                  f"LSH lookup, containment), {result.ms_total:6.2f} ms/article whole load; "
                  f"{result.candidates} bucket hits for {result.articles} articles; "
                  f"copies clustered {result.copies_found}/{result.copies}", flush=True)
            with eng.connect() as conn:
                stored = conn.execute(sa.text("SELECT max(id) FROM news.articles")).scalar_one()
        print("candidate lookup plan at the largest size:\n" + explain_candidates(eng))
    first, last = results[0], results[-1]
    ratio = last.ms_dedupe / first.ms_dedupe
    print(f"dedupe cost ratio {last.size:,} / {first.size:,}: {ratio:.2f}x (limit 2x); "
          f"whole load {last.ms_total / first.ms_total:.2f}x")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
