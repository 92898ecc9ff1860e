"""Score ``extract_links`` on saved listing pages: the ``first_items`` measure of ../shared/data/README.md.

Usage: ``python benchmarks/listings_score.py [DIR] [-v]`` (DIR defaults to ../shared/data/vn-listings).
Item i of the prediction counts when it matches item i of the expected list: URL after
resolving, fragment dropped, http = https; title after NFC and whitespace collapse.
A page scores the share of its expected items that count; the set, the mean over pages.
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from tasks.links import extract_links
from tasks.text import clean

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "vn-listings"


def _url_key(url: str, base: str) -> str:
    parts = urlsplit(urljoin(base, url.strip()))
    scheme = "https" if parts.scheme in ("http", "https") else parts.scheme
    return urlunsplit((scheme, parts.netloc.lower(), parts.path, parts.query, ""))


def first_items_score(predicted: list[dict], expected: list[dict], page_url: str) -> float:
    """Share of the expected items matched, position by position."""
    if not expected:
        return 1.0
    hits = 0
    for i, want in enumerate(expected):
        if i >= len(predicted):
            break
        got = predicted[i]
        if (_url_key(got["url"], page_url) == _url_key(want["url"], page_url)
                and clean(got["title"]) == clean(want["title"])):
            hits += 1
    return hits / len(expected)


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    args = [a for a in argv if a != "-v"]
    folder = Path(args[0]) if args else DEFAULT_DIR
    scores = []
    seconds = 0.0
    for expected_file in sorted(folder.glob("*.json")):
        record = json.loads(expected_file.read_text(encoding="utf-8"))
        if not record.get("first_items"):
            continue
        page = folder / (expected_file.name[: -len(".json")] + ".html.gz")
        html = gzip.decompress(page.read_bytes())
        started = time.perf_counter()
        links = extract_links(html, record["url"])
        seconds += time.perf_counter() - started
        predicted = [{"url": link.url, "title": link.title} for link in links]
        score = first_items_score(predicted, record["first_items"], record["url"])
        scores.append(score)
        print(f"{score:.3f}  {expected_file.stem}  ({len(links)} links)")
        if verbose and score < 1:
            for i, want in enumerate(record["first_items"]):
                got = predicted[i] if i < len(predicted) else None
                print(f"   want {want['title'][:60]!r} {want['url'][-50:]}")
                print(f"   got  {got['title'][:60]!r} {got['url'][-50:]}" if got else "   got  -")
    if not scores:
        print(f"no listing pages with first_items in {folder}")
        return 1
    print(f"first_items {sum(scores) / len(scores):.3f} over {len(scores)} pages; "
          f"extract_links {len(scores) / seconds:.0f} pages/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
