"""The ``backfill`` flow: articles from web archives (WARC files) instead of today's feeds.

WARC files go in (one's own crawl, Common Crawl's CC-NEWS; local paths or HTTP(S) URLs, streamed),
one ``backfill-file`` task each, so workers share a month of files; out come the same rows a live
ingest writes. A task claims its file (``news.warc_files``: a file already read is skipped without
opening it), reads it record by record from where the last reading stopped (``tasks.archive``),
keeps the responses of the configured sources' hosts, drops URLs the warehouse already holds, and
sends the rest in batches of ``NEWSETL_BATCH_SIZE`` through the same read (``flows.read``) and the
same dedupe -> load tail as a fetched batch (``flows.ingest.dedupe_and_load``), recording the file's
progress after each batch. The bounds are a live run's: each page is read by the run's worker processes
within ``NEWSETL_EXTRACT_TIMEOUT`` (a page over it is a reject ``timeout``), and each batch may take
``NEWSETL_TASK_TIMEOUT``, as each batch of a source's ingest task may (a file's number of batches is not
known before it is read, so the limit is kept per batch, by Prefect's own timeout, not on the task); a
batch over it fails the file's task, named, and the run is ``partial``. Every page keeps its WARC file and record offset
(``news.pages.warc_file``, ``warc_offset``). The run around it is the one lifecycle of
``flows.runs``: ``discovered`` counts the sources' records read, ``fetched`` stays 0, and a file
that ends inside a record makes the run ``partial``.
"""

from __future__ import annotations

import gzip
import os
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.timeout import timeout

from flows.ingest import FINAL_STATUSES, dedupe_and_load
from flows.read_pool import ReadPool
from flows.runs import MAX_PARALLEL_TASKS, RunSummary, SpreadResult, retry_if_transient, run_lifecycle, run_logger
from tasks.archive import ArchivedRecord, ArchiveReader
from tasks.config import DEFAULT_SOURCES_FILE, Source, load_sources, settings
from tasks.errors import ArchiveError, BatchTimeout, ConfigError
from tasks.fetch.archives import is_url, remote_size
from tasks.records import Article, FetchedPage, Reject, SourceStats
from tasks.warehouse.db import engine, ensure_current
from tasks.warehouse.reads import known_urls
from tasks.warehouse.runs import sync_sources
from tasks.warehouse.warc_files import claim_file, file_state, finish_file, record_progress

# A listing of WARC files, one path per line, as Common Crawl publishes each month's (CC-NEWS ``warc.paths.gz``).
LISTING_SUFFIXES = (".paths", ".paths.gz")


def archive_files(names: list[str], base: str | None = None) -> list[str]:
    """The WARC files ``names`` stand for, as absolute paths (how ``news.warc_files`` and ``news.pages`` name them).

    A listing (``warc.paths.gz``) stands for the files it lists, each relative to ``base`` (a local
    mirror of the archive, or its HTTP(S) address such as ``https://data.commoncrawl.org/``) or else
    to the listing's own folder. An HTTP(S) URL is a file read from its server as it streams, and is
    named by its URL. A local file that does not exist is a ConfigError naming it, before anything is
    read; a URL is asked for by its task (an answer other than the file is that file's problem).
    """
    files: list[Path | str] = []
    for name in names:
        if is_url(name):
            files.append(name)
            continue
        path = Path(name)
        if not path.name.endswith(LISTING_SUFFIXES):
            files.append(path)
            continue
        if not path.is_file():
            raise ConfigError(f"no such WARC listing: {name}")
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as listing:
            lines = [line.strip() for line in listing if line.strip()]
        if base and is_url(base):
            files.extend(urljoin(base.rstrip("/") + "/", line.lstrip("/")) for line in lines)
        else:
            root = Path(base) if base else path.parent
            files.extend(root / line for line in lines)
    missing = [str(f) for f in files if isinstance(f, Path) and not f.is_file()]
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ConfigError(f"no such WARC file: {', '.join(missing[:3])}{more}")
    return list(dict.fromkeys(f if isinstance(f, str) else str(f.resolve()) for f in files))


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=MAX_PARALLEL_TASKS), log_prints=False)
def backfill(archives: list[str], sources_file: str = str(DEFAULT_SOURCES_FILE), only: list[str] | None = None,
             since: datetime | None = None, until: datetime | None = None,
             batch_size: int | None = None, base: str | None = None) -> RunSummary:
    """Load the articles of ``archives`` (WARC files) whose hosts belong to the sources (those in ``only``).

    ``since``/``until`` keep the captures (WARC-Date) in ``[since, until)``; ``archives`` may hold
    listings (``warc.paths.gz``) whose paths are relative to ``base`` (see :func:`archive_files`).
    """
    files = archive_files(archives, base)
    sources = load_sources(Path(sources_file), only)
    eng = engine()
    ensure_current(eng)  # skipped when the command that started this flow checked it (one_check_per_command)
    sync_sources(eng, sources)
    with run_lifecycle("backfill", [s.name for s in sources],
                       f"{len(files)} WARC files for {len(sources)} sources") as run:
        for source in sources:
            run.add_source(SourceStats(source.name))
        for file in files:
            run.submit_spread(backfill_file, os.path.basename(file), file, sources, since, until, batch_size,
                              run.reader)
    return run.summary


@task(name="backfill-file", retries=1, retry_delay_seconds=10, retry_condition_fn=retry_if_transient,
      cache_policy=NO_CACHE, task_run_name="backfill-file-{file}")
def backfill_file(file: str, sources: list[Source], since: datetime | None, until: datetime | None,
                  batch_size: int | None = None, readers: ReadPool | None = None, *, run_id: int) -> SpreadResult:
    """Read one WARC file from where its last reading stopped; load its sources' records in batches.

    Pages are read by the run's ``readers`` (its worker processes), else in this thread."""
    readers = readers or ReadPool(1)
    log = run_logger()
    eng = engine()
    try:
        size = remote_size(file) if is_url(file) else os.path.getsize(file)
    except ArchiveError as exc:  # the server's final answer (a 404): another attempt would get the same
        log.warning("%s: cannot be read: %s", file, exc)
        return SpreadResult(problem=f"cannot be read: {exc}")
    start = claim_file(eng, file, size, run_id)
    if start is None:
        state = file_state(eng, file)
        log.info("%s: not read again (%s by run %s, %d records)", file, state.status, state.run_id, state.records)
        return SpreadResult()
    if start:
        log.info("%s: resuming at offset %d", file, start)
    reader = ArchiveReader(file, sources, start=start, since=since, until=until, size=size)
    size = batch_size or settings().batch_size
    stats: dict[str, SourceStats] = {s.name: SourceStats(s.name) for s in sources}
    batch: list[ArchivedRecord] = []
    loaded_records = 0
    batches = 0
    for item in reader:
        batch.append(item)
        if len(batch) >= size:
            batches += 1
            _load(batch, run_id, f"{os.path.basename(file)} batch {batches}", stats, readers)
            batch = []
            record_progress(eng, file, item.end, reader.records - loaded_records)
            loaded_records = reader.records
    if batch:
        _load(batch, run_id, f"{os.path.basename(file)} batch {batches + 1}", stats, readers)
    cut = reader.cut
    if reader.lost and cut:  # every record before the cut is loaded; the file stays 'reading', to be resumed
        record_progress(eng, file, cut.offset, reader.records - loaded_records)
        log.warning("%s: %s; the next backfill reads on from offset %d", file, reader.lost, cut.offset)
        return SpreadResult([s for s in stats.values() if s.discovered],
                            f"{reader.lost}; the next backfill reads on from offset {cut.offset}")
    finish_file(eng, file, cut.offset if cut else reader.end, reader.records - loaded_records,
                cut.detail if cut else None)
    log.info("%s: %d records read, %d passed over (other hosts, kinds or dates)%s", file, reader.records,
             reader.passed_over, f"; cut off: {cut.detail}" if cut else "")
    return SpreadResult([s for s in stats.values() if s.discovered],
                        f"cut off: {cut.detail}" if cut else None)


def _load(batch: list[ArchivedRecord], run_id: int, label: str, stats: dict[str, SourceStats],
          readers: ReadPool) -> None:
    """One batch of a file's records: per source, held URLs dropped, the rest read, deduped and loaded, within
    ``NEWSETL_TASK_TIMEOUT`` (else :class:`BatchTimeout`, which fails the file's task)."""
    limit = settings().task_timeout
    try:
        with timeout(limit, timeout_exc_type=BatchTimeout):
            _load_batch(batch, run_id, label, stats, readers)
    except BatchTimeout:
        raise BatchTimeout(f"{label} took over {limit:g} s (NEWSETL_TASK_TIMEOUT)") from None


def _load_batch(batch: list[ArchivedRecord], run_id: int, label: str, stats: dict[str, SourceStats],
                readers: ReadPool) -> None:
    by_source: dict[str, list[ArchivedRecord]] = defaultdict(list)
    for item in batch:
        by_source[item.source.name].append(item)
    eng = engine()
    for name, items in by_source.items():
        source = items[0].source
        held = known_urls(eng, [i.page.url for i in items if i.page is not None], timedelta(0))
        pages: list[FetchedPage] = []
        articles: list[Article] = []
        rejects: list[Reject] = [i.reject for i in items if i.reject is not None]
        for item in items:
            page = item.page
            if page is None or page.url in held:
                continue
            held.add(page.url)  # a URL twice in one batch is read once
            if page.status in FINAL_STATUSES:
                pages.append(page)
            if item.reject is None:
                article, reject = readers.read(source, page)
                if article is not None:
                    articles.append(article)
                if reject is not None:
                    rejects.append(reject)
        stats[name].add(dedupe_and_load(source, run_id, f"{label}: {len(items)} records", pages, articles,
                                        rejects, discovered=len(items)))
