"""WARC files -> the archived responses of the configured sources, as the same pages a fetch produces.

Backfill's input step, in the place fetch has for live pages: a WARC file (a web archive, e.g.
Common Crawl's CC-NEWS, or one's own crawl) goes in, record by record and streaming (warcio reads
one record at a time from the open file, or from the HTTP(S) response streaming it, so a 1 GB
file never sits in memory), and out come
:class:`ArchivedRecord` items: a response record whose host belongs to a source becomes a
:class:`FetchedPage` carrying the WARC file and the record's offset, and a record of such a host
that holds no usable response becomes a reject (``revisit``, ``bad_record``, ``truncated``,
``too_large``). Records of hosts no source owns, request/metadata/warcinfo records, and captures
outside ``since``/``until`` are passed over, only counted. Reading starts at any record boundary
(``start``), which is how a file cut short is resumed. Nothing here parses HTML or touches the database.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from tasks.config import Source, settings
from tasks.errors import ArchiveError
from tasks.fetch.archives import RemoteFile, is_url, open_remote
from tasks.records import FetchedPage, Reject
from tasks.urls import normalise_url, site_host

# A redirect in an archive is not an article and not a fault: its target is captured as a record of its own.
REDIRECTS = range(300, 400)


@dataclass(frozen=True)
class ArchivedRecord:
    """One record of a source's host: its page (a response to read), or a reject saying why there is none."""

    source: Source
    offset: int  # where the record starts in the file
    end: int  # where the next record starts: a reading resumed here skips this one
    page: FetchedPage | None = None
    reject: Reject | None = None


@dataclass
class Cut:
    """Where a file ends inside a record (a partial download): the record's offset, and what was read of it."""

    offset: int
    detail: str


class ArchiveReader:
    """The records of one WARC file (plain or gzip per record) for ``sources``, from ``start`` on.

    Iterate it once; afterwards ``records`` counts every record read (all kinds, all hosts),
    ``passed_over`` those left out (not a source's, not a response, a redirect, outside the dates),
    ``end`` is the offset after the last whole record, and ``cut`` says where the file stops inside a
    record, if it does.
    """

    def __init__(self, path: str, sources: Sequence[Source], *, start: int = 0,
                 since: datetime | None = None, until: datetime | None = None, max_bytes: int | None = None,
                 size: int | None = None):
        self.path = path
        self.start = start
        self.size = size  # of a file on HTTP(S), as its server gave it (a local file's is read from the file)
        self.since, self.until = since, until
        self.max_bytes = max_bytes or settings().max_bytes
        self._owner = {host: source for source in reversed(sources) for host in source.all_hosts}
        self.records = 0
        self.passed_over = 0
        self.end = start
        self.cut: Cut | None = None
        self._stream: RemoteFile | None = None

    @property
    def lost(self) -> str | None:
        """For a file on HTTP(S): how the connection ended before the file did (``cut`` is then where), or None.

        The file itself is whole, so the record it stopped in is no ``truncated`` reject: the next
        backfill reads on from it."""
        return self._stream.lost if self._stream is not None else None

    def __iter__(self) -> Iterator[ArchivedRecord]:
        if is_url(self.path):  # streamed from its server, from ``start`` on (tasks.fetch.archives)
            with open_remote(self.path, self.start, self.size) as stream:
                self._stream = stream
                yield from self._read(stream, self.size)
            return
        with open(self.path, "rb") as fh:
            fh.seek(self.start)
            yield from self._read(fh, os.fstat(fh.fileno()).st_size)

    def _read(self, fh: BinaryIO | RemoteFile, size: int | None) -> Iterator[ArchivedRecord]:
        archive = ArchiveIterator(fh)
        records = iter(archive)
        while True:
            try:
                record = next(records, None)
            except Exception as exc:  # warcio fails on a gzip member or record header cut off
                self.cut = Cut(self.end, self.lost or f"the record at offset {self.end} cannot be read: "
                                                      f"{type(exc).__name__}: {exc}")
                return
            if record is None:
                break
            self.records += 1
            item = self._item(record, archive)
            self.end = item.end if item else self._end(archive)
            if item is not None and item.reject is not None and item.reject.code == "truncated":
                self.cut = Cut(item.offset, self.lost or item.reject.detail)
                if not self.lost:
                    yield item
                return
            if item is not None:
                yield item
            else:
                self.passed_over += 1
        if size is not None and self.end < size:  # warcio ends quietly on a gzip member cut off in its header
            self.cut = Cut(self.end, self.lost or f"{size - self.end} bytes after offset {self.end} hold no whole "
                                                  "record")

    @staticmethod
    def _end(archive: ArchiveIterator) -> int:
        """Where the next record starts, the current one read to its end (blank lines between records included)."""
        archive.read_to_end()
        return archive.offset

    def _item(self, record, archive: ArchiveIterator) -> ArchivedRecord | None:
        kind = record.rec_type
        target = record.rec_headers.get_header("WARC-Target-URI") or ""
        source = self._owner.get(site_host(target)) if target.startswith(("http://", "https://")) else None
        if source is None or kind not in ("response", "revisit") or not self._in_dates(record):
            return None
        if kind == "revisit":
            body_read = 0
        else:
            status, headers, body, problem = self._response(record)
            body_read = len(body)
        end = self._end(archive)
        offset = archive.get_record_offset()
        url = normalise_url(target, source.url_rules)
        where = f"{self.path} at offset {offset}"

        def rejected(error: ArchiveError) -> ArchivedRecord:
            return ArchivedRecord(source, offset, end, reject=Reject(source.name, url, "fetch", error.code,
                                                                     f"{error.detail} ({where})", error.status))

        if kind == "revisit":
            refers = record.rec_headers.get_header("WARC-Refers-To-Target-URI") or target
            when = record.rec_headers.get_header("WARC-Refers-To-Date") or "an earlier capture"
            return rejected(ArchiveError("revisit", f"revisit record: the archive keeps no body, only a pointer "
                                                    f"to {refers} of {when}"))
        missing = getattr(record.raw_stream, "limit", 0)
        if missing:  # the record's Content-Length promises more bytes than the file holds
            return rejected(ArchiveError("truncated", f"WARC record cut off: {missing} bytes of its content "
                                                      f"missing after {body_read} bytes of body"))
        if problem is not None:
            return rejected(problem)
        if status in REDIRECTS:
            return None
        page = FetchedPage(url=url, final_url=target, status=status, headers=headers, body=body,
                           fetched_at=self._date(record) or datetime.now(UTC), warc_file=self.path,
                           warc_offset=offset)
        if status != 200:
            return ArchivedRecord(source, offset, end, page=page,
                                  reject=rejected(ArchiveError("http_status", f"HTTP {status}", status)).reject)
        return ArchivedRecord(source, offset, end, page=page)

    def _response(self, record) -> tuple[int, dict[str, str], bytes, ArchiveError | None]:
        """(status, headers, body, problem) of a response record; the body is decoded as a browser would."""
        http = record.http_headers
        code = (http.get_statuscode() or "") if http is not None else ""
        if http is None or not (http.protocol or "").upper().startswith("HTTP/") or not (
                code.isdigit() and len(code) == 3):
            line = (f"{http.protocol} {http.statusline}" if http is not None else "none").strip()[:200]
            return 0, {}, b"", ArchiveError("bad_record", f"no HTTP status line in the response record: {line!r}")
        headers = {name.lower(): value for name, value in http.headers}
        try:  # content_stream undoes chunked transfer and gzip/deflate/br content encoding
            body = record.content_stream().read(self.max_bytes + 1)
        except Exception as exc:
            return int(code), headers, b"", ArchiveError("bad_record", f"body cannot be decoded: "
                                                                       f"{type(exc).__name__}: {exc}", int(code))
        if len(body) > self.max_bytes:
            return int(code), headers, b"", ArchiveError("too_large", f"body exceeds the {self.max_bytes}-byte limit",
                                                         int(code))
        return int(code), headers, body, None

    def _in_dates(self, record) -> bool:
        if self.since is None and self.until is None:
            return True
        date = self._date(record)
        if date is None:
            return False
        return (self.since is None or date >= self.since) and (self.until is None or date < self.until)

    @staticmethod
    def _date(record) -> datetime | None:
        raw = record.rec_headers.get_header("WARC-Date")
        try:
            date = datetime.fromisoformat(raw) if raw else None
        except ValueError:
            return None
        return date.replace(tzinfo=UTC) if date is not None and date.tzinfo is None else date
