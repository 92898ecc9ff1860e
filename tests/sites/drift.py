"""A news site whose template changes between runs, on loopback: the drift case of the source-health tests.

``/feed.rss`` lists the articles in ``listed`` (indexes into the sample articles, without dates, so a
page's date can only come from the page); each article is served at its sample path, rendered with the
sample site's template (``flows.sample_site.build.render_a``) in the site's current ``layout``:

- ``"full"``: as the sample site prints it, with the date line under the breadcrumb and the closing
  byline (``Bài và ảnh: TRUNG KIÊN``);
- ``"bare"``: the same page after a redesign that dropped the date line and the byline, which is how a
  site's template change looks to the extractor: the title and text still come, the dates and authors
  quietly stop.

A test switches ``layout`` and ``listed`` between two runs; nothing else changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

from flows.sample_site.build import article_path, render_a
from flows.sample_site.server import serving
from tests.sites.faults import _articles

Layout = Literal["full", "bare"]


def page(index: int, base: str, layout: Layout) -> str:
    """Sample article ``index`` as the site prints it in ``layout``."""
    html = render_a(_articles()[index]).replace("{{BASE}}", base)
    if layout == "bare":
        html = "\n".join(line for line in html.splitlines()
                         if not line.startswith(('<div class="date">', '<p style="text-align:right">')))
    return html


class _Handler(BaseHTTPRequestHandler):
    server: DriftSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
        srv = self.server
        path = urlsplit(self.path).path
        if path == "/robots.txt":
            return self._send(200, "User-agent: *\nAllow: /\n", "text/plain; charset=utf-8")
        if path == "/feed.rss":
            return self._send(200, srv.feed(), "application/rss+xml; charset=utf-8")
        index = srv.paths.get(path)
        if index is None:
            return self._send(404, "<html><body>not found</body></html>", "text/html; charset=utf-8")
        return self._send(200, page(index, srv.base, srv.layout), "text/html; charset=utf-8")

    def _send(self, status: int, text: str, content_type: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        pass


class DriftSite(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, listed: list[int], layout: Layout = "full", host: str = "127.0.0.1"):
        super().__init__((host, 0), _Handler)
        self.host, self.base = host, f"http://{host}:{self.server_address[1]}"
        self.listed = listed
        self.layout: Layout = layout
        self.paths = {article_path(a): i for i, a in enumerate(_articles())}

    def feed(self) -> str:
        items = "\n".join(f"<item><title>{_articles()[i]['title']}</title><link>{self.base}"
                          f"{article_path(_articles()[i])}</link></item>" for i in self.listed)
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Drift</title>'
                f"<link>{self.base}/</link><description>a site that changes</description>\n{items}\n"
                "</channel></rss>\n")

    def source_toml(self, name: str) -> str:
        """A sources.toml entry for this site, loopback allowed for its own address only."""
        return (f'[[sources]]\nname = "{name}"\nhomepage = "{self.base}/"\nfeeds = ["{self.base}/feed.rss"]\n'
                f'language = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\nallow_addresses = ["{self.host}"]\n'
                "min_interval = 0.02\n")


@contextmanager
def serve_drift_site(listed: list[int], layout: Layout = "full") -> Iterator[DriftSite]:
    """Serve a drift site until the block ends."""
    with serving(DriftSite(listed, layout), "drift-site") as server:
        yield server
