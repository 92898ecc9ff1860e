"""One normal form for article URLs, so that the same page reached two ways is one key.

Built on w3lib's ``canonicalize_url`` (Scrapy's: sorted query, normalised
percent-encoding, no fragment, lower-case scheme and host); on top of that the
default port and tracking parameters are dropped. With a source's :class:`UrlRules`
its declared variants fold too: mobile/AMP hosts (``m.x.vn``, ``amp.x.vn``) become
the homepage's host, and ``/amp`` path forms become the article's own path. This
module owns URL identity; ``tasks.normalise.canonical_url`` and the fetch planner use it.
"""

from __future__ import annotations

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
_DEFAULT_PORTS = {"http": 80, "https": 443}


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
    port = parts.port if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme) else None
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


def _host_key(hostname: str, port: int | None) -> str:
    host = hostname[4:] if hostname.startswith("www.") else hostname
    return f"{host}:{port}" if port else host


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
