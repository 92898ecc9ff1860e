"""A labelled near-duplicate set built from the sample articles: what syndication does, and what it does not.

Duplicates: each sample article is republished by one or two other papers the way
Vietnamese papers republish each other and the news agency: a new title, the first
paragraph trimmed, a "Theo TTXVN" credit or an agency dateline, a few words changed,
paragraphs laid out differently, the closing paragraph cut, a "Xem thêm" box. Every pair within one story
(original and copies, copy and copy) is labelled a duplicate.

Non-duplicates on similar topics: the sample articles are all about Cần Thơ and the
Mekong delta, many in the same section or the same week. Pairs of different stories
from the same section or published within seven days of each other are labelled
different, and so are digests ("Tin vắn") that quote the leads of four stories:
such a digest shares a paragraph with each story but is none of them.

Deterministic (seeded), so the figures in the README and the test are reproducible.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import combinations

from flows.sample_site.build import HERE as SAMPLE_SITE

ARTICLES_FILE = SAMPLE_SITE / "articles.json"  # the sample site's articles, shipped with the demo
SEED = 20_260_314
# Sources of the copies: the agency and papers that republish it.
SYNDICATORS = ("ttxvn", "baomoi", "mientay24h")
CREDITS = ("Theo TTXVN", "Nguồn: Báo Cần Thơ", "Theo Thông tấn xã Việt Nam", "(Theo VNA)", "Theo Tin Tức Mẫu")
DATELINES = ("(TTXVN) - ", "TTXVN - ", "(VNA) - ", "Cần Thơ (TTXVN) - ")
TITLE_PREFIXES = ("Cần Thơ: ", "Miền Tây: ", "Nóng: ", "")
# A few words a copy editor changes; a copy gets several of these swaps.
SWAPS = (("thành phố", "TP"), ("người dân", "bà con"), ("cho biết", "thông tin"), ("tỉ đồng", "tỷ đồng"),
         ("khoảng", "gần"), ("hơn", "trên"), ("đồng chí", "ông"), ("năm nay", "năm 2026"), ("tiếp tục", "tiếp"),
         ("nhiều", "không ít"), ("đã", "vừa"), ("rất", "khá"), ("được", "đã được"), ("các", "những"))


@dataclass(frozen=True)
class LabelledArticle:
    key: str  # "<slug>" for the original, "<slug>~<source>" for a copy, "digest-N" for a digest
    source: str
    title: str
    lead: str | None
    body: str
    published_at: datetime
    story: str  # the original's slug; a digest is a story of its own


@dataclass(frozen=True)
class LabelledSet:
    articles: list[LabelledArticle]
    pairs: list[tuple[str, str, bool]]  # (key, key, same story?)

    @property
    def duplicate_pairs(self) -> int:
        return sum(1 for *_, dup in self.pairs if dup)

    def by_key(self) -> dict[str, LabelledArticle]:
        return {a.key: a for a in self.articles}


def build(seed: int = SEED) -> LabelledSet:
    rng = random.Random(seed)
    originals = json.loads(ARTICLES_FILE.read_text(encoding="utf-8"))
    articles: list[LabelledArticle] = []
    stories: dict[str, list[str]] = {}
    for index, item in enumerate(originals):
        source = "baocantho" if item["template"] == "a" else "tintuc"
        original = LabelledArticle(item["slug"], source, item["title"], item["lead"], "\n\n".join(item["body"]),
                                   datetime.fromisoformat(item["published"]), item["slug"])
        articles.append(original)
        copies = 2 if index % 3 == 0 else 1
        syndicators = rng.sample(SYNDICATORS, copies)
        for syndicator in syndicators:
            articles.append(_copy(item, original, syndicator, rng, originals))
        stories[item["slug"]] = [original.key, *(f"{item['slug']}~{s}" for s in syndicators)]
    digests = _digests(originals, rng)
    articles.extend(digests)

    pairs: list[tuple[str, str, bool]] = []
    for keys in stories.values():
        pairs.extend((a, b, True) for a, b in combinations(keys, 2))
    # Different stories on similar topics: same section, or published within a week.
    for x, y in combinations(originals, 2):
        near = abs(datetime.fromisoformat(x["published"]) - datetime.fromisoformat(y["published"])) <= timedelta(7)
        if x["section"] == y["section"] or near:
            pairs.append((x["slug"], y["slug"], False))
            pairs.append((stories[x["slug"]][1], y["slug"], False))  # a copy of one against the other
    for digest in digests:
        for slug in digest.story.split("|")[1:]:
            pairs.extend((digest.key, key, False) for key in stories[slug])
    return LabelledSet(articles, pairs)


def _copy(item: dict, original: LabelledArticle, syndicator: str, rng: random.Random,
          originals: list[dict]) -> LabelledArticle:
    """One syndicated copy: a random mix of what republishing papers do, always with a new title."""
    lead: str | None = item["lead"]
    body = list(item["body"])
    edits = rng.sample(["trim", "credit", "words", "layout", "more", "shorten"], k=rng.randint(2, 5))
    if "shorten" in edits and len(body) > 2:  # the closing paragraph cut for space
        body = body[:-1]
    if "trim" in edits:  # the first paragraph is dropped
        if rng.random() < 0.5:
            lead = None
        else:
            body = body[1:]
    if "credit" in edits:
        if rng.random() < 0.5:
            body.append(rng.choice(CREDITS))
        else:
            lead = rng.choice(DATELINES) + (lead or body.pop(0))
    if "words" in edits:
        lead, body = _swap_words(lead, body, rng)
    if "layout" in edits:  # lead folded into the body, a long paragraph split at a sentence
        if lead:
            body = [lead, *body]
            lead = None
        longest = max(range(len(body)), key=lambda i: len(body[i]))
        first, dot, rest = body[longest].partition(". ")
        if rest:
            body[longest:longest + 1] = [first + dot.strip(), rest]
    if "more" in edits:  # a related-links box the copying site adds
        others = rng.sample([o for o in originals if o["slug"] != item["slug"]], 2)
        body.append("Xem thêm: " + "; ".join(o["title"] for o in others))
    title = rng.choice(TITLE_PREFIXES) + _retitle(item["title"], rng)
    delay = timedelta(minutes=rng.randint(10, 600))
    return LabelledArticle(f"{item['slug']}~{syndicator}", syndicator, title, lead, "\n\n".join(body),
                           original.published_at + delay, original.story)


def _retitle(title: str, rng: random.Random) -> str:
    """A rewritten headline: the clause after a comma moved to the front, or the title shortened."""
    head, comma, tail = title.partition(", ")
    if comma and rng.random() < 0.5:
        return tail[:1].upper() + tail[1:] + ": " + head[:1].lower() + head[1:]
    words = title.split()
    return " ".join(words[: max(6, len(words) * 2 // 3)])


def _swap_words(lead: str | None, body: list[str], rng: random.Random) -> tuple[str | None, list[str]]:
    """Three to six small wording changes across the text."""
    texts = ([lead] if lead else []) + body
    swaps = rng.sample(SWAPS, k=len(SWAPS))
    done = 0
    for old, new in swaps:
        if done >= rng.randint(3, 6):
            break
        hits = [i for i, t in enumerate(texts) if f" {old} " in t]
        if hits:
            i = rng.choice(hits)
            texts[i] = texts[i].replace(f" {old} ", f" {new} ", 1)
            done += 1
    if lead:
        return texts[0], texts[1:]
    return None, texts


def _digests(originals: list[dict], rng: random.Random, count: int = 8) -> list[LabelledArticle]:
    """"Tin vắn" digests: the leads of four stories of one section or week, each a paragraph."""
    digests = []
    by_date = sorted(originals, key=lambda o: o["published"])
    for n in range(count):  # consecutive, non-overlapping windows of four: no two digests share a story
        picked = by_date[n * 4:n * 4 + 4]
        body = "\n\n".join(f"{o['title']}. {o['lead']}" for o in picked)
        published = max(datetime.fromisoformat(o["published"]) for o in picked) + timedelta(hours=2)
        story = "|".join([f"digest-{n}", *(o["slug"] for o in picked)])
        digests.append(LabelledArticle(f"digest-{n}", rng.choice(SYNDICATORS), f"Tin vắn Cần Thơ số {n + 1}",
                                       None, body, published, story))
    return digests


@dataclass(frozen=True)
class Quality:
    """Precision and recall of the cluster assignment over the labelled pairs."""

    threshold: float
    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def precision(self) -> float:
        called = self.true_pos + self.false_pos
        return self.true_pos / called if called else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_pos + self.false_neg
        return self.true_pos / actual if actual else 1.0


def article_url(item: LabelledArticle) -> str:
    return f"http://127.0.0.1/{item.source}/{item.key.split('~')[0]}.html"


def load_labelled(eng, labelled: LabelledSet, threshold: float | None = None, batch_size: int = 25,
                  seed: int = SEED) -> dict[str, int]:
    """Load the set through the warehouse's own load path, in a shuffled order; key -> cluster_id."""
    import sqlalchemy as sa

    from tasks.config import Source
    from tasks.dedupe.decide import BatchDedupe
    from tasks.normalise import content_hash
    from tasks.records import Article
    from tasks.text import word_count
    from tasks.warehouse.runs import open_run, sync_sources
    from tasks.warehouse.writes import load_batch

    names = sorted({a.source for a in labelled.articles})
    sync_sources(eng, [Source(name=n, title=n, homepage=f"http://127.0.0.1/{n}/", feeds=(f"http://127.0.0.1/{n}/rss",))
                       for n in names])
    run_id = open_run(eng, names)
    order = list(labelled.articles)
    random.Random(seed).shuffle(order)
    for start in range(0, len(order), batch_size):
        batch = [Article(source=a.source, url=article_url(a), canonical_url=article_url(a), title=a.title,
                         lead=a.lead, body=a.body, published_at=a.published_at, word_count=word_count(a.lead, a.body),
                         content_hash=content_hash(a.title, a.lead, a.body))
                 for a in order[start:start + batch_size]]
        load_batch(eng, run_id, "ttxvn", [], BatchDedupe(batch, threshold), [])
    with eng.connect() as conn:
        clusters = dict(conn.execute(sa.text("SELECT canonical_url, cluster_id FROM news.articles")).all())
    return {a.key: clusters[article_url(a)] for a in labelled.articles}


def score(labelled: LabelledSet, clusters: dict[str, int], threshold: float) -> Quality:
    counts = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    for a, b, same in labelled.pairs:
        called = clusters[a] == clusters[b]
        counts[("t" if called == same else "f") + ("p" if called else "n")] += 1
    return Quality(threshold, counts["tp"], counts["fp"], counts["fn"], counts["tn"])
