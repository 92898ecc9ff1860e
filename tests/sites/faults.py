"""A news site that misbehaves on purpose, on loopback: the fault-injection server of the tests and benchmarks.

Every fault real sites commit has a route under ``/fault/`` (see ``FAULTS``): 429
with Retry-After, 503 then 200, a slow first byte, a trickling body or head, a connection
reset, a truncated body, Vietnamese text in windows-1258 and UTF-8 with wrong or
missing charsets, a gzip bomb, an endless body, redirect loops and redirects off
the site, a PDF. Around them are the listings a source needs: an RSS feed linking
every fault page (with an ETag, answering 304 to ``If-None-Match``), a malformed
feed, a sitemap index that includes itself, a wide index (``/sitemap-wide.xml``), an index of
slow children (``/sitemap-slow-index.xml``), and a robots.txt that disallows
``/private/`` and sets a Crawl-delay. ``/a/<n>.html`` is a good article (the n-th
sample article, or the (n + ``article_offset``)-th, so that several sites serve different
ones), and ``/part-<k>-of-<n>.xml`` a sitemap of every n-th of them (sources sharing a host).
Hostile listings (``HOSTILE``) mix one bad entry of each kind among good ones: a feed whose
ETag holds a NUL, linking a 100 KB URL, a link with a lone surrogate (``&#xD800;``) and a page
whose ETag holds a NUL; a sitemap with the same bad entries.
``/slow.rss`` links a page that is slow to read (``SLOW_READ_PAGE``: a data table of tens of
thousands of rows, seconds of extraction) among the good ones; ``/large.rss`` links only pages
like it (``/large/<n>.html``), and ``/attrs.rss`` pages of 4.8 MB whose every element carries forty
attributes (``/attrs/<n>.html``, ``attribute_heavy_html``), for the memory benchmark.
The server logs every request with its arrival time, so a test can measure the spacing
the crawler kept.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import struct
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from flows.sample_site.build import HERE, render_a
from flows.sample_site.server import serving

# Fault route -> the article (index into articles.json) it serves when it serves one;
# /a/0.html.. /a/2.html use articles 0-2, so every page has text of its own.
FAULTS = {
    "retry-after": 3,  # 429 with Retry-After: 1, then the article
    "503-then-200": 4,  # 503 once, then the article
    "always-503": 5,  # 503 every time: a reject after the retries
    "not-found": 6,  # 404: a final answer, not retried
    "slow-first-byte": 7,  # no byte before the read timeout
    "trickle": 8,  # headers, then a byte every 50 ms: the deadline cuts it
    "trickle-headers": 26,  # the status line and headers a byte every 50 ms: the deadline cuts them too
    "reset": 9,  # TCP reset instead of an answer
    "truncated": 10,  # Content-Length promises more than is sent
    "cp1258-declared": 11,  # windows-1258 bytes, declared in the header
    "cp1258-undeclared": 12,  # windows-1258 bytes, no charset anywhere
    "cp1258-declared-utf8": 13,  # windows-1258 bytes, header and <meta> say utf-8
    "utf8-declared-cp1258": 14,  # utf-8 bytes, header says windows-1258
    "utf8-undeclared": 15,  # utf-8 bytes, no charset in the header
    "mojibake": 16,  # utf-8 text that was read as windows-1252 and re-encoded: garbage to refuse
    "gzip-bomb": 17,  # a small gzip body that inflates to bomb_size bytes
    "endless": 18,  # text/html with no length that never ends (stops at endless_size)
    "redirect-loop": 19,  # a -> b -> a
    "redirect-offsite": 20,  # to a host the source does not list
    "redirect-disallowed": 21,  # to a listed host that is an address the source does not allow
    "not-html": 22,  # application/pdf
    "private": 23,  # under /private/, which robots.txt disallows
    "redirect-private": 24,  # to a page under /private/
}
# Feeds: every fault page and the good pages; the good pages alone; the two memory attacks alone.
FEEDS = {"/feed.rss": list(FAULTS), "/pages.rss": [], "/bombs.rss": ["gzip-bomb", "endless"]}
# Hostile listings: route -> what it is; their entries are built by FaultServer.hostile_paths.
HOSTILE = {"/hostile.rss": "an RSS feed, ETag with a NUL", "/hostile-sitemap.xml": "a urlset"}
NUL_ETAG_PAGE = "/fault/nul-etag.html"  # a good article whose ETag holds a NUL byte
NUL_ETAG_ARTICLE = 25
PART = re.compile(r"/part-(\d+)-of-(\d+)\.xml")  # a sitemap of one share of the pages (two sources, one host)
SLOW = 2.0  # seconds the slow routes wait; tests set the read timeout below this
SLOW_READ_PAGE = "/slow-read.html"  # a page whose reading takes seconds: a table of slow_read_rows rows
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


@cache
def _articles() -> list[dict]:
    return json.loads((HERE / "articles.json").read_text(encoding="utf-8"))


def article_title(index: int) -> str:
    return _articles()[index]["title"]


def article_html(index: int, base: str) -> str:
    return render_a(_articles()[index]).replace("{{BASE}}", base)


def windows_1258(text: str) -> bytes:
    """Vietnamese as windows-1258 writes it: base letters precomposed, tone marks as combining characters."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
        out.append((base + "".join(c for c in parts if c in TONE_MARKS)).encode("cp1258", errors="replace"))
    return b"".join(out)


@cache
def slow_read_html(rows: int) -> bytes:
    """An article page with a data table of ``rows`` rows, as statistics pages carry: linear to read, but
    about 2 s per MB on an idle core (25,000 rows: 4.4 MB, within the default body limit, 5 to 10 s)."""
    words = "Người dân phường An Hòa đã được hỗ trợ nước sạch"
    table = "".join(f"<tr><td>{words} {i}</td><td>{words}</td></tr>" for i in range(rows))
    return (f"<html lang='vi'><head><title>Bảng số liệu</title></head><body><h1>Bảng số liệu</h1>"
            f"<table>{table}</table></body></html>").encode()


@cache
def attribute_heavy_html(size: int = 4_800_000) -> bytes:
    """A page of about ``size`` bytes (the default is within the 5 MB body limit) of short texts in elements of
    forty ``data-`` attributes each, with no article container: what a page of JavaScript widgets looks like
    to the extractor, whose fallback reads the whole page (once 440 MB of memory per page)."""
    words = "Người dân phường An Hòa đã được hỗ trợ nước sạch"
    attributes = " ".join(f'data-k{j}="v{j}-{words[:20]}"' for j in range(40))
    parts, held, n = [], 0, 0
    while held < size:
        part = f"<div {attributes} class='c{n % 50} item'><span {attributes}>{words} {n}</span></div>"
        parts.append(part)
        held += len(part.encode())
        n += 1
    return (f"<html lang='vi'><head><title>Trang</title></head><body><h1>Trang</h1>{''.join(parts)}"
            "</body></html>").encode()


@cache
def gzip_bomb(size: int) -> bytes:
    """``size`` zero bytes, gzip-compressed (1 GB -> about 1 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * 1_048_576
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


@dataclass(frozen=True)
class Hit:
    """One request the server received."""

    path: str
    at: float  # time.monotonic() when the request line arrived
    headers: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server: FaultServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        path = urlsplit(self.path).path
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.log(Hit(path, time.monotonic(), headers))
        try:
            self._route(path, headers)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client hung up (as it should on a bomb or endless body)

    def _route(self, path: str, headers: dict[str, str]) -> None:
        srv = self.server
        if srv.down:
            return self._send(503, b"down for maintenance", "text/plain")
        if path == "/robots.txt":
            return self._send(200, srv.robots().encode(), "text/plain; charset=utf-8")
        if path in FEEDS:
            body = srv.feed(FEEDS[path], pages=path != "/bombs.rss").encode()
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if headers.get("if-none-match") == etag:
                return self._send(304, b"", None, {"ETag": etag})
            return self._send(200, body, "application/rss+xml; charset=utf-8", {"ETag": etag})
        if path == "/hostile.rss":
            return self._send(200, srv.feed_of(srv.hostile_paths()).encode(), "application/rss+xml; charset=utf-8",
                              {"ETag": '"hostile\x00"'})
        if path == "/slow.rss":
            return self._send(200, srv.feed_of([SLOW_READ_PAGE, *(f"/a/{n}.html" for n in range(srv.pages))]).encode(),
                              "application/rss+xml; charset=utf-8")
        if path == "/large.rss":  # large_pages pages like SLOW_READ_PAGE, of slow_read_rows rows each
            return self._send(200, srv.feed_of([f"/large/{n}.html" for n in range(srv.large_pages)]).encode(),
                              "application/rss+xml; charset=utf-8")
        if path == "/attrs.rss":  # large_pages attribute-heavy pages
            return self._send(200, srv.feed_of([f"/attrs/{n}.html" for n in range(srv.large_pages)]).encode(),
                              "application/rss+xml; charset=utf-8")
        if path.startswith("/attrs/") and path.endswith(".html"):
            return self._send(200, attribute_heavy_html(), "text/html; charset=utf-8")
        if path == SLOW_READ_PAGE or (path.startswith("/large/") and path.endswith(".html")):
            return self._send(200, slow_read_html(srv.slow_read_rows), "text/html; charset=utf-8")
        if path == "/hostile-sitemap.xml":
            return self._send(200, srv.urlset(srv.hostile_paths()).encode(), "application/xml")
        if path == NUL_ETAG_PAGE:
            return self._send(200, article_html(NUL_ETAG_ARTICLE, srv.base).encode(), "text/html; charset=utf-8",
                              {"ETag": '"page\x00"'})
        if path == "/bad-feed.rss":
            return self._send(200, b"<?xml version='1.0'?><rss><channel><item><title>x</ti", "application/rss+xml")
        if path == "/sitemap-loop.xml":
            return self._send(200, srv.sitemap_index(["/sitemap-loop.xml", "/sitemap-pages.xml"]).encode(),
                              "application/xml")
        if path == "/sitemap-gzip.xml":  # a urlset of sitemap_urls pages, sent with Content-Encoding: gzip
            body = srv.urlset([f"/a/{n}.html" for n in range(srv.sitemap_urls)]).encode()
            return self._send(200, gzip.compress(body), "application/xml", {"Content-Encoding": "gzip"})
        if path == "/sitemap-wide.xml":  # an index of index_children children
            return self._send(200, srv.sitemap_index([f"/sitemap-pages.xml?part={i}"
                                                      for i in range(srv.index_children)]).encode(), "application/xml")
        if path == "/sitemap-slow-index.xml":  # an index of slow_children children, each slow to answer
            return self._send(200, srv.sitemap_index([f"/sitemap-slow.xml?part={i}"
                                                      for i in range(srv.slow_children)]).encode(), "application/xml")
        if path == "/sitemap-slow.xml":  # a urlset that takes child_latency seconds to answer (a busy server)
            time.sleep(srv.child_latency)
            return self._send(200, srv.urlset([f"/a/{n}.html" for n in range(srv.pages)]).encode(),
                              "application/xml")
        if path == "/sitemap-pages.xml":
            return self._send(200, srv.urlset([f"/a/{n}.html" for n in range(srv.pages)]).encode(),
                              "application/xml")
        if part := PART.fullmatch(path):  # /part-2-of-3.xml: a urlset of every third page, from the second
            k, n = int(part[1]), int(part[2])
            return self._send(200, srv.urlset([f"/a/{i}.html" for i in range(srv.pages) if i % n == k - 1]).encode(),
                              "application/xml")
        if path.startswith("/a/") and path.endswith(".html"):
            try:
                index = (int(path[3:-5]) + srv.article_offset) % len(_articles())
            except ValueError:
                return self._send(404, b"not found", "text/plain")
            body = article_html(index, srv.base).encode()
            etag = '"a' + str(index) + '"'
            if headers.get("if-none-match") == etag:
                return self._send(304, b"", None, {"ETag": etag})
            return self._send(200, body, "text/html; charset=utf-8", {"ETag": etag})
        name = path.rsplit("/", 1)[-1].removesuffix(".html")
        if path.startswith("/private/"):
            return self._send(200, article_html(FAULTS["private"], srv.base).encode(), "text/html; charset=utf-8")
        if path.startswith("/fault/") and (name in FAULTS or name == "redirect-loop-b"):
            return self._fault(name, srv.nth(path))
        return self._send(404, b"not found", "text/plain")

    def _fault(self, name: str, nth: int) -> None:  # noqa: C901 - one branch per fault, read as a table
        srv = self.server
        html = article_html(FAULTS.get(name, 0), srv.base)
        utf8 = "text/html; charset=utf-8"
        if name == "retry-after" and nth == 1:
            return self._send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        if name == "503-then-200" and nth == 1:
            return self._send(503, b"busy", "text/plain")
        if name == "always-503":
            return self._send(503, b"busy", "text/plain")
        if name == "not-found":
            return self._send(404, b"gone", "text/plain")
        if name == "slow-first-byte":
            time.sleep(SLOW)
            return self._send(200, html.encode(), utf8)
        if name == "trickle":
            return self._trickle(html.encode())
        if name == "trickle-headers":
            return self._trickle_headers(html.encode())
        if name == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        if name == "truncated":
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", utf8)
            self.send_header("Content-Length", str(len(body) + 5000))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return None
        if name == "cp1258-declared":
            return self._send(200, windows_1258(html.replace('charset="utf-8"', 'charset="windows-1258"')),
                              "text/html; charset=windows-1258")
        if name == "cp1258-undeclared":
            return self._send(200, windows_1258(html.replace('<meta charset="utf-8">', "")), "text/html")
        if name == "cp1258-declared-utf8":
            return self._send(200, windows_1258(html), utf8)
        if name == "utf8-declared-cp1258":
            return self._send(200, html.encode(), "text/html; charset=windows-1258")
        if name == "utf8-undeclared":
            return self._send(200, html.replace('<meta charset="utf-8">', "").encode(), "text/html")
        if name == "mojibake":
            return self._send(200, html.encode().decode("cp1252", errors="replace").encode(), utf8)
        if name == "gzip-bomb":
            return self._send(200, gzip_bomb(srv.bomb_size), utf8, {"Content-Encoding": "gzip"})
        if name == "endless":
            return self._endless()
        if name == "redirect-loop":
            return self._send(302, b"", None, {"Location": "/fault/redirect-loop-b.html"})
        if name == "redirect-loop-b":
            return self._send(301, b"", None, {"Location": f"{srv.base}/fault/redirect-loop.html"})
        if name == "redirect-offsite":
            return self._send(302, b"", None, {"Location": f"http://127.0.0.2:{srv.port}/a/1.html"})
        if name == "redirect-disallowed":
            return self._send(302, b"", None, {"Location": f"http://{srv.disallowed_host}:{srv.port}/a/1.html"})
        if name == "redirect-private":
            return self._send(302, b"", None, {"Location": "/private/moved.html"})
        if name == "not-html":
            return self._send(200, b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf")
        return self._send(200, html.encode(), utf8)  # retry-after and 503-then-200, once they relent

    def _trickle(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):
            self.wfile.write(body[i:i + 1])
            self.wfile.flush()
            time.sleep(0.05)

    def _trickle_headers(self, body: bytes) -> None:
        """Every byte of the head inside any read timeout, the whole far past any deadline (20 s)."""
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n"
                + "".join(f"X-Padding-{i}: {'x' * 40}\r\n" for i in range(6)) + "\r\n").encode()
        for i in range(len(head)):
            self.wfile.write(head[i:i + 1])
            self.wfile.flush()
            time.sleep(0.05)
        self.wfile.write(body)

    def _endless(self) -> None:
        """HTML with no Content-Length, delimited by closing the connection, that goes on and on."""
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        chunk = b"<p>" + b"x" * 65_530 + b"</p>"
        sent = 0
        self.wfile.write(b"<html><body>")
        while sent < self.server.endless_size:
            self.wfile.write(chunk)
            sent += len(chunk)

    def _send(self, status: int, body: bytes, content_type: str | None, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        pass


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, crawl_delay: float | None = 0.1,
                 pages: int = 3, bomb_size: int = 100_000_000, endless_size: int = 1_000_000_000,
                 disallowed_host: str = "127.0.0.3", down: bool = False, sitemap_urls: int = 2000,
                 index_children: int = 150, slow_children: int = 12, child_latency: float = 0.3,
                 slow_read_rows: int = 25_000, large_pages: int = 8, article_offset: int = 0):
        super().__init__((host, port), _Handler)
        gzip_bomb(bomb_size)  # built now (a second or so for 1 GB), not while a client waits
        self.host, self.port = host, self.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.crawl_delay = crawl_delay
        self.pages = pages
        self.bomb_size = bomb_size
        self.endless_size = endless_size
        self.disallowed_host = disallowed_host
        self.down = down  # every request, robots.txt included, answers 503
        self.sitemap_urls = sitemap_urls  # URLs in /sitemap-gzip.xml
        self.index_children = index_children  # children of /sitemap-wide.xml
        self.slow_children = slow_children  # children of /sitemap-slow-index.xml
        self.child_latency = child_latency  # seconds each of them takes to answer
        self.slow_read_rows = slow_read_rows  # rows of the table of SLOW_READ_PAGE and the /large/ pages
        self.large_pages = large_pages  # pages linked by /large.rss
        self.article_offset = article_offset  # /a/<n>.html serves article n + this: sites of distinct articles
        self.hits: list[Hit] = []
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def handle_error(self, request, client_address) -> None:
        pass  # clients hanging up on bombs and endless bodies are the point, not news

    def log(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def nth(self, path: str) -> int:
        """How many times ``path`` has been asked for, this request included."""
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1
            return self._counts[path]

    def robots(self) -> str:
        delay = f"Crawl-delay: {self.crawl_delay}\n" if self.crawl_delay else ""
        return f"User-agent: *\nDisallow: /private/\n{delay}\nSitemap: {self.base}/sitemap-pages.xml\n"

    def feed(self, faults: list[str], pages: bool = True) -> str:
        links = [f"/fault/{name}.html" for name in faults if name != "private"]
        links += ["/private/secret.html"] if "private" in faults else []
        links += [f"/a/{n}.html" for n in range(self.pages)] if pages else []
        return self.feed_of(links)

    def feed_of(self, links: list[str]) -> str:
        """An RSS feed of these paths, written as given (a character reference in one stays one)."""
        items = "\n".join(f"<item><title>{path}</title><link>{self.base}{path}</link></item>" for path in links)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Faults</title>'
                f"<link>{self.base}/</link><description>misbehaving pages</description>\n{items}\n</channel></rss>\n")

    def hostile_paths(self) -> list[str]:
        """The good pages, and among them a 100 KB URL (random, so Postgres cannot compress it into its
        index), a link holding a lone surrogate, and the page whose ETag holds a NUL."""
        long_path = "/a/" + "".join(hashlib.sha256(b"%d" % i).hexdigest() for i in range(1600)) + ".html"
        good = [f"/a/{n}.html" for n in range(self.pages)]
        return [good[0], long_path, *good[1:2], "/a/bad&#xD800;link.html", NUL_ETAG_PAGE, *good[2:]]

    def sitemap_index(self, paths: list[str]) -> str:
        entries = "".join(f"<sitemap><loc>{self.base}{p}</loc></sitemap>" for p in paths)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>\n')

    def urlset(self, paths: list[str]) -> str:
        entries = "".join(f"<url><loc>{self.base}{p}</loc></url>" for p in paths)
        return ('<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>\n')

    def source_toml(self, name: str = "faults", *, feeds: tuple[str, ...] = ("/feed.rss", "/bad-feed.rss"),
                    sitemaps: tuple[str, ...] = ("/sitemap-loop.xml",), min_interval: float = 0.05,
                    max_connections: int = 2) -> str:
        """A sources.toml entry for this site: loopback allowed for its own address only."""
        feed_list = ", ".join(f'"{self.base}{f}"' for f in feeds)
        sitemap_list = ", ".join(f'"{self.base}{s}"' for s in sitemaps)
        return (f'[[sources]]\nname = "{name}"\nhomepage = "{self.base}/"\nfeeds = [{feed_list}]\n'
                f"sitemaps = [{sitemap_list}]\nlanguage = \"vi\"\ntimezone = \"Asia/Ho_Chi_Minh\"\n"
                f'hosts = ["{self.disallowed_host}:{self.port}"]\nallow_addresses = ["{self.host}"]\n'
                f"min_interval = {min_interval}\nmax_connections = {max_connections}\n")


@contextmanager
def serve_faults(host: str = "127.0.0.1", **options) -> Iterator[FaultServer]:
    """Start a fault server on ``host`` (any loopback address) until the block ends."""
    with serving(FaultServer(host, **options), f"faults-{host}") as server:
        yield server
