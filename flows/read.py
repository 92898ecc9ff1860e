"""One page's bytes -> its warehouse record: decode -> extract -> normalise, in that order, called from here.

This is the chain every path that reads an article page takes: ingest (pages just
fetched), reprocess (pages stored in ``news.pages``), ``newsetl extract``, ``newsetl eval``
and the golden sample-site test. So what ``eval`` scores is what ``ingest`` stores, bytes
included: one decoder (``tasks.fetch.decode``, strict, refuses mojibake), one extractor,
one normaliser. No step calls the next; this module does.
"""

from __future__ import annotations

from tasks.config import Source
from tasks.errors import DecodeError, ExtractError
from tasks.extract.article import extract_page
from tasks.extract.links import extract_links
from tasks.fetch.decode import decode_html
from tasks.normalise import normalise_article
from tasks.records import Article, FetchedPage, Reject

# Content types whose pages are read; "" is a server that sent none (the body is sniffed by the decoder).
HTML_TYPES = ("text/html", "application/xhtml+xml", "")


def read_article(body: bytes, url: str, source: Source | None = None, *, content_type: str = "",
                 fetched_url: str | None = None, **hints) -> Article:
    """The record of one page's bytes; ``content_type`` is the response's header (for its charset).

    Raises :class:`DecodeError` when the bytes cannot be read reliably and :class:`ExtractError`
    when the page holds no article. ``hints`` are what the feed or sitemap said (title, date).
    """
    text, _ = decode_html(body, content_type)
    page = extract_page(text, url, source)
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
                               fetched_url=page.url, **hints)
    except (DecodeError, ExtractError) as exc:
        return None, Reject(source.name, page.url, "extract", exc.code, exc.detail, page.status)
    except Exception as exc:  # an extractor bug must cost one page, not the batch
        detail = f"extractor failed: {type(exc).__name__}: {exc}"
        return None, Reject(source.name, page.url, "extract", "extractor_bug", detail, page.status)
    return article, None


def eval_prediction(data: bytes, url: str) -> tuple[dict, dict[str, str]]:
    """The record of a saved page in the expected-record keys, and its provenance (what ``newsetl eval`` scores)."""
    article = read_article(data, url)
    fields = {"title": article.title, "authors": list(article.authors), "published_at": article.published_at,
              "language": article.language, "lead": article.lead, "body": article.body}
    provenance = {k: v for k, v in article.provenance.items() if k != "byline"}
    return fields, provenance


def read_links(body: bytes, url: str, content_type: str = "") -> list[dict]:
    """The article links of a listing (section) page's bytes, as ``{"url", "title"}`` (``newsetl links``, eval).

    Decoded by the same decoder as article pages; an undecodable page raises :class:`DecodeError`, one
    nested deeper than the parser reads :class:`ExtractError`.
    """
    text, _ = decode_html(body, content_type)
    return [{"url": link.url, "title": link.title} for link in extract_links(text, url)]
