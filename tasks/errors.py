"""newsetl's errors, and the closed set of codes a reject's reason is given in.

Every error newsetl raises on purpose is a :class:`NewsetlError`, in two families.
A failure of the whole system (a wrong sources file, an unreachable database, no
Prefect server) stops the command or fails the flow. A failure of one page or
listing (:class:`RecordError` and its kinds) costs that record alone: it becomes a
``news.rejects`` row whose ``reason_code`` is the error's ``code``, one of
:data:`REJECT_CODES`, and whose ``reason`` is its ``detail``, the human words with
the values in them (sizes, URLs, the library's message). The code never holds a value,
so that ``news.rpt_rejects`` can group by it.

Foreign errors (requests, urllib3, lxml, SQLAlchemy and psycopg2) do not travel: they
are translated where they are caught, into the most specific kind below with a code::

    NewsetlError
    ├── ConfigError
    ├── DatabaseError
    ├── PrefectServerError
    └── RecordError
        ├── FetchError
        │   ├── TransientFetchError
        │   └── PermanentFetchError
        │       ├── AddressRefused
        │       └── HostPaused
        ├── ListingError
        ├── ArchiveError
        ├── DecodeError
        └── ExtractError

Apart from that tree, :class:`Interrupted` (a ``BaseException``, as ``KeyboardInterrupt`` is) is
how ``newsetl`` stops on SIGTERM or SIGINT: no ``except Exception`` swallows it, so it reaches the
run's lifecycle, which records the run ``failed`` with the signal's name (:func:`stop_reason`).

A row the database refuses is no exception of ours: ``tasks.warehouse.writes`` catches the
driver's error around that one row and records a ``db_refused`` reject.
"""

from __future__ import annotations

import signal
from typing import Literal, get_args

# Why a page or listing was rejected; the stage it happens at is in README's table of codes.
# Adding a code: add it here (one line saying what it means), to README's table, and to the
# CHECK constraint on news.rejects.reason_code in a new migration (a test compares them).
RejectCode = Literal[
    "http_status",  # the answer is not a 200 page (a 404, 410, or a 503 still there after the retries)
    "timeout",  # no answer, or not the whole body, within the read timeout or the total deadline; or reading
    # the page (extract) took longer than NEWSETL_EXTRACT_TIMEOUT
    "connection",  # no exchange: the connection was refused or reset, or the host name did not resolve
    "invalid_request",  # the request could not be sent as asked: a malformed URL or header
    "truncated",  # the connection dropped in the middle of the body
    "too_large",  # the body (or a sitemap) is larger than the limit, counted after decompression: a gzip bomb
    "bad_compression",  # an unsupported or broken content-encoding, or a broken gzip sitemap
    "redirect_loop",  # redirects that come back to a URL already visited, or go on for too many hops
    "out_of_scope",  # a URL or redirect target off the source's hosts, or at an address it may not reach
    "robots",  # robots.txt disallows the URL (or the target of its redirect)
    "robots_unavailable",  # robots.txt cannot be read (5xx, unreachable): nothing is fetched from the host
    "host_paused",  # the host asked (Retry-After) to be left alone longer than a run waits
    "not_html",  # the page's content type is not HTML (a PDF, an image)
    "undecodable",  # the bytes match neither the declared charset nor any detected one
    "mojibake",  # the decoded text still reads like UTF-8 decoded as windows-125x
    "empty",  # the page decodes to nothing: an empty or blank document
    "parse_error",  # the page, feed or sitemap cannot be parsed (malformed HTML or XML)
    "no_title",  # the page has no headline the extractor can find
    "no_text",  # the page has a headline but no article text
    "extractor_bug",  # the extractor raised an unexpected exception: a bug to fix, named in the detail
    "not_feed",  # a feed URL whose answer is not RSS or Atom
    "not_sitemap",  # a sitemap URL whose answer is not a urlset or sitemap index
    "sitemap_loop",  # a sitemap index that includes itself, directly or further down
    "sitemap_too_deep",  # sitemap indexes nested deeper than discovery follows
    "no_links",  # a listing (section) page with no article links
    "repeated_page",  # a listing's next page repeats the links of earlier ones (a wrong 'page_url')
    "db_refused",  # the database refused the article's row (bad data, a constraint)
    "revisit",  # an archived (WARC) revisit record: the archive keeps no body, only a pointer to an earlier capture
    "bad_record",  # an archived response whose HTTP status line or headers cannot be read
]
REJECT_CODES: tuple[RejectCode, ...] = get_args(RejectCode)
# The code migration 0005 gave old rows whose free-text reason no pattern recognised; never written since.
BACKFILL_CODE = "other"


class NewsetlError(Exception):
    """Base class of every error newsetl raises on purpose; the message is one readable line."""


class ConfigError(NewsetlError):
    """The sources file or a setting is wrong; the message says where and how to fix it."""


class DatabaseError(NewsetlError):
    """The warehouse cannot be reached or brought up to date."""


class PrefectServerError(NewsetlError):
    """The local Prefect server did not come up."""


class BatchTimeout(NewsetlError, TimeoutError):
    """A batch of work took longer than NEWSETL_TASK_TIMEOUT (a WARC file's batch): its task fails, named."""


class SourcesFailed(NewsetlError):
    """A run finished and was recorded, but a source failed entirely (or every one did): its flow run fails."""

    def __init__(self, message: str, summary: object = None):
        super().__init__(message)
        self.summary = summary  # the run's RunSummary (flows.runs), for the CLI to print

    def __reduce__(self):  # Prefect may pickle a flow's exception; keep the summary with it
        return type(self), (str(self), self.summary)


class ChildRunsFailed(NewsetlError):
    """A fan-out (flows/fanout.py) whose child runs did not all complete: its flow run fails, naming them."""

    def __init__(self, message: str, summary: object = None):
        super().__init__(message)
        self.summary = summary  # the FanoutSummary (flows.fanout), every child's outcome and the added-up counts

    def __reduce__(self):
        return type(self), (str(self), self.summary)


class RecordError(NewsetlError):
    """A page or listing that failed a stage: its reject ``code``, the ``detail`` in words, the HTTP ``status``."""

    def __init__(self, code: RejectCode, detail: str, status: int | None = None):
        if code not in REJECT_CODES:
            raise ValueError(f"{code!r} is not a reject code (see tasks.errors.RejectCode)")
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status

    def __str__(self) -> str:
        return self.detail  # the fetcher's retry loop appends the attempts to it

    def __reduce__(self):
        # Pickled with its attributes, not its constructor's arguments (the kinds' constructors differ):
        # Prefect pickles the exception of a failed task.
        return _restored, (type(self), self.detail), self.__dict__


def _restored(kind: type[RecordError], detail: str) -> RecordError:
    error = kind.__new__(kind)
    Exception.__init__(error, detail)
    return error


class FetchError(RecordError):
    """A request that gave no usable response."""


class TransientFetchError(FetchError):
    """A failure that may pass (timeout, reset, cut-off body): the fetcher retries it with backoff."""


class PermanentFetchError(FetchError):
    """A final answer or a refusal of ours (scope, robots.txt, size, redirects): never retried."""


class RedirectedOffSite(PermanentFetchError):
    """A redirect off the source's reach; ``target`` says where, for ``sources add`` to follow a site that moved."""

    def __init__(self, detail: str, target: str, code: RejectCode = "out_of_scope"):
        super().__init__(code, detail)
        self.target = target


class AddressRefused(PermanentFetchError):
    """At connect time, the host name resolves to an address the source may not reach (DNS rebinding)."""

    def __init__(self, detail: str):
        super().__init__("out_of_scope", f"out of scope (at connect time): {detail}")


class HostPaused(PermanentFetchError):
    """The host asked (Retry-After) to be left alone longer than a run waits; recorded as its 429."""

    def __init__(self, host: str, seconds: float):
        super().__init__("host_paused",
                         f"{host} asked us to wait {seconds:.0f}s more (Retry-After); not fetched in this run", 429)
        self.seconds = seconds


class ListingError(RecordError):
    """A feed, sitemap or listing page that was fetched but cannot be read."""


class ArchiveError(RecordError):
    """A WARC record that holds no readable response: cut off, a revisit, broken HTTP headers, too large."""


class DecodeError(RecordError):
    """A page's bytes cannot be read as text reliably; the detail names what was declared and found."""


class ExtractError(RecordError):
    """The page is not an article the extractor can read (empty, unparsable, no title or no text)."""


class Interrupted(BaseException):
    """The command was told to stop by a signal (SIGTERM, SIGINT); it unwinds, so every cleanup runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    def __str__(self) -> str:
        return f"stopped by {signal_name(self.signum)}"


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def stop_reason(exc: BaseException) -> str | None:
    """``stopped by SIGTERM`` for an exception that stands for a signal, else None.

    Three shapes reach a run: ours (:class:`Interrupted`), Prefect's ``TerminationSignal`` (its
    flow engine turns SIGTERM into it while a flow runs; its text is empty, the number is in
    ``.signal``), and a bare ``KeyboardInterrupt`` (Python's SIGINT, outside the ``newsetl`` command).
    """
    if isinstance(exc, Interrupted):
        return str(exc)
    number = getattr(exc, "signal", None)
    if isinstance(number, int) and type(exc).__name__ == "TerminationSignal":
        return f"stopped by {signal_name(number)}"
    if isinstance(exc, KeyboardInterrupt):
        return "stopped by SIGINT"
    return None
