"""The records that pass between the steps; every step takes and returns these.

They are frozen so that a step cannot change what an earlier one produced: a
later step builds a new record instead (``dataclasses.replace``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from tasks.errors import REJECT_CODES, RejectCode

Stage = Literal["discover", "fetch", "extract", "load"]


@dataclass(frozen=True)
class DiscoveredUrl:
    """An article URL found in a feed or sitemap, with what that listing said about it.

    The hints fill gaps the page itself leaves: a page that prints no date still
    gets the feed's ``pubDate``.
    """

    url: str
    source: str
    via: str  # the feed or sitemap URL it came from
    title_hint: str | None = None
    published_hint: datetime | None = None


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP exchange for an article page, fetched or read from a web archive, as stored in ``news.pages``."""

    url: str  # normalised requested URL: the key the next run looks up
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime  # for an archived page, the capture's WARC-Date
    # Where an archived page was read (backfill): the WARC file and its record's byte offset; None when fetched.
    warc_file: str | None = None
    warc_offset: int | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def validators(self) -> Validators | None:
        """What to send next time to get a 304 if nothing changed."""
        found = Validators(self.headers.get("etag"), self.headers.get("last-modified"))
        return found if found.etag or found.last_modified else None


@dataclass(frozen=True)
class Validators:
    """A URL's ``ETag`` / ``Last-Modified`` from its last fetch, sent back as a conditional request."""

    etag: str | None = None
    last_modified: str | None = None

    def request_headers(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


@dataclass(frozen=True)
class Article:
    """The clean article record the warehouse holds (``news.articles``)."""

    source: str
    url: str
    canonical_url: str
    title: str
    lead: str | None
    body: str  # paragraphs separated by a blank line
    captions: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    modified_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    image_url: str | None = None
    dateline: str | None = None
    byline: str | None = None
    published_raw: str | None = None
    word_count: int = 0
    content_hash: str = ""
    provenance: dict[str, str] = field(default_factory=dict)
    source_credit: str | None = None  # the outlet a piece is taken from: "TTXVN" from "Theo TTXVN"
    modified_raw: str | None = None


@dataclass(frozen=True)
class DedupeDecision:
    """What an article is to the warehouse: decided by ``tasks.dedupe``, applied by ``tasks.warehouse.writes``.

    ``new``: not held; ``updated``: held with other text (a new version, same story); ``unchanged``:
    held with this text at this URL; ``duplicate``: held with this text, reached by another URL.
    """

    kind: Literal["new", "updated", "unchanged", "duplicate"]
    held_id: int | None = None  # the stored article it is; None when new
    # The story to put it in: for a new article None founds its own (its id); for a held one None keeps its story.
    cluster_id: int | None = None
    # LSH buckets to index it under: a new article's, an updated one's (replacing the old), a held one put in a story.
    buckets: tuple[int, ...] = ()


@dataclass(frozen=True)
class Reject:
    """A page or listing that failed one stage; stored in ``news.rejects``, never dropped.

    ``code`` (column ``reason_code``) says why, from the closed set in ``tasks.errors``, and
    holds no value; ``detail`` (column ``reason``) says it in words, with the values.
    """

    source: str
    url: str
    stage: Stage
    code: RejectCode
    detail: str
    http_status: int | None = None

    def __post_init__(self) -> None:
        if self.code not in REJECT_CODES:
            raise ValueError(f"{self.code!r} is not a reject code (see tasks.errors.RejectCode)")


@dataclass
class SourceStats:
    """Per-source counts for the run summary and ``news.ingest_run_sources``."""

    source: str
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    rejected: int = 0
    not_modified: int = 0  # feeds, sitemaps and pages that answered 304 to a conditional request
    error: str | None = None

    COUNTS = ("discovered", "fetched", "new", "updated", "unchanged", "duplicates", "rejected", "not_modified")

    def add(self, other: SourceStats) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.error = self.error or other.error

    @classmethod
    def total(cls, sources: Iterable[SourceStats]) -> SourceStats:
        """The counts of ``sources`` added up, as the run's ``total`` row (errors stay with their sources)."""
        total = cls("total")
        for stats in sources:
            total.add(stats)
        total.error = None
        return total


@dataclass(frozen=True)
class SourceDrift:
    """A source that ``news.rpt_source_drift`` flags after a run: drifted signals and/or stale, in words."""

    source: str
    signals: tuple[str, ...]  # title, authors, published_at, lead, section, image, body_length, rejects
    stale: bool
    detail: str  # "published_at 0% (baseline 100%); nothing new for 72 h (...)"


@dataclass(frozen=True)
class ExtractedPage:
    """What a page says, as printed: raw strings and their provenance, before normalisation.

    ``lead`` still carries its dateline and ``byline`` its role words; the
    normalise step splits them into the warehouse fields.
    """

    url: str
    title: str | None = None
    lead: str | None = None
    paragraphs: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    byline: str | None = None
    meta_authors: tuple[str, ...] = ()
    published_raw: str | None = None
    modified_raw: str | None = None
    canonical_url: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    image_url: str | None = None
    site_name: str | None = None
    outlet_names: tuple[str, ...] = ()  # every name the page gives its publisher (og:site_name, JSON-LD, app name)
    provenance: dict[str, str] = field(default_factory=dict)
    meta_credit: str | None = None  # an organisation named as author in JSON-LD (dpa, AFP, the newsroom itself)
    printed_authors: tuple[str, ...] = ()  # names printed at the headline, for when metadata names no person
