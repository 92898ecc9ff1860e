"""Pages read on several threads at once come out as they do one at a time, and the process survives.

A batch reads its pages on ``max_connections`` threads, and several sources' batches run at once.
One lxml parser shared by them all crashed the process (``free(): invalid pointer``): each thread
now parses with its own. The stress runs in a child process, so a crash is a failed test rather
than a dead test session; it reads real pages from ``/work/shared/data`` (skipped without them).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

DATA = Path(os.environ.get("NEWSETL_SHARED_DATA", "/work/shared/data"))
SETS = ("fundus-dev", "vn-articles-dev", "aeb-dev")
PAGES_PER_SET = 12
THREADS = 8
ROUNDS = 3  # each page read this many times, interleaved with the others


def saved_pages() -> list[tuple[str, bytes]]:
    """(url, bytes) of the first pages of each set, in name order."""
    found = []
    for name in SETS:
        folder = DATA / name
        for expected in sorted(folder.glob("*.json"))[:PAGES_PER_SET]:
            stem = expected.name.removesuffix(".json")
            html = folder / f"{stem}.html"
            body = html.read_bytes() if html.exists() else gzip.decompress((folder / f"{stem}.html.gz").read_bytes())
            url = json.loads(expected.read_text(encoding="utf-8")).get("url") or f"https://example.com/{stem}"
            found.append((url, body))
    return found


def digest(url: str, body: bytes) -> str:
    from flows.read import read_article
    from tasks.errors import RecordError

    try:
        article = read_article(body, url)
    except RecordError as exc:
        return f"reject {exc.code}"
    return hashlib.sha256(repr(article).encode()).hexdigest()


def stress() -> None:
    """Print whether every threaded reading equals the page's serial reading (run in a child process)."""
    pages = saved_pages()
    serial = [digest(url, body) for url, body in pages]
    jobs = [i for _ in range(ROUNDS) for i in range(len(pages))]
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        threaded = list(pool.map(lambda i: (i, digest(*pages[i])), jobs))
    differing = sorted({pages[i][0] for i, d in threaded if d != serial[i]})
    print(json.dumps({"pages": len(pages), "readings": len(threaded), "differing": differing}))


@pytest.mark.skipif(not all((DATA / name).is_dir() for name in SETS), reason=f"no saved pages in {DATA}")
def test_pages_read_on_many_threads_at_once_equal_their_serial_reading():
    child = subprocess.run([sys.executable, "-c", f"import runpy; runpy.run_path({str(Path(__file__))!r})['stress']()"],
                           capture_output=True, text=True, timeout=600, cwd=Path(__file__).parents[2])
    assert child.returncode == 0, child.stderr[-2000:]  # a crash in lxml kills the child: -6 (SIGABRT), -11
    result = json.loads(child.stdout.strip().splitlines()[-1])
    assert result["pages"] == PAGES_PER_SET * len(SETS)
    assert result["readings"] == ROUNDS * result["pages"]
    assert result["differing"] == []
