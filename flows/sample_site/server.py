"""Serve the bundled sample news sites on 127.0.0.1, for ``newsetl demo`` and the tests.

Each site is a folder under ``site/`` served as files; ``{{BASE}}`` in a file becomes
the site's own address, and the query string is ignored when finding the file (so a
tracking-parameter link reaches the same page). Missing files are 404s.
"""

from __future__ import annotations

import argparse
import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flows.sample_site.build import EXPECTED_DIR, SITE_DIR, SITES

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
FEEDS = {"baocantho": ["/rss/tin-moi.rss"], "tintuc": ["/feed.atom"]}
TIMEZONE = "Asia/Ho_Chi_Minh"
# A source with neither feed nor sitemap: three section pages of ``tintuc`` (two pages each)
# and its empty photo section, read as listings.
LISTINGS = {"tintuc": ["/thoi-su/", "/xa-hoi/", "/kinh-te/", "/tin-anh/"]}
LISTING_PAGES = 2
LISTING_PAGE_URL = "{url}trang-{n}.html"


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        self.server.requests.append(self.path)
        path = unquote(urlsplit(self.path).path)
        if path.endswith("/"):
            path += "index.html"
        file = (self.server.root / path.lstrip("/")).resolve()
        if file.is_dir():  # ``/rss`` for the folder ``rss/``: its index page, as a web server answers it
            file = file / "index.html"
        if self.server.root not in file.parents or not file.is_file():
            self._send(404, b"<html><body><h1>404 - Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y trang</h1></body></html>",
                       "text/html; charset=utf-8")
            return
        body = file.read_bytes().replace(b"{{BASE}}", self.server.base.encode())
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"' if self.server.etags else None
        if etag and self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, etag)
            return
        self._send(200, body, CONTENT_TYPES.get(file.suffix, "application/octet-stream"), etag)

    def _send(self, status: int, body: bytes, content_type: str | None, etag: str | None = None) -> None:
        send(self, status, body, content_type, etag)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        if self.server.verbose:
            super().log_message(format, *args)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, host: str, port: int):
        super().__init__((host, port), _Handler)
        self.root = root.resolve()
        self.base = f"http://{host}:{self.server_address[1]}"
        self.requests: list[str] = []
        self.verbose = False  # print an access-log line per request (when serving by hand)
        self.etags = False  # send ETags and answer If-None-Match with 304 (off: other tests count full fetches)


# Sample sites are served on loopback, which a source must allow explicitly; our own server needs no 1 s spacing.
LOOPBACK_SOURCE_KEYS = 'allow_addresses = ["127.0.0.1"]\nmin_interval = 0.02\n'


@dataclass
class RunningSite:
    """One served site: its address, the requests it answered, and its sources.toml entry."""

    name: str
    title: str
    base: str
    server: _SiteServer

    @property
    def requests(self) -> list[str]:
        return self.server.requests

    def source_toml(self) -> str:
        feeds = ", ".join(f'"{self.base}{f}"' for f in FEEDS[self.name])
        return (f'[[sources]]\nname = "{self.name}"\ntitle = "{self.title} (mẫu)"\nhomepage = "{self.base}/"\n'
                f'feeds = [{feeds}]\nsitemaps = ["{self.base}/sitemap.xml"]\nlanguage = "vi"\n'
                f'timezone = "{TIMEZONE}"\n{LOOPBACK_SOURCE_KEYS}')

    def listings_source_toml(self) -> str:
        """A sources.toml entry ``<name>-chuyenmuc`` that finds the site's articles through section pages only."""
        listings = ", ".join(f'"{self.base}{path}"' for path in LISTINGS[self.name])
        return (f'[[sources]]\nname = "{self.name}-chuyenmuc"\ntitle = "{self.title} (chuyên mục)"\n'
                f'homepage = "{self.base}/"\nlistings = [{listings}]\npages = {LISTING_PAGES}\n'
                f'page_url = "{LISTING_PAGE_URL}"\nlanguage = "vi"\ntimezone = "{TIMEZONE}"\n'
                f'{LOOPBACK_SOURCE_KEYS}')


@contextmanager
def serve_sample_sites(host: str = "127.0.0.1",
                       preferred_ports: Sequence[int] = ()) -> Iterator[dict[str, RunningSite]]:
    """Start every sample site on ``host``; stopped when the block ends.

    A preferred port keeps the sites' URLs the same between demo runs (so a second
    demo finds its articles already held); a taken one falls back to a free port.
    """
    sites: dict[str, RunningSite] = {}
    threads = []
    try:
        for i, meta in enumerate(SITES.values()):
            server = _start(SITE_DIR / meta["name"], host, preferred_ports[i] if i < len(preferred_ports) else 0)
            thread = threading.Thread(target=server.serve_forever, name=f"sample-{meta['name']}", daemon=True)
            thread.start()
            threads.append(thread)
            sites[meta["name"]] = RunningSite(meta["name"], meta["title"], server.base, server)
        yield sites
    finally:
        for site in sites.values():
            site.server.shutdown()
            site.server.server_close()


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str | None,
         etag: str | None = None) -> None:
    """One whole response with its length (and ``etag``), as a static web server sends it; no body after a 304."""
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    if etag:
        handler.send_header("ETag", etag)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    if status != 304:
        handler.wfile.write(body)


@contextmanager
def serving(server: ThreadingHTTPServer, name: str) -> Iterator[ThreadingHTTPServer]:
    """``server`` answering from a thread of its own until the block ends, then shut and closed: how every
    local site of the demo, the tests and the benchmarks runs."""
    threading.Thread(target=server.serve_forever, name=name, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_directory(root: Path, host: str = "127.0.0.1") -> Iterator[RunningSite]:
    """Serve any folder the same way (``{{BASE}}`` replaced), e.g. a test's own faulty site."""
    with serving(_SiteServer(root, host, 0), f"site-{root.name}") as server:
        yield RunningSite(root.name, root.name, server.base, server)


def _start(root: Path, host: str, port: int) -> _SiteServer:
    try:
        return _SiteServer(root, host, port)
    except OSError:
        if port == 0:
            raise
        return _SiteServer(root, host, 0)


def sources_toml(sites: dict[str, RunningSite]) -> str:
    return "\n".join(site.source_toml() for site in sites.values())


def expected_records() -> list[dict]:
    """The expected warehouse record of every sample article (written by ``build.py``)."""
    import json

    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXPECTED_DIR.glob("*/*.json"))]


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the sample news sites until Ctrl-C.")
    parser.add_argument("--write-sources", metavar="FILE", help="also write a sources file for them")
    args = parser.parse_args()
    with serve_sample_sites() as sites:
        for site in sites.values():
            site.server.verbose = True
        text = sources_toml(sites)
        if args.write_sources:
            Path(args.write_sources).write_text(text, encoding="utf-8")
        print(text, flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
