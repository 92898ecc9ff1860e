"""One page's bytes -> its warehouse record: decode -> extract -> normalise, in that order, called from here.

This is the chain every path that reads an article page takes: ingest (pages just
fetched), reprocess (pages stored in ``news.pages``), ``newsetl extract``, ``newsetl eval``
and the golden sample-site test. So what ``eval`` scores is what ``ingest`` stores, bytes
included: one decoder (``tasks.fetch.decode``, strict, refuses mojibake), one extractor,
one normaliser. No step calls the next; this module does.
"""

from __future__ import annotations

from datetime import datetime

from tasks.config import Source
from tasks.errors import DecodeError, ExtractError
from tasks.extract.article import extract_page
from tasks.extract.links import extract_links
from tasks.extract.profiles import Profile
from tasks.fetch.decode import decode_html
from tasks.normalise import normalise_article
from tasks.records import Article, FetchedPage, Reject

# Content types whose pages are read; "" is a server that sent none (the body is sniffed by the decoder).
HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def read_article(body: bytes, url: str, source: Source | None = None, *, content_type: str = "",
                 fetched_url: str | None = None, served_at: datetime | None = None,
                 profile: Profile | None = None, **hints) -> Article:
    """The record of one page's bytes; ``content_type`` is the response's header (for its charset).

    ``served_at`` (fetch time, WARC-Date) chooses the layout of the site profile (``profile``, else
    the source's); unknown, the page's published date does.

    Raises :class:`DecodeError` when the bytes cannot be read reliably and :class:`ExtractError`
    when the page holds no article. ``hints`` are what the feed or sitemap said (title, date).
    """
    text, _ = decode_html(body, content_type)
    page = extract_page(text, url, source, profile=profile, served_at=served_at)
    return normalise_article(page, source, fetched_url=fetched_url, **hints)


def read_fetched(source: Source, page: FetchedPage, **hints) -> tuple[Article | None, Reject | None]:
    """A fetched (or stored) 200 page: its article, or a reject that says why there is none.

    A non-HTML type, an undecodable body, no article and an extractor bug each cost this
    page alone, the same way for ingest and reprocess.
    """
    if page.content_type not in HTML_TYPES:
        return None, Reject(source.name, page.url, "extract", "not_html", f"not an HTML page: {page.content_type}",
                            page.status)
    try:
        article = read_article(page.body, page.final_url, source, content_type=page.headers.get("content-type", ""),
                               fetched_url=page.url, served_at=page.fetched_at, **hints)
    except (DecodeError, ExtractError) as exc:
        return None, Reject(source.name, page.url, "extract", exc.code, exc.detail, page.status)
    except Exception as exc:  # an extractor bug must cost one page, not the batch
        detail = f"extractor failed: {type(exc).__name__}: {exc}"
        return None, Reject(source.name, page.url, "extract", "extractor_bug", detail, page.status)
    return article, None


def eval_prediction(data: bytes, url: str, profile: Profile | None = None) -> tuple[dict, dict[str, str]]:
    """The record of a saved page in the expected-record keys, and its provenance (what ``newsetl eval`` scores).

    A saved page has no fetch time: a ``profile``'s layout is chosen by the page's published date.
    """
    article = read_article(data, url, profile=profile)
    fields = {"title": article.title, "authors": list(article.authors), "published_at": article.published_at,
              "language": article.language, "lead": article.lead, "body": article.body}
    provenance = {k: v for k, v in article.provenance.items() if k != "byline"}
    return fields, provenance


def read_links(body: bytes, url: str, content_type: str = "", profile: Profile | None = None) -> list[dict]:
    """The article links of a listing (section) page's bytes, as ``{"url", "title"}`` (``newsetl links``, eval).

    Decoded by the same decoder as article pages; an undecodable page raises :class:`DecodeError`, one
    nested deeper than the parser reads :class:`ExtractError`.
    A ``profile``'s current layout may say what its article URLs look like (``article_urls``).
    """
    text, _ = decode_html(body, content_type)
    layout = profile.layout_at(None) if profile is not None else None
    pattern = layout.article_urls if layout is not None else None
    return [{"url": link.url, "title": link.title} for link in extract_links(text, url, article_urls=pattern)]
