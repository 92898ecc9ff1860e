"""WARC files the backfill tests and benchmark write themselves, from the sample sites' pages.

Written with warcio's writer, one gzip member per record, as Common Crawl writes CC-NEWS: a
``warcinfo`` record, then a ``request`` and a ``response`` record per capture. The sample pages'
``{{BASE}}`` becomes the archive's host (``http://baocantho.example``: hosts that are never resolved,
since a backfill fetches nothing).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.sample_site.build import SITE_DIR
from flows.sample_site.server import TIMEZONE, expected_records

BASES = {"baocantho": "http://baocantho.example", "tintuc": "http://tintuc.example"}
CAPTURED = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)


def sources_toml() -> str:
    """A sources file for the archive's hosts (their feeds are never read by a backfill)."""
    return "".join(f'[[sources]]\nname = "{name}"\nhomepage = "{base}/"\nfeeds = ["{base}/feed.xml"]\n'
                   f'language = "vi"\ntimezone = "{TIMEZONE}"\n\n' for name, base in BASES.items())


@dataclass(frozen=True)
class Capture:
    """One archived exchange: a response (or, with ``revisit``, a revisit record) of ``url``."""

    url: str
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    date: datetime = CAPTURED
    revisit: bool = False
    raw_http: bytes | None = None  # the record's whole HTTP message as is (bad status lines and headers)


def sample_page(source: str, path: str) -> bytes:
    return (SITE_DIR / source / path.lstrip("/")).read_bytes().replace(b"{{BASE}}", BASES[source].encode())


def sample_captures() -> list[Capture]:
    """Every sample article page, captured at its path on the archive's host of its source."""
    return [Capture(BASES[r["source"]] + r["path"], sample_page(r["source"], r["path"])) for r in expected_records()]


def write_warc(path: Path, captures: Iterable[Capture], *, gzip: bool = True) -> Path:
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsetl tests",
                                                                      "format": "WARC File Format 1.1"}))
        for capture in captures:
            for record in _records(writer, capture):
                writer.write_record(record)
    return path


def _records(writer: WARCWriter, c: Capture):
    date = c.date.strftime("%Y-%m-%dT%H:%M:%SZ")
    request = StatusAndHeaders(f"GET {c.url.split('/', 3)[-1]} HTTP/1.1", [("Host", c.url.split("/")[2])],
                               is_http_request=True)
    yield writer.create_warc_record(c.url, "request", http_headers=request, warc_headers_dict={"WARC-Date": date})
    if c.revisit:
        yield writer.create_revisit_record(c.url, digest="sha1:UNCHANGEDUNCHANGEDUNCHANGEDUNCH", refers_to_uri=c.url,
                                           refers_to_date="2023-01-01T00:00:00Z")
        return
    if c.raw_http is not None:  # warcio's writer would parse a response's HTTP message: write it as a resource
        record = writer.create_warc_record(c.url, "resource", payload=io.BytesIO(c.raw_http),
                                           length=len(c.raw_http),
                                           warc_content_type="application/http; msgtype=response",
                                           warc_headers_dict={"WARC-Date": date})
        record.rec_headers.replace_header("WARC-Type", "response")
        record.rec_type = "response"
        yield record
        return
    http = StatusAndHeaders(c.status, [("Content-Type", c.content_type), ("Content-Length", str(len(c.body)))],
                            protocol="HTTP/1.1")
    yield writer.create_warc_record(c.url, "response", payload=io.BytesIO(c.body), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
