"""Backfill speed beside extraction alone, and peak memory over a large WARC file.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.backfill [--articles N]
       [--gigabytes G]

Writes a WARC (gzip per record, as CC-NEWS) of ``--articles`` article responses (default 1,200): the
sample pages, each copy under its own path and canonical URL with words of its own in every paragraph, so every one
is a new article through the whole read -> dedupe -> load path (near-duplicates of its page's other
copies: one story). Times the ``backfill`` flow over it in
a scratch database (Prefect's start and the extractor's warm-up done beforehand on a small file), and
``flows.read.read_article`` alone over the same pages: records/s of both, and their ratio.
With ``--gigabytes G`` (e.g. 1) it then writes a WARC of G GB — the same articles plus 1 MB
responses of a host no source owns — and reports the peak RSS of ``newsetl backfill`` over it
under ``/usr/bin/time -v``: streaming keeps it flat whatever the file's size.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import newsetl, scratch_database
from tests.data.warcs import BASES, Capture, sources_toml, write_warc

MB = 1_000_000


def article_captures(count: int, start: int = 0) -> list[Capture]:
    from flows.sample_site.build import SITE_DIR
    from flows.sample_site.server import expected_records

    records = expected_records()
    captures = []
    for i in range(start, start + count):
        record = records[i % len(records)]
        base = f"{BASES[record['source']]}/b{i}"
        page = (SITE_DIR / record["source"] / record["path"].lstrip("/")).read_bytes()
        page = page.replace(b"{{BASE}}", base.encode()).replace(b"</p>", f" (bản tin số {i})</p>".encode())
        captures.append(Capture(base + record["path"], page))
    return captures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=1200)
    parser.add_argument("--gigabytes", type=float, default=0)
    args = parser.parse_args()
    from prefect.testing.utilities import prefect_test_harness

    from flows.backfill import backfill
    from flows.read import read_article

    with scratch_database() as url, tempfile.TemporaryDirectory() as tmp:
        os.environ["DATABASE_URL"] = url
        sources = Path(tmp) / "sources.toml"
        sources.write_text(sources_toml(), encoding="utf-8")
        captures = article_captures(args.articles)
        warc = write_warc(Path(tmp) / "bench.warc.gz", captures)
        warm = write_warc(Path(tmp) / "warm.warc.gz", article_captures(5, start=10**6))
        with prefect_test_harness(server_startup_timeout=120):
            backfill(archives=[str(warm)], sources_file=str(sources))
            began = time.perf_counter()
            summary = backfill(archives=[str(warc)], sources_file=str(sources))
            took = time.perf_counter() - began
        began = time.perf_counter()
        for capture in captures:
            read_article(capture.body, capture.url)
        extract_took = time.perf_counter() - began
        totals = summary.totals
        rate, extract_rate = len(captures) / took, len(captures) / extract_took
        print(f"backfill: {len(captures)} article responses ({warc.stat().st_size / MB:.1f} MB) in {took:.1f}s: "
              f"{rate:.1f} records/s ({totals.new} new, {totals.rejected} rejected, status {summary.status})")
        print(f"extract only (flows.read.read_article, same pages): {extract_rate:.1f} pages/s; "
              f"backfill / extract-only = {rate / extract_rate:.2f}")
        ok = totals.new == len(captures)
        if args.gigabytes:
            big = Path(tmp) / "big.warc.gz"
            fillers = int(args.gigabytes * 1000)
            junk = (Capture(f"http://elsewhere.example/blob/{i}", os.urandom(MB),
                            content_type="application/octet-stream") for i in range(fillers))
            write_warc(big, [*article_captures(200, start=2 * 10**6), *junk])
            result = newsetl(["-q", "backfill", str(big), "--sources", str(sources)],
                             {"DATABASE_URL": url}, wrapper=["/usr/bin/time", "-v"])
            found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
            peak = int(found.group(1)) / 1024 if found else 0
            print(f"peak RSS of newsetl backfill over a {big.stat().st_size / MB:.0f} MB WARC: {peak:.0f} MB "
                  f"(exit {result.returncode})")
            ok = ok and result.returncode == 0 and 0 < peak < 400
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
