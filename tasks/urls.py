"""One normal form for article URLs, so that the same page reached two ways is one key.

Built on w3lib's ``canonicalize_url`` (Scrapy's: sorted query, normalised
percent-encoding, no fragment, lower-case scheme and host); on top of that the
default port and tracking parameters are dropped. With a source's :class:`UrlRules`
its declared variants fold too: mobile/AMP hosts (``m.x.vn``, ``amp.x.vn``) become
the homepage's host, and ``/amp`` path forms become the article's own path. This
module owns URL identity; ``tasks.normalise.canonical_url`` and the fetch planner use it.
It also owns the two other URL rules every step shares: a URL's site host (which
source a URL belongs to, which host's robots.txt and pacing apply) and where page n of
a listing is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Query parameters that only say how a reader arrived; any parameter starting with
# one of the prefixes, or named exactly as in TRACKING_PARAMS, is dropped.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "hsa_")
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "igshid", "twclid", "_ga", "_gl",
    "ref_src", "cmpid", "zarsrc", "zalo_source",
})
DEFAULT_PORTS = {"http": 80, "https": 443}  # a URL's port is written only when it is not its scheme's
DEFAULT_PAGE_URL = "{url}?page={n}"  # where page n of a listing is, unless a source says otherwise
# The longest normalised URL kept: the sitemaps.org limit for a <loc>, well inside what a Postgres
# b-tree index entry holds (about 2,700 bytes; the URL columns are unique keys). A longer one is
# a reject of its own at discovery, never a batch the index refuses.
MAX_URL_LENGTH = 2048


# Query parameters that only ask for the AMP rendering of the same article.
AMP_QUERY = frozenset({"amp", "outputtype=amp"})


@dataclass(frozen=True)
class UrlRules:
    """A source's URL variants (from ``sources.toml``): which hosts and paths are the same article."""

    host: str = ""  # the homepage's host as written (``www.`` kept) and non-default port: variants become it
    mobile_hosts: frozenset[str] = frozenset()  # hosts folded into ``host``: ``m.x.vn``, ``amp.x.vn``
    amp_paths: bool = False  # ``/amp/a.html``, ``/a.html/amp`` and ``?amp=1`` are copies of ``/a.html``
    tracking_params: frozenset[str] = frozenset()  # extra parameter names to drop (lower case)


NO_RULES = UrlRules()


def _own_port(scheme: str, port: int | None) -> int | None:
    """The port when it is not the scheme's default one, else None."""
    return port if port and port != DEFAULT_PORTS.get(scheme) else None


def _host_key(hostname: str, port: int | None) -> str:
    host = hostname[4:] if hostname.startswith("www.") else hostname
    return f"{host}:{port}" if port else host


def site_host(url: str) -> str:
    """Host and non-default port, without ``www.``: ``https://www.x.vn/a`` and ``http://x.vn/b`` match."""
    parts = urlsplit(url)
    try:
        port = _own_port(parts.scheme, parts.port)
    except ValueError:
        port = None
    return _host_key((parts.hostname or "").lower(), port)


def homepage_host(url: str) -> str:
    """The host and non-default port as a homepage writes them (``www.`` kept): :attr:`UrlRules.host`."""
    parts = urlsplit(url)
    port = _own_port(parts.scheme, parts.port)
    return f"{parts.hostname or ''}:{port}" if port else parts.hostname or ""


def listing_page_url(url: str, n: int, page_url: str = DEFAULT_PAGE_URL) -> str:
    """Page ``n`` of a listing: page 1 is the listing itself, later pages follow the template.

    ``{url}`` is the listing URL as written; ``{stem}`` is it without a trailing ``/``
    or ``.htm``/``.html`` (``https://x.vn/kinh-te.htm`` -> ``https://x.vn/kinh-te``), for
    sites that page as ``{stem}/trang-{n}.htm``. When the listing already has a query
    string, the default template's ``?`` becomes ``&`` (``/tin?cat=2`` -> ``/tin?cat=2&page=3``).
    """
    if n <= 1:
        return url
    if "?" in url and page_url.startswith("{url}?"):
        page_url = "{url}&" + page_url[len("{url}?"):]
    stem = re.sub(r"\.html?$", "", url.rstrip("/"))
    return page_url.format(url=url, stem=stem, n=n)


def is_tracking_param(name: str, extra: frozenset[str] = frozenset()) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name in extra or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str, rules: UrlRules = NO_RULES) -> str:
    """The URL's normal form; equal for URLs that differ only in tracking, fragment, host case or port.

    With ``rules``, also equal for the source's declared mobile/AMP variants of one article.
    """
    url = canonicalize_url(url.strip())
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    port = _own_port(parts.scheme, parts.port)
    if rules.mobile_hosts and _host_key(hostname, port) in rules.mobile_hosts:
        hostname, _, rest = rules.host.partition(":")
        port = int(rest) if rest else None
    netloc = f"[{hostname}]" if ":" in hostname else hostname  # IPv6 literal
    if port:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    # canonicalize_url has already encoded and sorted the query: filter its pieces as they are.
    pieces = [p for p in parts.query.split("&") if p and not is_tracking_param(p.split("=", 1)[0],
                                                                            rules.tracking_params)]
    if rules.amp_paths:
        path, pieces = _fold_amp(path, pieces)
    return urlunsplit((parts.scheme, netloc, path, "&".join(pieces), ""))


def checked_url(url: str, rules: UrlRules = NO_RULES) -> str:
    """The URL's normal form, or ValueError saying why it cannot be a key: malformed, or too long.

    Malformed: a lone surrogate (``&#xD800;`` in a feed), a port that is not a number, anything
    w3lib cannot encode; each is one listing entry's fault, so the caller rejects that entry alone.
    """
    try:
        key = normalise_url(url, rules)
    except ValueError as exc:  # UnicodeEncodeError is one
        raise ValueError(f"malformed URL: {exc}") from None
    if len(key) > MAX_URL_LENGTH:
        raise ValueError(f"URL of {len(key)} characters, longer than the {MAX_URL_LENGTH} kept")
    return key


def _fold_amp(path: str, pieces: list[str]) -> tuple[str, list[str]]:
    """``/amp/a.html``, ``/a.html/amp``, ``/a.amp.html`` and ``?amp=1`` -> ``/a.html``."""
    if path.startswith("/amp/"):
        path = path[4:]
    elif path.endswith("/amp") or path.endswith("/amp/"):
        path = path.rstrip("/").removesuffix("/amp") or "/"
    elif path.endswith(".amp.html"):
        path = path.removesuffix(".amp.html") + ".html"
    pieces = [p for p in pieces if p.split("=", 1)[0].lower() != "amp" and p.lower() not in AMP_QUERY]
    return path, pieces
