"""The analysts' warehouse at 100,000 articles: search latency, the load cost of the search index, story lookups.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.warehouse [--articles 100000]

In a scratch database on that server (created and dropped by the script), migrated as any warehouse
(with unaccent and pg_trgm where the server has them, or the plain-SQL fold where not), it writes
``--articles`` synthetic articles with ``COPY`` (each row's ``search_vector`` generated as the load
would) and fills ``news.stories``, then measures:

- **search**: ``news.search(q)`` (rank, snippet, top 20) over a fixed set of queries, each typed with
  and without diacritics, as phrases, a typo; median and 95th percentile over all runs, and the
  articles each query matches;
- **stories**: one story by id from ``news.rpt_stories`` (random ids), and the stories of the newest
  week, beside the same two through the view's former definition (every cluster computed per query);
- **load cost**: ``COPY`` of new articles, and new articles through the real load path
  (``load_batch``: dedupe, insert, stories) in batches of 25, first with the search column and its
  indexes, then after dropping them: the difference is what search costs per loaded article.

Synthetic but real text: the sentences of the sample site's Vietnamese articles and of the shared
development pages' bodies (English, German and 25 other languages; ``/work/shared/data``, when
present), shuffled into new articles, with names and numbers mixed in and a word-bigram chain for the
long tail; 30 % of the articles are copies of an earlier one in another source (one story). Dates
spread over two years, newest last.
"""

from __future__ import annotations

import argparse
import glob
import io
import json
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import scratch_engine
from tasks.config import Source
from tasks.dedupe.decide import BatchDedupe
from tasks.normalise import content_hash
from tasks.records import Article
from tasks.text import clean, word_count
from tasks.warehouse.runs import open_run, sync_sources
from tasks.warehouse.writes import load_batch
from tests.data.neardup_set import ARTICLES_FILE

SHARED_DATA = Path("/work/shared/data")
SOURCES = ("synth-a", "synth-b", "synth-c", "synth-d")
COPY_SHARE = 0.3
# Queries an analyst of Vietnamese news types: places, people, topics; each with its diacritics and
# without, quoted phrases, words of the other languages, a typo (trigram), a word nothing has.
QUERIES = ("Cần Thơ", "Can Tho", "\"Ninh Kiều\"", "ninh kieu", "tuyển sinh lớp 10", "tuyen sinh lop 10",
           "triều cường", "trieu cuong", "giá lúa", "gia lua", "Sóc Trăng", "soc trang", "học sinh", "hoc sinh",
           "đờn ca tài tử", "don ca tai tu", "government budget", "Bundesregierung", "marathon",
           "Can Thow", "xyzzy khong co")
REPEATS = 5


class Corpus:
    """Sentences of real articles per language group, and a way to make new articles of them."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.vi: list[str] = []
        self.vi_titles: list[str] = []
        for item in json.loads(ARTICLES_FILE.read_text(encoding="utf-8")):
            self.vi_titles.append(item["title"])
            for paragraph in (item["lead"], *item["body"]):
                self.vi += _sentences(paragraph)
        self.other: list[str] = []
        self.other_titles: list[str] = []
        for name in sorted(glob.glob(str(SHARED_DATA / "*-dev" / "*.json"))):
            record = json.loads(Path(name).read_text(encoding="utf-8"))
            if record.get("body"):
                self.other += _sentences(record["body"])
            if record.get("title"):
                self.other_titles.append(record["title"])
        self.other = self.other or self.vi
        self.other_titles = self.other_titles or self.vi_titles
        words = [w for s in self.vi for w in s.split()]
        self.next: dict[str, list[str]] = {}
        for a, b in zip(words, words[1:], strict=False):
            self.next.setdefault(a, []).append(b)
        self.words = words
        letters, vowels = "BCDĐGHKLMNPQRSTVX", ["a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"]
        self.names = [self.rng.choice(letters) + self.rng.choice(vowels) + self.rng.choice(["", "n", "ng", "nh", "m"])
                      for _ in range(3000)]

    def _chain(self, length: int) -> str:
        rng, out = self.rng, []
        word = rng.choice(self.words)
        while len(out) < length:
            roll = rng.random()
            out.append(word if roll > 0.15 else rng.choice(self.names) if roll < 0.09 else str(rng.randint(2, 9999)))
            word = rng.choice(self.next.get(word) or self.words)
        return " ".join(out) + "."

    def _sentence(self, pool: list[str]) -> str:
        if pool is self.vi and self.rng.random() < 0.25:
            return self._chain(self.rng.randint(12, 30))
        return self.rng.choice(pool)

    def article(self) -> tuple[str, str, str]:
        """(title, lead, body): 70 % Vietnamese, the rest of the other languages."""
        rng = self.rng
        vietnamese = rng.random() < 0.7
        pool, titles = (self.vi, self.vi_titles) if vietnamese else (self.other, self.other_titles)
        if rng.random() < 0.3:
            title = rng.choice(titles)
        else:
            title = " ".join(self._sentence(pool).split()[:rng.randint(8, 16)])
        title = f"{title} {rng.choice(self.names)} {rng.randint(2, 99)}"
        lead = " ".join(self._sentence(pool) for _ in range(rng.randint(1, 2)))
        body = "\n\n".join(" ".join(self._sentence(pool) for _ in range(rng.randint(2, 4)))
                           for _ in range(rng.randint(3, 7)))
        return clean(title), clean(lead), body


def _sentences(text: str) -> list[str]:
    return [s for s in (clean(p) for p in re.split(r"(?<=[.!?])\s+", text or "")) if len(s.split()) >= 4]


def _esc(value: str | None) -> str:
    if value is None:
        return r"\N"
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(eng: sa.Engine, table: str, columns: str, rows: list[str]) -> None:
    with eng.begin() as conn, conn.connection.dbapi_connection.cursor() as cur:
        cur.copy_expert(f"COPY news.{table} ({columns}) FROM STDIN WITH (FORMAT text)", io.StringIO("".join(rows)))


ARTICLE_COLUMNS = ("id, source, url, canonical_url, title, lead, body, word_count, content_hash, published_at, "
                   "cluster_id")


def article_rows(corpus: Corpus, first_id: int, count: int, start: datetime, span: timedelta,
                 tag: str) -> list[str]:
    """COPY lines of ``count`` articles from ``first_id``; a share are copies of earlier ones (their story)."""
    rng, rows, made = corpus.rng, [], []
    for n in range(count):
        i = first_id + n
        published = start + span * (n / max(count, 1)) + timedelta(minutes=rng.randint(0, 600))
        if made and rng.random() < COPY_SHARE:
            of_id, of_source, title, lead, body = rng.choice(made[-2000:])
            source = rng.choice([s for s in SOURCES if s != of_source])
            body = body.split("\n\n", 1)[-1] + "\n\nTheo TTXVN"
            title, cluster = f"{title} (theo TTXVN)", of_id
        else:
            title, lead, body = corpus.article()
            source, cluster = rng.choice(SOURCES), i
            made.append((i, source, title, lead, body))
        url = f"http://127.0.0.1/{source}/{tag}-{i}.html"
        rows.append("\t".join([str(i), source, url, url, _esc(title), _esc(lead), _esc(body),
                               str(word_count(lead, body)), content_hash(title, lead, f"{body}#{i}"),
                               published.isoformat(), str(cluster)]) + "\n")
    return rows


SEARCH_INDEXES = ("articles_search_idx", "articles_title_trgm_idx")


def bulk_load(eng: sa.Engine, corpus: Corpus, count: int) -> float:
    """COPY ``count`` articles (the trigger computes each search_vector), the search indexes built after."""
    began = time.perf_counter()
    with eng.connect() as conn:
        indexes = dict(conn.execute(sa.text(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'news' AND indexname = ANY(:n)"),
            {"n": list(SEARCH_INDEXES)}).all())
    with eng.begin() as conn:
        for name in indexes:
            conn.execute(sa.text(f"DROP INDEX news.{name}"))
    start, span = datetime(2025, 1, 1, tzinfo=UTC), timedelta(days=730)
    chunk = 5000
    for first in range(1, count + 1, chunk):
        n = min(chunk, count + 1 - first)
        _copy(eng, "articles", ARTICLE_COLUMNS,
              article_rows(corpus, first, n, start + span * ((first - 1) / count), span * (n / count), "bai"))
        print(f"  {first + n - 1:,} articles", end="\r", flush=True)
    with eng.begin() as conn:
        conn.execute(sa.text("SELECT setval('news.articles_id_seq', (SELECT max(id) FROM news.articles))"))
        conn.execute(sa.text("INSERT INTO news.article_urls (url, article_id) SELECT url, id FROM news.articles"))
    copied = time.perf_counter() - began
    with eng.begin() as conn:
        for definition in indexes.values():
            conn.execute(sa.text(definition))
    print(f"COPY {copied:.1f} s, then the search indexes built in {time.perf_counter() - began - copied:.1f} s")
    return time.perf_counter() - began


def analyze(eng: sa.Engine) -> None:
    with eng.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("VACUUM ANALYZE news.articles"))
        conn.execute(sa.text("VACUUM ANALYZE news.stories"))


def timed(conn, statement: sa.TextClause, params: dict) -> tuple[float, int]:
    began = time.perf_counter()
    rows = conn.execute(statement, params).all()
    return (time.perf_counter() - began) * 1000, len(rows)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure_search(eng: sa.Engine) -> list[float]:
    search = sa.text("SELECT * FROM news.search(:q)")
    matches = sa.text("SELECT count(*) FROM news.articles WHERE search_vector @@ "
                      "websearch_to_tsquery('simple', news.fold(:q))")
    every: list[float] = []
    print(f"{'query':<24} {'matches':>8} {'rows':>5} {'median ms':>10} {'max ms':>8}  first title")
    with eng.connect() as conn:
        for q in QUERIES:
            conn.execute(search, {"q": q}).all()  # the first call plans the function's statements
            runs = [timed(conn, search, {"q": q}) for _ in range(REPEATS)]
            ms = [m for m, _ in runs]
            every += ms
            hits = conn.execute(matches, {"q": q}).scalar_one()
            first = conn.execute(search, {"q": q}).first()
            print(f"{q:<24} {hits:>8,} {runs[0][1]:>5} {statistics.median(ms):>10.1f} {max(ms):>8.1f}  "
                  f"{(first.title[:50] if first else '-')}", flush=True)
    return every


OLD_STORIES = """
WITH members AS (SELECT a.*, coalesce(a.cluster_id, a.id) AS story_id FROM news.articles a),
counts AS (SELECT story_id, count(*) AS articles, array_agg(DISTINCT source ORDER BY source) AS sources,
                  min(first_seen_at) AS first_seen_at, max(last_seen_at) AS last_seen_at FROM members GROUP BY story_id)
SELECT r.story_id, r.id AS representative_id, r.source AS representative_source, r.published_at, r.title, r.lead,
       r.canonical_url, c.articles, c.sources, c.first_seen_at, c.last_seen_at
FROM (SELECT DISTINCT ON (story_id) * FROM members ORDER BY story_id, published_at NULLS LAST, id) r
JOIN counts c USING (story_id)
"""


def measure_stories(eng: sa.Engine, rng: random.Random) -> None:
    with eng.connect() as conn:
        ids = conn.execute(sa.text("SELECT story_id FROM news.stories WHERE articles > 1 ORDER BY random() LIMIT 200")
                           ).scalars().all()
        week = sa.text("SELECT * FROM {} WHERE published_at > (SELECT max(published_at) FROM news.stories) "
                       "- interval '7 days' ORDER BY published_at DESC")
        one = sa.text("SELECT * FROM {} WHERE story_id = :id")
        for label, relation in (("news.rpt_stories (news.stories)", "news.rpt_stories"),
                                ("former view (computed per query)", f"({OLD_STORIES}) s")):
            tries = ids if relation == "news.rpt_stories" else ids[:3]
            by_id = [timed(conn, sa.text(one.text.format(relation)), {"id": i}) for i in tries]
            weeks = [timed(conn, sa.text(week.text.format(relation)), {}) for _ in range(5 if tries is ids else 2)]
            print(f"{label:<34} one story by id: median {statistics.median([m for m, _ in by_id]):8.2f} ms "
                  f"(p95 {percentile([m for m, _ in by_id], 0.95):.2f}, {len(by_id)} ids); the newest week "
                  f"({weeks[0][1]} stories): median {statistics.median([m for m, _ in weeks]):8.2f} ms", flush=True)
        plan = conn.execute(sa.text("EXPLAIN SELECT * FROM news.rpt_stories WHERE story_id = :id"),
                            {"id": ids[0]}).scalars().all()
        print("  plan: " + " / ".join(line.strip() for line in plan if "Scan" in line))


def measure_load(eng: sa.Engine, corpus: Corpus, size: int, count: int, run_id: int, label: str) -> tuple[float, float]:
    """ms per article: COPY of ``count`` new articles, and ``count`` more through load_batch."""
    with eng.connect() as conn:
        first = conn.execute(sa.text("SELECT max(id) FROM news.articles")).scalar_one() + 1
    rows = article_rows(corpus, first + 10_000_000, count, datetime(2027, 1, 1, tzinfo=UTC), timedelta(days=1),
                        f"copy-{label}")
    began = time.perf_counter()
    _copy(eng, "articles", ARTICLE_COLUMNS, rows)
    copy_ms = (time.perf_counter() - began) * 1000 / count
    articles = []
    for n in range(count):
        title, lead, body = corpus.article()
        url = f"http://127.0.0.1/synth-e/{label}-{n}.html"
        articles.append(Article(source="synth-e", url=url, canonical_url=url, title=title, lead=lead, body=body,
                                published_at=datetime(2027, 1, 2, tzinfo=UTC) + timedelta(seconds=n),
                                word_count=word_count(lead, body), content_hash=content_hash(title, lead, body)))
    began = time.perf_counter()
    for start in range(0, count, 25):
        load_batch(eng, run_id, "synth-e", [], BatchDedupe(articles[start:start + 25]), [])
    load_ms = (time.perf_counter() - began) * 1000 / count
    return copy_ms, load_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000, help="warehouse size (default %(default)s)")
    parser.add_argument("--load", type=int, default=1000, help="new articles timed per load measurement")
    args = parser.parse_args()
    corpus = Corpus(seed=11)
    print(f"corpus: {len(corpus.vi):,} Vietnamese sentences, {len(corpus.other):,} of other languages")
    with scratch_engine("newsetl_bench_warehouse") as eng:
        with eng.connect() as conn:
            fold = conn.execute(sa.text("SELECT pg_get_functiondef('news.fold(text)'::regprocedure) ~ 'unaccent'")
                                ).scalar_one()
            trigram = conn.execute(sa.text("SELECT to_regclass('news.articles_title_trgm_idx') IS NOT NULL")
                                   ).scalar_one()
            version = conn.execute(sa.text("SHOW server_version")).scalar_one()
        print(f"PostgreSQL {version}; fold: {'unaccent' if fold else 'plain SQL (no unaccent)'}; "
              f"title trigrams: {'yes' if trigram else 'no (no pg_trgm)'}")
        sync_sources(eng, [Source(name=n, title=n, homepage=f"http://127.0.0.1/{n}/", feeds=("http://127.0.0.1/",))
                           for n in (*SOURCES, "synth-e")])
        seconds = bulk_load(eng, corpus, args.articles)
        print(f"COPY of {args.articles:,} articles with their search_vector: {seconds:.1f} s")
        began = time.perf_counter()
        with eng.begin() as conn:
            stories = conn.execute(sa.text(
                "SELECT news.refresh_stories(ARRAY(SELECT DISTINCT coalesce(cluster_id, id) FROM news.articles))"
            )).scalar_one()
        print(f"news.stories rebuilt from scratch: {stories:,} stories in {time.perf_counter() - began:.1f} s")
        analyze(eng)
        with eng.connect() as conn:
            size = conn.execute(sa.text("SELECT pg_size_pretty(pg_total_relation_size('news.articles')), "
                                        "pg_size_pretty(pg_relation_size('news.articles_search_idx'))")).one()
        print(f"news.articles with its TOAST and indexes: {size[0]}; the GIN search index: {size[1]}\n")

        every = measure_search(eng)
        print(f"\nsearch over {args.articles:,} articles: median {statistics.median(every):.1f} ms, "
              f"p95 {percentile(every, 0.95):.1f} ms, max {max(every):.1f} ms "
              f"({len(QUERIES)} queries x {REPEATS}; target < 50 ms)\n")
        measure_stories(eng, corpus.rng)

        run_id = open_run(eng, ["synth-e"])
        with_copy, with_load = measure_load(eng, corpus, args.articles, args.load, run_id, "with")
        with eng.begin() as conn:
            conn.execute(sa.text("DROP INDEX IF EXISTS news.articles_title_trgm_idx"))
            # CASCADE: rpt_articles shows the column (its trigger and GIN index go with it anyway).
            conn.execute(sa.text("ALTER TABLE news.articles DROP COLUMN search_vector CASCADE, "
                                 "DROP COLUMN title_folded"))
        without_copy, without_load = measure_load(eng, corpus, args.articles, args.load, run_id, "without")
        print(f"\nload cost per article ({args.load:,} new articles each, at {args.articles:,} stored):")
        print(f"  COPY:                       {with_copy:6.2f} ms with search_vector and its indexes, "
              f"{without_copy:6.2f} ms without: +{with_copy - without_copy:.2f} ms")
        print(f"  load_batch (dedupe, insert, stories): {with_load:6.2f} ms with, {without_load:6.2f} ms without: "
              f"+{with_load - without_load:.2f} ms")
    p95 = percentile(every, 0.95)
    return 0 if p95 < 50 else 1


if __name__ == "__main__":
    sys.exit(main())
