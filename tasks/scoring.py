"""Score extracted records against expected ones, by the comparison rules of the shared data README.

The rules are those of ``../shared/data/README.md`` ("How fields are compared"), so that
``newsetl eval`` figures are comparable with the published ones: exact title after NFC and
whitespace collapsing, author sets, publication instants to the minute with the offset
rules, word-4-gram F1 for lead and body (precision averaged over non-empty predictions,
recall over all scored pages), language primary subtag, first listing items, and (for
``vn-articles-dev``) whether the body holds its first and last sentence.

Folds (``split_folds``) cut a set by site, so that a rule's figure on the sites it was not
written for can be read apart from its figure on the sites it was.

Pure functions on plain values; :class:`SetScore` accumulates a folder.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

_SPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"\w+")
_LANGUAGE_ALIASES = {"nb": "no", "nn": "no"}


def norm(text: str | None) -> str:
    """NFC, every whitespace run one space, ends trimmed: the equality the README uses."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


# --- exact fields ----------------------------------------------------------------------------------

def title_ok(predicted: str | None, expected: str) -> bool:
    return norm(predicted) == norm(expected)


def author_set_f1(predicted: list[str] | tuple[str, ...], expected: list[str]) -> float:
    """Partial credit for a name list: F1 of the two sets (both empty is 1)."""
    got, want = {norm(a) for a in predicted if norm(a)}, {norm(a) for a in expected if norm(a)}
    if not got and not want:
        return 1.0
    tp = len(got & want)
    if not tp:
        return 0.0
    p, r = tp / len(got), tp / len(want)
    return 2 * p * r / (p + r)


def authors_ok(predicted: list[str] | tuple[str, ...], expected: list[str]) -> bool:
    return {norm(a) for a in predicted if norm(a)} == {norm(a) for a in expected if norm(a)}


def language_ok(predicted: str | None, expected: str) -> bool:
    return bool(predicted) and _primary(predicted) == _primary(expected)


def _primary(code: str) -> str:
    primary = re.split(r"[-_]", code.strip().lower())[0]
    return _LANGUAGE_ALIASES.get(primary, primary)


def published_ok(predicted: datetime | date | str | None, expected: str) -> bool:
    """Same instant to the minute; for an expected value without offset, the same local clock time.

    A prediction without offset misses an expected value with one; a date-only
    prediction (a ``date`` or a string without time) matches an expected midnight.
    """
    got = _as_datetime(predicted)
    if got is None:
        return False
    want = datetime.fromisoformat(expected)
    if want.tzinfo is None:
        return got.replace(tzinfo=None, second=0, microsecond=0) == want.replace(second=0, microsecond=0)
    if got.tzinfo is None:
        return False
    return got.replace(second=0, microsecond=0) == want.replace(second=0, microsecond=0)


def published_day_ok(predicted: datetime | date | str | None, expected: str) -> bool:
    """Diagnostic: the calendar day the page states, whatever the time or offset."""
    got = _as_datetime(predicted)
    return got is not None and got.date() == datetime.fromisoformat(expected).date()


def _as_datetime(value: datetime | date | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def sentence_in(body: str | None, sentence: str) -> bool:
    """The body holds the sentence after NFC, U+FEFF removal and whitespace collapsing (the data README)."""
    return bool(norm(sentence)) and _sentence_norm(sentence) in _sentence_norm(body)


def _sentence_norm(text: str | None) -> str:
    return norm((text or "").replace("\ufeff", ""))


# --- text overlap ----------------------------------------------------------------------------------

def ngrams(text: str | None, n: int = 4) -> Counter:
    """The multiset of overlapping word-n-grams; a text of 1..n-1 tokens is one shorter sequence."""
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def overlap(predicted: str | None, expected: str) -> tuple[float | None, float]:
    """(precision or None for an empty prediction, recall) of one page's text."""
    got, want = ngrams(predicted), ngrams(expected)
    tp = sum((got & want).values())
    precision = tp / sum(got.values()) if got else None
    recall = tp / sum(want.values()) if want else (1.0 if not got else 0.0)
    return precision, recall


# --- listing items ---------------------------------------------------------------------------------

def _item_url(url: str, page_url: str) -> str:
    parts = urlsplit(urljoin(page_url, url.strip()))
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, ""))


def first_items_share(predicted: list[dict], expected: list[dict], page_url: str) -> float:
    """Share of the expected items matched, position by position (URL and title)."""
    if not expected:
        return 1.0
    hits = 0
    for got, want in zip(predicted, expected, strict=False):
        if (_item_url(got.get("url") or "", page_url) == _item_url(want["url"], page_url)
                and norm(got.get("title")) == norm(want["title"])):
            hits += 1
    return hits / len(expected)


# --- accumulation ----------------------------------------------------------------------------------

@dataclass
class TextScore:
    """Word-4-gram P/R/F1 over a set: P over non-empty predictions, R over all scored pages."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)

    def add(self, predicted: str | None, expected: str) -> tuple[float | None, float]:
        p, r = overlap(predicted, expected)
        if p is not None:
            self.precisions.append(p)
        self.recalls.append(r)
        return p, r

    @property
    def pages(self) -> int:
        return len(self.recalls)

    @property
    def precision(self) -> float:
        return sum(self.precisions) / len(self.precisions) if self.precisions else 0.0

    @property
    def recall(self) -> float:
        return sum(self.recalls) / len(self.recalls) if self.recalls else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Share:
    """Accuracy of an exact field (and an optional diagnostic) over the pages that score it."""

    hits: list[bool] = field(default_factory=list)
    diagnostic: list[float] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.hits)

    @property
    def score(self) -> float:
        return sum(self.hits) / len(self.hits) if self.hits else 0.0

    @property
    def diagnostic_score(self) -> float:
        return sum(self.diagnostic) / len(self.diagnostic) if self.diagnostic else 0.0


@dataclass
class PageMiss:
    name: str
    field: str
    expected: object
    got: object


EXACT_FIELDS = ("title", "authors", "published_at", "language", "body_first_sentence", "body_last_sentence")
SENTENCE_FIELDS = ("body_first_sentence", "body_last_sentence")
# The fields of a fold table, in the order the README's tables print them.
FIELDS = ("title", "authors", "published_at", "published_day", "language", "lead", "body", "body_first_sentence",
          "body_last_sentence", "first_items")


def _tail(body: str | None, key: str) -> str:
    """What a sentence miss shows: the body's start or end, where the expected sentence should have been."""
    text = norm((body or "").replace("\ufeff", ""))
    return text[:200] if key == "body_first_sentence" else text[-200:]


@dataclass
class SetScore:
    """A folder's figures: one :class:`Share` or :class:`TextScore` per field, the misses, and timing."""

    title: Share = field(default_factory=Share)
    authors: Share = field(default_factory=Share)
    published_at: Share = field(default_factory=Share)
    language: Share = field(default_factory=Share)
    first_items: Share = field(default_factory=Share)
    body_first_sentence: Share = field(default_factory=Share)
    body_last_sentence: Share = field(default_factory=Share)
    lead: TextScore = field(default_factory=TextScore)
    body: TextScore = field(default_factory=TextScore)
    pages: int = 0
    seconds: float = 0.0
    errors: int = 0
    first_items_available: bool = True
    misses: list[PageMiss] = field(default_factory=list)
    provenance: dict[str, Counter] = field(default_factory=dict)
    text_miss_below: float = 0.9

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def add(self, name: str, predicted: dict, expected: dict, provenance: dict[str, str] | None = None) -> None:
        """Score one page. ``predicted`` uses the expected record's keys (title, authors, ...)."""
        if expected.get("title") is not None:
            self._exact(name, "title", self.title, title_ok(predicted.get("title"), expected["title"]),
                        predicted.get("title"), expected["title"])
        if expected.get("authors") is not None:
            got = list(predicted.get("authors") or [])
            self._exact(name, "authors", self.authors, authors_ok(got, expected["authors"]), got,
                        expected["authors"])
            self.authors.diagnostic.append(author_set_f1(got, expected["authors"]))
        if expected.get("published_at") is not None:
            got = predicted.get("published_at")
            self._exact(name, "published_at", self.published_at, published_ok(got, expected["published_at"]),
                        got.isoformat() if isinstance(got, date) else got, expected["published_at"])
            self.published_at.diagnostic.append(float(published_day_ok(got, expected["published_at"])))
        if expected.get("language") is not None:
            self._exact(name, "language", self.language, language_ok(predicted.get("language"),
                                                                     expected["language"]),
                        predicted.get("language"), expected["language"])
        for key in SENTENCE_FIELDS:
            if expected.get(key) is not None:
                share = getattr(self, key)
                body = predicted.get("body")
                self._exact(name, key, share, sentence_in(body, expected[key]), _tail(body, key),
                            expected[key])
        for key, score in (("lead", self.lead), ("body", self.body)):
            if expected.get(key) is not None:
                p, r = score.add(predicted.get(key), expected[key])
                if r < self.text_miss_below or (p is not None and p < self.text_miss_below):
                    self.misses.append(PageMiss(name, key, expected[key][:300],
                                                f"P={p if p is None else round(p, 3)} R={r:.3f}: "
                                                f"{(predicted.get(key) or '')[:300]}"))
        if expected.get("first_items") is not None and self.first_items_available:
            got = predicted.get("first_items") or []
            share = first_items_share(got, expected["first_items"], expected.get("url") or "")
            self.first_items.hits.append(share == 1.0)
            self.first_items.diagnostic.append(share)
            if share < 1.0:
                self.misses.append(PageMiss(name, "first_items", expected["first_items"], got[:3]))
        for key, signal in (provenance or {}).items():
            self.provenance.setdefault(key, Counter())[signal] += 1

    def _exact(self, name: str, key: str, share: Share, ok: bool, got, want) -> None:
        share.hits.append(ok)
        if not ok:
            self.misses.append(PageMiss(name, key, want, got))

    def merge(self, other: SetScore) -> SetScore:
        """The figures of both page sets as one (folds back to their whole set); neither is changed."""
        out = SetScore(first_items_available=self.first_items_available and other.first_items_available,
                       text_miss_below=self.text_miss_below)
        for key in EXACT_FIELDS + ("first_items",):
            mine, theirs = getattr(self, key), getattr(other, key)
            setattr(out, key, Share(mine.hits + theirs.hits, mine.diagnostic + theirs.diagnostic))
        for key in ("lead", "body"):
            mine, theirs = getattr(self, key), getattr(other, key)
            setattr(out, key, TextScore(mine.precisions + theirs.precisions, mine.recalls + theirs.recalls))
        out.pages, out.seconds, out.errors = (self.pages + other.pages, self.seconds + other.seconds,
                                              self.errors + other.errors)
        out.misses = self.misses + other.misses
        for source in (self.provenance, other.provenance):
            for key, counts in source.items():
                out.provenance.setdefault(key, Counter()).update(counts)
        return out

    def figure(self, key: str) -> float | None:
        """One number per field (accuracy, or F1 for text), None when no page scored it: the fold tables' cell."""
        if key in ("lead", "body"):
            text: TextScore = getattr(self, key)
            return text.f1 if text.pages else None
        if key == "published_day":  # the right-day diagnostic, which a day-first reading moves
            return self.published_at.diagnostic_score if self.published_at.pages else None
        share: Share = getattr(self, key)
        if key == "first_items":
            return share.diagnostic_score if share.pages and self.first_items_available else None
        return share.score if share.pages else None

    def as_dict(self) -> dict:
        """The figures as plain values (the ``--json`` output)."""
        out: dict = {"pages": self.pages, "errors": self.errors, "pages_per_second": round(self.pages_per_second, 2)}
        for key in EXACT_FIELDS:
            share: Share = getattr(self, key)
            if share.pages:
                out[key] = {"pages": share.pages, "score": round(share.score, 4)}
                if share.diagnostic:
                    label = "set_f1" if key == "authors" else "right_day"
                    out[key][label] = round(share.diagnostic_score, 4)
        for key in ("lead", "body"):
            text: TextScore = getattr(self, key)
            if text.pages:
                out[key] = {"pages": text.pages, "f1": round(text.f1, 4), "precision": round(text.precision, 4),
                            "recall": round(text.recall, 4)}
        if not self.first_items_available:
            out["first_items"] = "not available"
        elif self.first_items.pages:
            out["first_items"] = {"pages": self.first_items.pages,
                                  "score": round(self.first_items.diagnostic_score, 4)}
        if self.provenance:
            out["provenance"] = {k: dict(v) for k, v in sorted(self.provenance.items())}
        return out


# --- folders ---------------------------------------------------------------------------------------

def read_folder(folder: str | Path) -> list[tuple[str, bytes, dict]]:
    """(name, page bytes, expected record) of every ``NAME.html[.gz]`` + ``NAME.json`` pair, by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: not a folder")
    pages = []
    for record_path in sorted(folder.glob("*.json")):
        name = record_path.name.removesuffix(".json")
        html_path = next((p for p in (folder / f"{name}.html.gz", folder / f"{name}.html", folder / f"{name}.htm")
                          if p.exists()), None)
        if html_path is None:
            continue
        data = html_path.read_bytes()
        if html_path.suffix == ".gz":
            data = gzip.decompress(data)
        pages.append((name, data, json.loads(record_path.read_text(encoding="utf-8"))))
    return pages


def page_site(name: str, expected: dict) -> str:
    """The site a page belongs to: its record's ``site``, else its URL's host without ``www.`` (aeb-dev)."""
    if expected.get("site"):
        return str(expected["site"]).lower()
    host = (urlsplit(expected.get("url") or "").hostname or "").lower()
    return host.removeprefix("www.") or name


def split_folds(pages: list[tuple[str, bytes, dict]], k: int) -> list[list[tuple[str, bytes, dict]]]:
    """``k`` folds of the pages, every page of a site in the same fold.

    Sites are ordered by a hash of their name and dealt out in turn, so the split is the same
    on every machine and run, spreads sites evenly, and does not follow the file names (which
    group a country's or a year's pages together). ``k`` above the number of sites leaves
    empty folds out.
    """
    if k < 1:
        raise ValueError(f"folds must be 1 or more, not {k}")
    sites = sorted({page_site(name, expected) for name, _, expected in pages},
                   key=lambda site: hashlib.sha256(site.encode()).hexdigest())
    fold_of = {site: i % k for i, site in enumerate(sites)}
    folds: list[list[tuple[str, bytes, dict]]] = [[] for _ in range(min(k, len(sites)))]
    for page in pages:
        folds[fold_of[page_site(page[0], page[2])]].append(page)
    return folds


def merged(scores: list[SetScore]) -> SetScore:
    """The figures of several page sets (folds) as one."""
    whole = scores[0]
    for score in scores[1:]:
        whole = whole.merge(score)
    return whole


def fold_sites(fold: list[tuple[str, bytes, dict]]) -> list[str]:
    """The sites of a fold, sorted (what a fold table's header names)."""
    return sorted({page_site(name, expected) for name, _, expected in fold})


def fold_label(number: int, fold: list[tuple[str, bytes, dict]]) -> str:
    """A fold table's column header: the fold's number, sites and pages."""
    return f"fold {number}\n{len(fold_sites(fold))} sites\n{len(fold)} pages"


def fold_rows(folds: list[SetScore]) -> list[tuple[str, list[str], str]]:
    """(field, one figure per fold, the figure over all folds) for every field some fold scored."""
    whole = merged(folds)
    out = []
    for key in FIELDS:
        if whole.figure(key) is None:
            continue
        cells = ["-" if (v := fold.figure(key)) is None else f"{v:.3f}" for fold in folds]
        out.append((key, cells, f"{whole.figure(key):.3f}"))
    return out


def score_folder(pages: list[tuple[str, bytes, dict]], predict: Callable[[bytes, str], tuple[dict, dict]],
                 *, first_items: Callable[[bytes, str], list[dict]] | None = None) -> SetScore:
    """Run ``predict`` on every page (timed alone) and score its output.

    ``predict`` returns (fields, provenance); an exception counts as an empty
    prediction and an error. ``first_items`` (for listing pages) is timed too;
    without it, first_items is reported as not available.
    """
    result = SetScore(first_items_available=first_items is not None)
    for name, data, expected in pages:
        url = expected.get("url") or f"file:///{name}.html"
        predicted: dict = {}
        provenance: dict = {}
        listing = expected.get("first_items") is not None
        call = (first_items if listing else predict)
        started = time.perf_counter()
        try:
            if call is None:
                pass
            elif listing:
                predicted["first_items"] = call(data, url)
            else:
                predicted, provenance = call(data, url)
        except Exception as exc:  # a page the extractor cannot read scores as empty, and is counted
            result.errors += 1
            result.misses.append(PageMiss(name, "error", None, f"{type(exc).__name__}: {exc}"))
        if call is not None:
            result.seconds += time.perf_counter() - started
            result.pages += 1
        result.add(name, predicted, expected, provenance)
    return result


def rows(score: SetScore) -> list[tuple[str, str, str]]:
    """(field, pages scored, figure) lines of a set, as the README's tables print them."""
    out: list[tuple[str, str, str]] = []
    for key, label in (("title", ""), ("authors", "set F1"), ("published_at", "right day"), ("language", ""),
                       ("body_first_sentence", ""), ("body_last_sentence", "")):
        share: Share = getattr(score, key)
        if share.pages:
            extra = f" ({label} {share.diagnostic_score:.3f})" if label and share.diagnostic else ""
            out.append((key, str(share.pages), f"{share.score:.3f}{extra}"))
    for key in ("lead", "body"):
        text: TextScore = getattr(score, key)
        if text.pages:
            figure = f"{text.f1:.3f} ({text.precision:.3f} / {text.recall:.3f})"
            out.append((f"{key} F1 (P / R)", str(text.pages), figure))
    if not score.first_items_available:
        out.append(("first_items", "-", "not available"))
    elif score.first_items.pages:
        out.append(("first_items", str(score.first_items.pages), f"{score.first_items.diagnostic_score:.3f}"))
    if score.pages:
        out.append(("speed (pages/s)", str(score.pages), f"{score.pages_per_second:.1f}"))
    if score.errors:
        out.append(("errors", str(score.errors), "pages the extractor could not read"))
    return out


def provenance_rows(score: SetScore) -> list[tuple[str, str]]:
    """(field, "signal NN%, ...") over the pages that gave the field a value."""
    out = []
    for key, counts in sorted(score.provenance.items()):
        total = sum(counts.values())
        shares = ", ".join(f"{signal} {100 * n / score.pages:.0f}%" for signal, n in counts.most_common())
        missing = score.pages - total
        out.append((key, shares + (f", none {100 * missing / score.pages:.0f}%" if missing > 0 else "")))
    return out
