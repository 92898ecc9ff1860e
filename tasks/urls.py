"""One normal form for article URLs, so that the same page reached two ways is one key.

Built on w3lib's ``canonicalize_url`` (Scrapy's: sorted query, normalised
percent-encoding, no fragment, lower-case scheme and host); on top of that the
default port and tracking parameters are dropped.
"""

from __future__ import annotations

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


def is_tracking_param(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(TRACKING_PREFIXES)


def normalise_url(url: str) -> str:
    """The URL's normal form; equal for URLs that differ only in tracking, fragment, host case or port."""
    url = canonicalize_url(url.strip())
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{parts.port}"
    # canonicalize_url has already encoded and sorted the query: filter its pieces as they are.
    query = "&".join(p for p in parts.query.split("&") if p and not is_tracking_param(p.split("=", 1)[0]))
    return urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))
