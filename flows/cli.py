"""The ``newsetl`` command: run, demo, serve, deploy, db, search, extract, reprocess, backfill, links, sources, eval.

Exit codes: 0 the command did its work (a run that finished, even with rejected
pages or a partial status); 1 a run that failed (it raised, or every source failed
entirely); 2 a configuration or usage error, found before anything is fetched; 3 the
database cannot be reached or upgraded; 4 a run that finished but in which a source
failed entirely (the others were loaded), or a site or source that ``sources add`` /
``sources check`` found not working; 128 + N stopped by signal N (130 Ctrl-C, 143
SIGTERM) after recording the run as failed and stopping what it started.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

import flows  # noqa: F401  - Prefect environment defaults
from tasks.config import DEFAULT_SOURCES_FILE, load_sources, settings
from tasks.errors import ConfigError, DatabaseError, Interrupted, PrefectServerError, SourcesFailed
from tasks.records import SourceStats
from tasks.warehouse.db import (
    database_url,
    describe,
    engine,
    ensure_current,
    loopback_url,
    one_check_per_command,
    public_url,
    upgrade,
)

EXIT_FAILED, EXIT_CONFIG, EXIT_DATABASE, EXIT_SOURCE_FAILED = 1, 2, 3, 4
EXIT_SIGNAL_BASE = 128  # stopped by signal N: exit 128 + N, as a shell reports a process the signal killed
# `newsetl db serve`'s port: off 5432, where a machine's own Postgres usually listens.
DEFAULT_SERVE_PORT = 54320
# The password of `newsetl db reader`: read where it is used, never an argument (ps, shell history) or a setting.
READER_PASSWORD_VARIABLE = "NEWSETL_READER_PASSWORD"
# Rich draws 80 columns when output is not a terminal (CI logs, pipes); the summary needs more.
console = Console(width=None if sys.stdout.isatty() else 150)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 150)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passes_on", False):  # only `db shell` hands further arguments on (to psql)
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    if args.quiet:
        os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Prefect's API calls, one line each
    with _stopping_on_signals():
        try:
            if getattr(args, "runs_flows", False):
                _report_to_announced_server()
            with one_check_per_command():  # the schema is checked once per command, not again by its flow
                return args.handler(args)
        except ConfigError as exc:
            err.print(f"[red]config error:[/red] {exc}", highlight=False, soft_wrap=True)
            return EXIT_CONFIG
        except DatabaseError as exc:
            err.print(f"[red]database error:[/red] {exc}", highlight=False, soft_wrap=True)
            return EXIT_DATABASE
        except Interrupted as exc:
            err.print(f"[red]{exc}[/red]", highlight=False)
            return EXIT_SIGNAL_BASE + exc.signum


def _report_to_announced_server() -> None:
    """Without ``PREFECT_API_URL``, a flow command reports to the Prefect server ``newsetl prefect-server`` (or
    ``newsetl serve``) keeps up, if one answers, instead of having Prefect start a temporary one (5-10 s)."""
    from flows.prefect_server import use_announced_server

    api = use_announced_server()
    if api is not None:
        err.print(f"Prefect: the server newsetl keeps up at {api.removesuffix('/api')}", highlight=False)


@contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT raise :class:`Interrupted` in the main thread, so the command unwinds.

    Killed by the default handler, the process would leave its children behind (Prefect's
    temporary server, ~200 MB, under init) and its run 'running'. Unwinding, the run's lifecycle
    records it ``failed`` with the signal's name, the context managers and ``atexit`` hooks stop the
    Prefect server and the embedded Postgres, and ``main`` returns 128 + N. A second signal while
    that happens is ignored (SIGKILL still stops at once; the next run marks that run abandoned).
    During a flow run Prefect's engine holds SIGTERM itself and hands it back here when it is done.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping = False

    def stop(signum: int, frame) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        raise Interrupted(signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsetl",
        description="Ingest news articles from feeds and sitemaps into Postgres (schema 'news').",
        epilog="Database: DATABASE_URL (e.g. postgresql://user@host:5432/db) when set; otherwise an embedded "
               "Postgres kept in NEWSETL_DATA_DIR (default ~/.local/share/newsetl). "
               "Start with 'newsetl demo' to see a whole run against the bundled sample sites.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", help="run one ingest over the configured sources",
                         description="Discover, fetch, extract and load articles of every source in the "
                                     "sources file, then print a summary per source and the run id.")
    _add_run_options(run)
    run.set_defaults(handler=cmd_run, runs_flows=True)

    demo = sub.add_parser("demo", help="run the ingest against the bundled sample news sites (no internet needed)",
                          description="Start the bundled sample news sites on 127.0.0.1, ingest them into the "
                                      "warehouse, and print the summary and the newest rows.")
    demo.add_argument("--limit", type=int, metavar="N", help="at most N new article pages per source")
    demo.set_defaults(handler=cmd_demo, runs_flows=True)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_up = db_sub.add_parser("upgrade", help="apply pending migrations from sql/migrations and refresh the views")
    db_up.set_defaults(handler=cmd_db_upgrade)
    db_docs = db_sub.add_parser("docs", help="print the data dictionary (tables, views, columns) from the catalog",
                                description="Upgrade the warehouse, then print its data dictionary as Markdown, read "
                                            "from the catalog comments (COMMENT ON); the repository keeps it in "
                                            "docs/warehouse.md.")
    db_docs.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    db_docs.set_defaults(handler=cmd_db_docs)
    db_reader = db_sub.add_parser("reader", help="create a read-only login for an analyst",
                                  description="Create the login NAME in the read-only role (NEWSETL_READER_ROLE, "
                                              "default newsetl_reader): SELECT on every table and view of schema "
                                              "news, no writes. The password comes from NEWSETL_READER_PASSWORD or "
                                              "is asked on the terminal; it is never an argument, never printed.")
    db_reader.add_argument("name", metavar="NAME", help="the login's name")
    db_reader.set_defaults(handler=cmd_db_reader)
    db_url = db_sub.add_parser("url", help="print the warehouse's connection URL (never its password)",
                               description="Print the URL psql and BI tools take (postgresql://...), without the "
                                           "password. The embedded server is up only while a newsetl command runs: "
                                           "'newsetl db serve' keeps it up on 127.0.0.1.")
    db_url.set_defaults(handler=cmd_db_url)
    db_shell = db_sub.add_parser("shell", help="open psql on the warehouse",
                                 description="Run psql on the warehouse (the embedded server stays up while it runs); "
                                             "further arguments go to psql, e.g. newsetl db shell -At -c 'SELECT 1'.",
                                 usage="newsetl db shell [PSQL_ARGS ...]")
    db_shell.set_defaults(handler=cmd_db_shell, passes_on=True)
    db_serve = db_sub.add_parser("serve", help="keep the embedded Postgres up on 127.0.0.1 until stopped",
                                 description="Start the embedded Postgres, bring it up to date and relay "
                                             "127.0.0.1:PORT to it until Ctrl-C (or SIGTERM), for psql or a BI tool. "
                                             "Only for the embedded server: with DATABASE_URL, connect to that.")
    db_serve.add_argument("--port", type=int, default=DEFAULT_SERVE_PORT, metavar="N",
                          help="TCP port on 127.0.0.1 (default %(default)s)")
    db_serve.set_defaults(handler=cmd_db_serve)
    db_migrate = db_sub.add_parser("migrate-embedded", help="move an embedded data folder of PostgreSQL 16 "
                                   "(earlier newsetl versions) to the current embedded server",
                                   description="Dump the PostgreSQL 16 embedded folder (NEWSETL_DATA_DIR/pgdata, "
                                               "written by the pgserver wheel: pip install pgserver first) with "
                                               "pg_dumpall, restore it into a PostgreSQL 18 folder, and keep the "
                                               "old folder as pgdata-pg16.")
    db_migrate.set_defaults(handler=cmd_db_migrate_embedded)

    search = sub.add_parser("search", help="search the articles' title, lead and body, best matches first",
                            description="Full-text search of the warehouse (news.search): every word required, "
                                        "diacritics optional (Can Tho finds Cần Thơ; typed with them, exact "
                                        "matches come first), \"quoted words\" adjacent, OR between alternatives, "
                                        "-word excluded. Prints rank, date, source, title, a snippet with the "
                                        "matched words in «» and the URL.")
    search.add_argument("query", metavar="QUERY", help='e.g. "Cần Thơ" or \'"Ninh Kiều" triều cường\'')
    search.add_argument("--source", metavar="NAME", help="only this source's articles")
    search.add_argument("--since", type=_moment, metavar="DATE",
                        help="only articles published from this date or time on, e.g. 2026-03-01 (UTC)")
    search.add_argument("--limit", type=_positive_int, default=20, metavar="N", help="at most N rows (default 20)")
    search.add_argument("--json", action="store_true", help="one JSON object per article instead of a table")
    search.set_defaults(handler=cmd_search)

    serve = sub.add_parser("serve", help="run the ingest on a cron schedule through Prefect",
                           description="Serve the ingest flow as a Prefect deployment with a cron schedule; "
                                       "keeps running and starts a flow run at each tick. Trigger one by hand "
                                       "with: prefect deployment run 'ingest/newsetl-ingest'.")
    serve.add_argument("--cron", required=True, metavar="EXPR", help='cron expression, e.g. "*/30 * * * *"')
    serve.add_argument("--timezone", default="Asia/Ho_Chi_Minh", help="time zone of the cron expression")
    serve.add_argument("--name", default="newsetl-ingest", help="deployment name (default %(default)s)")
    _add_run_options(serve)
    serve.set_defaults(handler=cmd_serve)

    prefect_server = sub.add_parser(
        "prefect-server", help="keep a local Prefect server up for the runs, until stopped",
        description="Start 'prefect server start' on 127.0.0.1:PORT (UI included) and keep it up until Ctrl-C "
                    "(or SIGTERM). Meanwhile 'newsetl run', 'demo', 'reprocess' and 'backfill' started without "
                    "PREFECT_API_URL report to it instead of starting Prefect's temporary server (5-10 s a run). "
                    "With PREFECT_API_URL set, use that server instead.")
    prefect_server.add_argument("--port", type=int, default=4200, metavar="N",
                                help="TCP port on 127.0.0.1 (default %(default)s; another free one if taken)")
    prefect_server.set_defaults(handler=cmd_prefect_server)

    deploy = sub.add_parser("deploy", help="check prefect.yaml's deployments, then register them with Prefect",
                            description="Check every deployment of prefect.yaml before anything starts (entrypoint, "
                                        "parameters and their types, the sources file and 'only', cron and time "
                                        "zone, work pool; exit 2 naming the fault), then run 'prefect deploy --all' "
                                        "against PREFECT_API_URL.")
    deploy.add_argument("--file", default="prefect.yaml", metavar="FILE", help="the deployments (default %(default)s)")
    deploy.add_argument("--check", action="store_true", help="only check; register nothing")
    deploy.set_defaults(handler=cmd_deploy)

    extract = sub.add_parser("extract", help="print the article record extracted from pages, as JSON",
                             description="Extract article records from saved HTML files or http(s) URLs (one JSON "
                                         "object per line); what to run to see why a source comes out wrong.")
    extract.add_argument("files", nargs="+", metavar="FILE_OR_URL", help="saved HTML page(s), .gz too, or URLs")
    extract.add_argument("--url", help="the URL the page was fetched from (default: file://PATH)")
    extract.add_argument("--source", metavar="NAME", help="read with this source's settings (time zone, host)")
    extract.add_argument("--sources", default=str(DEFAULT_SOURCES_FILE), metavar="FILE",
                         help="sources file for --source (default %(default)s)")
    extract.add_argument("--profile", metavar="NAME_OR_FILE",
                         help="read with this site profile (a shipped one's name, or a .toml file) instead of "
                              "the source's; provenance says which fields it gave")
    extract.set_defaults(handler=cmd_extract)

    reprocess = sub.add_parser("reprocess", help="re-extract the stored raw pages with the current extractor",
                               description="Read the pages already fetched (news.pages) and run them through "
                                           "extraction, dedupe and load again, without fetching: changed "
                                           "articles get a new version, unchanged ones are only marked as seen.")
    reprocess.add_argument("--sources", default=str(DEFAULT_SOURCES_FILE), metavar="FILE",
                           help="sources file whose settings (URL rules) apply, when it exists (default %(default)s)")
    reprocess.add_argument("--only", nargs="+", metavar="NAME", help="reprocess only these sources' pages")
    reprocess.add_argument("--batch-size", type=int, metavar="N", help="pages per batch (default NEWSETL_BATCH_SIZE)")
    reprocess.set_defaults(handler=cmd_reprocess, runs_flows=True)

    backfill = sub.add_parser("backfill", help="load the articles of web archives (WARC files) of the sources",
                              description="Read WARC files (plain or gzip per record, as Common Crawl's CC-NEWS "
                                          "writes them) and load the responses of the sources' hosts through "
                                          "the same extraction, dedupe and load as a run. A file read before "
                                          "is skipped; a file whose reading stopped is resumed.")
    backfill.add_argument("archives", nargs="+", metavar="WARC",
                          help="WARC file(s), .warc or .warc.gz, or a listing of them (CC-NEWS warc.paths.gz)")
    backfill.add_argument("--base", metavar="DIR", help="where a listing's paths are (default: the listing's folder)")
    backfill.add_argument("--sources", default=str(DEFAULT_SOURCES_FILE), metavar="FILE",
                          help="sources file (TOML, default %(default)s)")
    backfill.add_argument("--source", nargs="+", metavar="NAME", dest="only",
                          help="keep only these sources' records (default: every source in the file)")
    backfill.add_argument("--since", type=_moment, metavar="DATE",
                          help="keep captures (WARC-Date) from this date or time on, e.g. 2024-01-01 (UTC)")
    backfill.add_argument("--until", type=_moment, metavar="DATE",
                          help="keep captures before this date or time, e.g. 2024-02-01 (UTC)")
    backfill.add_argument("--batch-size", type=int, metavar="N", help="pages per batch (default NEWSETL_BATCH_SIZE)")
    backfill.set_defaults(handler=cmd_backfill, runs_flows=True)

    links = sub.add_parser("links", help="print the article links read from listing (section) pages, as JSON",
                           description="Read listing pages (saved files or http(s) URLs) the way 'listings' "
                                       "discovery does and print one JSON object per article link, in order; "
                                       "what to run to see why a section page comes out wrong.")
    links.add_argument("pages", nargs="+", metavar="URL_OR_FILE", help="listing page URL or saved HTML (.gz too)")
    links.add_argument("--url", help="the URL a saved page was fetched from (default: file://PATH)")
    links.add_argument("--profile", metavar="NAME_OR_FILE",
                       help="read the links with this site profile's article_urls pattern (its current layout)")
    links.set_defaults(handler=cmd_links)

    sources = sub.add_parser("sources", help="find a site's feeds, sitemaps or section pages; check configured ones",
                             description="Interactive checks against the sites themselves (polite: the fetcher of "
                                         "a run, robots.txt obeyed); nothing is stored. Exit 4 when a site or "
                                         "source does not work.")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True, metavar="SOURCES_COMMAND")
    add = sources_sub.add_parser(
        "add", help="find a site's feeds, sitemaps or section pages and print its [[sources]] table",
        description="Read HOMEPAGE and a few section pages for announced feeds (<link rel=alternate>), try the "
                    "usual feed paths, robots.txt's sitemaps and /sitemap.xml, and when there is neither, the "
                    "section pages; read a few articles; report per field how often it was filled and by which "
                    "signal (on stderr), and print the [[sources]] table to paste (on stdout), its guessed "
                    "language, time zone and date order commented. Exit 4 when nothing lists articles.")
    add.add_argument("homepage", metavar="HOMEPAGE", help="the site's homepage, e.g. https://baocantho.com.vn/")
    add.add_argument("--name", help="the source's name (default: from the host, or the title for an address)")
    add.add_argument("--articles", type=_whole_number, metavar="N",
                     help="articles to fetch and read (default 5, flows.sources.DEFAULT_ARTICLES; 0: none)")
    add.add_argument("--allow-address", action="append", default=[], dest="allow_addresses", metavar="NETWORK",
                     help="a private/loopback network the site may resolve to (the allow_addresses key); repeatable")
    add.add_argument("--min-interval", type=float, default=1.0, metavar="SECONDS",
                     help="seconds between request starts to the host (the min_interval key, default %(default)s)")
    add.add_argument("--max-connections", type=int, default=2, metavar="N",
                     help="requests in flight to the host (the max_connections key, default %(default)s)")
    add.set_defaults(handler=cmd_sources_add)
    check = sources_sub.add_parser(
        "check", help="check the configured sources' feeds, sitemaps and listings, and read a few articles",
        description="For each source (or the NAMEs given): whether each feed, sitemap and listing page answers "
                    "and parses and how many article URLs it lists, then a few articles read, per field how often "
                    "filled and by which signal. Exit 4 when a feed, sitemap or listing gives no article URL, or "
                    "no sampled article could be read.")
    check.add_argument("names", nargs="*", metavar="NAME", help="sources to check (default: all)")
    check.add_argument("--sources", default=str(DEFAULT_SOURCES_FILE), metavar="FILE",
                       help="sources file (TOML, default %(default)s)")
    check.add_argument("--articles", type=_whole_number, metavar="N",
                       help="articles per source to fetch and read (default 5, flows.sources.DEFAULT_ARTICLES; "
                            "0: none)")
    check.set_defaults(handler=cmd_sources_check)

    evaluate = sub.add_parser("eval", help="score the extractor on a folder of saved pages with expected records",
                              description="Score the extractor on DIR: NAME.html[.gz] + NAME.json pairs in the format "
                                          "of the shared data README; prints per-field accuracy, lead/body "
                                          "word-4-gram F1, listing first_items and pages/s of extraction alone.")
    evaluate.add_argument("folders", nargs="+", metavar="DIR", help="folder(s) of page + expected-record pairs")
    evaluate.add_argument("--json", action="store_true", help="print the figures as one JSON object per folder")
    evaluate.add_argument("--misses", action="store_true", help="also list every page a field missed on")
    evaluate.add_argument("--provenance", action="store_true", help="also print which signal gave each field")
    evaluate.add_argument("--folds", type=_positive_int, metavar="K",
                          help="also split the pages by site into K folds and print each field per fold "
                               "(a site's pages are all in one fold; the split is the same on every run)")
    evaluate.add_argument("--profile", metavar="NAME_OR_FILE",
                          help="check a site profile (a shipped one's name, or a .toml file): score only the "
                               "pages of its hosts, without and with it, side by side")
    evaluate.set_defaults(handler=cmd_eval)
    return parser


def _int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number of ``minimum`` or more (a usage error, exit 2, otherwise)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {minimum} or more, not {value}")
        return value
    return parse


_positive_int = _int_at_least(1)
_whole_number = _int_at_least(0)


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sources", default=str(DEFAULT_SOURCES_FILE), metavar="FILE",
                        help="sources file (TOML, default %(default)s)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="ingest only these sources")
    parser.add_argument("--limit", type=int, metavar="N", help="at most N new article pages per source")


def _moment(value: str) -> datetime:
    """An ISO date or date-time for --since/--until; one without an offset is UTC."""
    from datetime import UTC

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or time: {value!r} (e.g. 2024-01-31 or "
                                         f"2024-01-31T12:00+07:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _check_ready(sources_file: str, only: list[str] | None) -> None:
    """Config and database problems are reported before anything is fetched."""
    sources = load_sources(sources_file, only)
    url = database_url()
    ensure_current(engine(url))
    err.print(f"{len(sources)} sources from {sources_file}; warehouse: {describe(url)}", highlight=False)


def cmd_run(args: argparse.Namespace) -> int:
    _check_ready(args.sources, args.only)
    return _run_flow(args.sources, args.only, args.limit)


def _run_flow(sources_file: str, only: list[str] | None, limit: int | None) -> int:
    from flows.ingest import ingest

    return _summarised(lambda: ingest(sources_file=sources_file, only=only, limit=limit), "run")


def _summarised(run, what: str) -> int:
    """Run a flow and print its summary; a failure other than config or database is exit code 1.

    Without a Prefect API to report to, the flow reports to a temporary server started for it (see
    ``flows.prefect_server.start_temporary_prefect_server``), stopped when the process exits.
    """
    from flows.prefect_server import start_temporary_prefect_server

    try:
        start_temporary_prefect_server()
        with _progress_bars():
            summary = run()
    except (ConfigError, DatabaseError):
        raise
    except SourcesFailed as exc:  # the run finished and is recorded; a source (or every one) gave nothing
        print_summary(exc.summary)
        err.print(f"[red]{what} failed:[/red] {exc}", highlight=False)
        return EXIT_FAILED if exc.summary.status == "failed" else EXIT_SOURCE_FAILED
    except Exception as exc:
        err.print(f"[red]{what} failed:[/red] {type(exc).__name__}: {exc}", highlight=False)
        return EXIT_FAILED
    print_summary(summary)
    return 0


@contextmanager
def _progress_bars() -> Iterator[None]:
    """On a terminal, a bar per source (pages fetched of those to fetch, rejects so far); elsewhere nothing."""
    if not err.is_terminal:
        yield
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from tasks import progress

    bars = Progress(TextColumn("{task.description:<14}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("pages  {task.fields[rejected]} rejected"), TimeElapsedColumn(), console=err)
    ids: dict[str, int] = {}
    rejects: dict[str, int] = {}
    lock = threading.Lock()

    def update(source: str, *, total: int | None = None, fetched: int = 0, rejected: int = 0) -> None:
        with lock:
            if source not in ids:
                ids[source], rejects[source] = bars.add_task(source, total=None, rejected=0), 0
            rejects[source] += rejected
            extra = {"total": total} if total is not None else {}
            bars.update(ids[source], advance=fetched, rejected=rejects[source], **extra)

    with bars, progress.listening(update):
        yield


def print_summary(summary) -> None:
    table = Table(title=f"newsetl run {summary.run_id}: {summary.status}", title_justify="left")
    table.add_column("source")
    for name in SourceStats.COUNTS:
        table.add_column(name, justify="right")
    for stats in [*summary.sources, summary.totals]:
        table.add_row(stats.source, *(str(getattr(stats, n)) for n in SourceStats.COUNTS),
                      style="bold" if stats.source == "total" else None)
    console.print(table)
    for line in summary.errors:
        console.print(f"[yellow]partial:[/yellow] {line}", highlight=False)
    for drift in summary.drift:  # news.rpt_source_drift, read after the run
        kind = "drifted" if drift.signals else "stale"
        console.print(f"[yellow]{kind}:[/yellow] {drift.source}: {drift.detail}", highlight=False)
    if summary.drift:
        console.print("health: SELECT * FROM news.rpt_source_drift WHERE drifted OR stale;", highlight=False)
    if summary.totals.rejected:
        console.print(f"rejects: SELECT * FROM news.rejects WHERE run_id = {summary.run_id};", highlight=False)
    console.print(f"run id: {summary.run_id}" + (f"  (Prefect flow run {summary.flow_run_id})"
                                                 if summary.flow_run_id else ""), highlight=False)


def cmd_demo(args: argparse.Namespace) -> int:
    from flows.sample_site.server import serve_sample_sites, sources_toml
    from tasks.warehouse.db import query

    with serve_sample_sites(preferred_ports=(8761, 8762)) as sites, tempfile.TemporaryDirectory() as tmp:
        sources_file = Path(tmp) / "sources.toml"
        sources_file.write_text(sources_toml(sites), encoding="utf-8")
        for site in sites.values():
            err.print(f"sample site '{site.name}' at {site.base}/", highlight=False)
        _check_ready(str(sources_file), None)
        code = _run_flow(str(sources_file), None, args.limit)
    if code == 0:
        with engine().connect() as conn:
            rows = conn.execute(query("report/latest_articles.sql"), {"limit": 5}).all()
        table = Table(title="newest rows of news.rpt_articles", title_justify="left")
        for column in ("source", "published (local)", "title", "authors", "section", "words"):
            table.add_column(column, max_width=60 if column == "title" else None, no_wrap=column != "title")
        for row in rows:
            table.add_row(row.source, f"{row.published_local:%Y-%m-%d %H:%M}" if row.published_local else "",
                          row.title, ", ".join(row.authors), row.section or "", str(row.word_count))
        console.print(table)
        console.print("query the warehouse: newsetl db shell (psql), or newsetl db serve for a BI tool on "
                      f"127.0.0.1:{DEFAULT_SERVE_PORT}; search it: newsetl search \"Can Tho\"; "
                      "README \"Analysts: the warehouse\"", highlight=False)
    return code


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    url = database_url()
    applied = upgrade(engine(url))
    console.print(f"{describe(url)}: " + (f"applied {', '.join(applied)}" if applied else "already up to date"),
                  highlight=False)
    return 0


def cmd_db_docs(args: argparse.Namespace) -> int:
    from tasks.warehouse.dictionary import render_markdown, undocumented

    eng = engine(database_url())
    upgrade(eng)
    text = render_markdown(eng)
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        Path(args.output).write_text(text, encoding="utf-8")
        err.print(f"wrote {args.output}", highlight=False)
    else:
        sys.stdout.write(text)
    gaps = undocumented(eng)
    if gaps:
        err.print(f"[yellow]without a comment:[/yellow] {', '.join(gaps)}", highlight=False)
    return 0


def cmd_db_reader(args: argparse.Namespace) -> int:
    from tasks.warehouse.readers import create_reader_login

    password = _reader_password()
    url = database_url()
    eng = engine(url)
    upgrade(eng)
    role = create_reader_login(eng, args.name, password)
    console.print(f"created login {args.name} in role {role} (read-only on schema news); connect with: "
                  f"psql '{public_url(url, args.name)}'", highlight=False, soft_wrap=True)
    return 0


def _reader_password() -> str:
    """The new login's password: NEWSETL_READER_PASSWORD, else asked twice on the terminal."""
    given = os.environ.get(READER_PASSWORD_VARIABLE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise ConfigError(f"no password for the login: set {READER_PASSWORD_VARIABLE} or run on a terminal")
    from getpass import getpass

    password = getpass("password for the new login: ")
    if not password or getpass("again: ") != password:
        raise ConfigError("the two passwords differ, or are empty")
    return password


def cmd_db_url(args: argparse.Namespace) -> int:
    url = database_url()
    print(public_url(url))
    if not settings().database_url:
        err.print("the embedded Postgres is up only while a newsetl command runs; 'newsetl db serve' keeps it up "
                  f"on 127.0.0.1:{DEFAULT_SERVE_PORT}, 'newsetl db shell' opens psql on it", highlight=False)
    return 0


def cmd_db_shell(args: argparse.Namespace) -> int:
    """psql as a child, so that the embedded server this process holds stays up while it runs."""
    import subprocess

    import sqlalchemy as sa

    from tasks.warehouse.embedded import psql_binary

    url = database_url()
    env = dict(os.environ)
    password = sa.make_url(url).password
    if password:  # to psql through its environment, never on its command line
        env["PGPASSWORD"] = password
    psql = psql_binary()
    if psql is None:
        raise ConfigError("psql not found: install the PostgreSQL client (e.g. apt install postgresql-client)")
    # Ctrl-C is psql's (it cancels a query), as in a shell; not ours, which would kill psql with it.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call([psql, public_url(url), *args.extra], env=env)
    finally:
        signal.signal(signal.SIGINT, previous)


def cmd_db_serve(args: argparse.Namespace) -> int:
    from tasks.warehouse.tcp import TcpRelay, socket_path

    if settings().database_url:
        raise ConfigError("db serve keeps the embedded Postgres up; DATABASE_URL names a server already "
                          "(its URL: newsetl db url)")
    url = database_url()
    upgrade(engine(url))
    try:
        relay = TcpRelay(socket_path(url), args.port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on 127.0.0.1:{args.port}: {exc.strerror}; choose another --port") from None
    console.print(f"serving the embedded Postgres on 127.0.0.1:{relay.port}: {loopback_url(url, relay.port)}  "
                  "(Ctrl-C stops)", highlight=False, soft_wrap=True)
    try:
        relay.serve_forever()
    except Interrupted:  # Ctrl-C or SIGTERM: how db serve is meant to end, so exit 0
        pass
    finally:
        relay.server_close()
    err.print("stopped", highlight=False)
    return 0


def cmd_db_migrate_embedded(args: argparse.Namespace) -> int:
    from tasks.warehouse.embedded import migrate

    if settings().database_url:
        raise ConfigError("db migrate-embedded moves the embedded server's folder; DATABASE_URL names a server")
    console.print(migrate(settings().data_dir / "pgdata"), highlight=False, soft_wrap=True)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from tasks.warehouse.db import query

    if not args.query.strip():
        raise ConfigError("search: the query is empty")
    eng = engine(database_url())
    upgrade(eng)
    with eng.connect() as conn:
        rows = conn.execute(query("report/search.sql"), {"q": args.query, "source": args.source,
                                                          "since": args.since, "limit": args.limit}).all()
    if args.json:
        for row in rows:
            print(json.dumps({k: v for k, v in row._mapping.items() if k != "published_local"}, ensure_ascii=False,
                             default=_json_default))
        return 0
    if not rows:
        err.print(f"no article matches {args.query!r}", highlight=False)
        return 0
    table = Table(title=f"{len(rows)} articles for {args.query!r}, best first", title_justify="left")
    for column in ("rank", "published (local)", "source", "title and snippet"):
        table.add_column(column, no_wrap=column != "title and snippet")
    for row in rows:
        published = f"{row.published_local:%Y-%m-%d %H:%M}" if row.published_local else ""
        text = f"[bold]{escape(row.title)}[/bold]\n{escape(row.snippet or '')}\n[dim]{escape(row.canonical_url)}[/dim]"
        table.add_row(f"{row.rank:.2f}", published, row.source, text)
    console.print(table)
    return 0



def cmd_serve(args: argparse.Namespace) -> int:
    from flows.deploy import check_schedule

    check_schedule(args.cron, args.timezone)
    _check_ready(args.sources, args.only)
    parameters = {"sources_file": str(Path(args.sources).resolve()), "only": args.only, "limit": args.limit}
    if os.environ.get("PREFECT_API_URL"):
        return _serve(args, parameters)
    from flows.prefect_server import local_prefect_server

    try:
        with local_prefect_server(announce=True) as api:
            os.environ["PREFECT_API_URL"] = api
            err.print(f"started a local Prefect server: UI at {api.removesuffix('/api')}", highlight=False)
            return _serve(args, parameters)
    except PrefectServerError as exc:
        err.print(f"[red]prefect error:[/red] {exc}; set PREFECT_API_URL to use a running server",
                  highlight=False)
        return EXIT_FAILED


def cmd_prefect_server(args: argparse.Namespace) -> int:
    from flows.prefect_server import announced_server, local_prefect_server

    if os.environ.get("PREFECT_API_URL"):
        raise ConfigError(f"prefect-server starts a server; PREFECT_API_URL names one already "
                          f"({os.environ['PREFECT_API_URL']}): unset it, or report to that one")
    running = announced_server()
    if running is not None:
        raise ConfigError(f"a Prefect server newsetl started is up already at {running}")
    try:
        with local_prefect_server(args.port, announce=True) as api:
            err.print(f"Prefect server up: UI at {api.removesuffix('/api')}; newsetl runs without PREFECT_API_URL "
                      "report to it. Ctrl-C stops it.", highlight=False)
            with suppress(Interrupted):  # Ctrl-C or SIGTERM: how it is meant to end, so exit 0
                threading.Event().wait()
    except PrefectServerError as exc:
        err.print(f"[red]prefect error:[/red] {exc}", highlight=False)
        return EXIT_FAILED
    return 0


def _serve(args: argparse.Namespace, parameters: dict) -> int:
    from prefect.schedules import Cron

    from flows.ingest import ingest

    err.print(f"serving 'ingest/{args.name}' on cron '{args.cron}' ({args.timezone}); Ctrl-C stops. "
              f"Run now with: prefect deployment run 'ingest/{args.name}'", highlight=False)
    ingest.serve(name=args.name, schedule=Cron(args.cron, timezone=args.timezone), parameters=parameters,
                 print_starting_message=False)
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from flows.deploy import check_prefect_yaml, register

    path = Path(args.file).resolve()
    checked = check_prefect_yaml(path)
    err.print(f"{args.file}: {len(checked)} deployments checked: "
              + ", ".join(f"{c.name} ({c.entrypoint}, {c.schedules} schedules)" for c in checked),
              highlight=False, soft_wrap=True)
    if args.check:
        return 0
    return EXIT_FAILED if register(path) else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from flows.read import read_article
    from tasks.errors import DecodeError, ExtractError
    from tasks.extract.profiles import find_profile

    source = None
    if args.source:
        source = load_sources(args.sources, [args.source])[0]
    profile = find_profile(args.profile, Path("profiles")) if args.profile else None
    failed: list[str] = []
    for name, data, url in _read_pages(args.files, args.url, failed):
        try:
            article = read_article(data, url, source, profile=profile)
        except (DecodeError, ExtractError) as exc:
            print(json.dumps({"file": name, "error": str(exc)}, ensure_ascii=False))
            failed.append(name)
            continue
        record = {"file": name, **dataclasses.asdict(article)}
        print(json.dumps(record, ensure_ascii=False, default=_json_default))
    return EXIT_FAILED if failed else 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from flows.reprocess import reprocess

    url = database_url()
    ensure_current(engine(url))
    err.print(f"reprocessing stored pages in {describe(url)}", highlight=False)
    return _summarised(lambda: reprocess(sources_file=args.sources, only=args.only, batch_size=args.batch_size),
                       "reprocess")


def cmd_backfill(args: argparse.Namespace) -> int:
    from flows.backfill import archive_files, backfill

    archive_files(args.archives, args.base)  # a missing file is exit 2 before anything starts
    if args.since and args.until and args.since >= args.until:
        raise ConfigError(f"--since {args.since.isoformat()} is not before --until {args.until.isoformat()}")
    _check_ready(args.sources, args.only)
    return _summarised(lambda: backfill(archives=args.archives, sources_file=args.sources, only=args.only,
                                        since=args.since, until=args.until, batch_size=args.batch_size,
                                        base=args.base), "backfill")


def cmd_links(args: argparse.Namespace) -> int:
    from flows.read import read_links
    from tasks.errors import DecodeError, ExtractError
    from tasks.extract.profiles import find_profile

    profile = find_profile(args.profile, Path("profiles")) if args.profile else None
    failed: list[str] = []
    for name, body, url in _read_pages(args.pages, args.url, failed):
        try:
            found = read_links(body, url, profile=profile)
        except (DecodeError, ExtractError) as exc:
            err.print(f"{name}: {exc}", highlight=False)
            failed.append(name)
            continue
        if not found:
            hint = " (a saved page needs --url, the address it was fetched from)" if url.startswith("file:") else ""
            err.print(f"{name}: no article links found{hint}", highlight=False)
            failed.append(name)
        for link in found:
            print(json.dumps({"listing": name, **link}, ensure_ascii=False))
    return EXIT_FAILED if failed else 0


def _read_pages(names: list[str], url: str | None, failed: list[str]) -> Iterator[tuple[str, bytes, str]]:
    """(name, bytes, URL) of each page that could be read; the others are reported and added to ``failed``."""
    for name in names:
        loaded = _read_page(name, url)
        if isinstance(loaded, str):
            err.print(f"{name}: {loaded}", highlight=False)
            failed.append(name)
            continue
        yield name, *loaded


def _read_page(name: str, url: str | None) -> tuple[bytes, str] | str:
    """A page's bytes and its URL, from the web or a saved file; a string says what went wrong."""
    import gzip

    if name.startswith(("http://", "https://")):
        from tasks.errors import FetchError
        from tasks.fetch.client import Fetcher

        with Fetcher() as fetcher:
            try:
                page = fetcher.fetch(name)
            except FetchError as exc:
                return exc.detail
        if page.status != 200:
            return f"HTTP {page.status}"
        return page.body, page.final_url or name
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return exc.strerror or str(exc)
    if path.suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            return f"not a gzip file: {exc}"
    return data, url or path.resolve().as_uri()


def cmd_sources_add(args: argparse.Namespace) -> int:
    from flows.sources import DEFAULT_ARTICLES, probe_site, source_toml
    from tasks.config import parse_source_table

    # The options are the keys of the same names: checked as the sources file's would be (exit 2).
    parse_source_table({"name": args.name or "site", "homepage": args.homepage, "feeds": [args.homepage],
                        "allow_addresses": args.allow_addresses, "min_interval": args.min_interval,
                        "max_connections": args.max_connections}, "sources add options")
    report = probe_site(args.homepage, name=args.name, allow_addresses=tuple(args.allow_addresses),
                        min_interval=args.min_interval, max_connections=args.max_connections,
                        articles=DEFAULT_ARTICLES if args.articles is None else args.articles)
    print_site_report(report, err)
    if not report.working:
        err.print(f"[red]sources add:[/red] found no feed, sitemap or section page listing articles on "
                  f"{report.source.homepage}", highlight=False, soft_wrap=True)
        return EXIT_SOURCE_FAILED
    sys.stdout.write(source_toml(report))
    return 0


def cmd_sources_check(args: argparse.Namespace) -> int:
    from flows.sources import DEFAULT_ARTICLES, check_source

    sources = load_sources(args.sources, args.names or None)
    sample = DEFAULT_ARTICLES if args.articles is None else args.articles
    failed = []
    for source in sources:
        report = check_source(source, articles=sample)
        print_site_report(report, console)
        problems = [f"{c.kind} {c.url}: {c.verdict}" for c in report.failing]
        if sample and report.working and not report.articles:
            problems.append(f"none of {report.sampled} sampled articles could be read")
        if not report.working:
            problems.append("no feed, sitemap or listing gives an article URL")
        for key, guess in report.guesses.items():
            configured = getattr(source, key)
            if guess.value and configured != guess.value:
                console.print(f"[yellow]{source.name}:[/yellow] {key} is {configured!r}; the pages suggest "
                              f"{guess.value!r} ({guess.reason})", highlight=False, soft_wrap=True)
        if problems:
            failed.append(source.name)
            for problem in problems:
                console.print(f"[red]{source.name}:[/red] {problem}", highlight=False, soft_wrap=True)
        else:
            console.print(f"[green]{source.name}: ok[/green]", highlight=False)
    if failed:
        err.print(f"[red]sources check:[/red] {len(failed)} of {len(sources)} sources do not work: "
                  f"{', '.join(failed)}", highlight=False)
        return EXIT_SOURCE_FAILED
    return 0


def print_site_report(report, out: Console) -> None:
    """The listings read (kind, URL, what each gave), then the sampled articles' fields and rejects."""
    listings = Table(title=f"{report.source.name}: feeds, sitemaps and listings", title_justify="left")
    for column in ("kind", "url", "result"):
        listings.add_column(column, overflow="fold")
    for check in report.checks:
        listings.add_row(check.kind, check.url, check.verdict, style=None if check.works else "red")
    if report.checks:
        out.print(listings)
    if report.moved_from:
        out.print(f"[yellow]homepage:[/yellow] {report.moved_from} redirects to {report.source.homepage}, on another "
                  "host: the site is read at its new address", highlight=False, soft_wrap=True)
    if report.homepage_error:
        out.print(f"[yellow]homepage:[/yellow] {report.homepage_error}", highlight=False, soft_wrap=True)
    if not report.sampled:
        return
    fields = Table(title=f"{report.source.name}: {len(report.articles)} of {report.sampled} sampled articles read",
                   title_justify="left")
    for column in ("field", "filled", "signals (provenance)"):
        fields.add_column(column, justify="right" if column == "filled" else "left")
    for fill in report.fields():
        fields.add_row(fill.name, f"{fill.filled}/{fill.pages}", fill.signals_text())
    out.print(fields)
    for reject in report.rejects:
        out.print(f"[yellow]not read:[/yellow] {reject.url}: {reject.code}: {reject.detail}", highlight=False,
                  soft_wrap=True)


def _eval_pages(folder: str) -> list | None:
    """The saved pages of an ``eval`` folder, or None after saying why there are none (exit 2 for it)."""
    from tasks.scoring import read_folder

    try:
        pages = read_folder(folder)
    except FileNotFoundError as exc:
        err.print(f"[red]eval:[/red] {exc}", highlight=False)
        return None
    if not pages:
        err.print(f"[red]eval:[/red] {folder}: no NAME.html[.gz] + NAME.json pairs", highlight=False)
        return None
    return pages


def cmd_eval(args: argparse.Namespace) -> int:
    from flows.read import eval_prediction, read_links
    from tasks.extract.profiles import find_profile
    from tasks.scoring import fold_sites, merged, score_folder, split_folds

    if args.profile:
        return eval_profile(args, find_profile(args.profile, Path("profiles")))
    code = 0
    for folder in args.folders:
        pages = _eval_pages(folder)
        if pages is None:
            code = EXIT_CONFIG
            continue
        folds = split_folds(pages, args.folds or 1)
        fold_scores = [score_folder(fold, eval_prediction, first_items=read_links) for fold in folds]
        score = merged(fold_scores)
        if args.json:
            out = {"folder": folder, **score.as_dict()}
            if args.folds:
                out["folds"] = [{"sites": fold_sites(fold), **fold_score.as_dict()}
                                for fold, fold_score in zip(folds, fold_scores, strict=True)]
            if args.misses:
                out["misses"] = [dataclasses.asdict(m) for m in score.misses]
            print(json.dumps(out, ensure_ascii=False, default=str))
            continue
        print_scores(folder, score, misses=args.misses, provenance=args.provenance)
        if args.folds:
            print_folds(folder, folds, fold_scores)
    return code


def eval_profile(args: argparse.Namespace, profile) -> int:
    """``newsetl eval DIR --profile NAME``: the pages of the profile's hosts, scored by the generic cascade
    and with the profile, one column each (saved pages have no fetch time: the layout goes by published date)."""
    from functools import partial

    from flows.read import eval_prediction, read_links
    from tasks.normalise import warm_up
    from tasks.scoring import rows, score_folder
    from tasks.urls import site_host

    warm_up()  # the language model loads once, before either column is timed
    code = 0
    for folder in args.folders:
        pages = _eval_pages(folder)
        if pages is None:
            code = EXIT_CONFIG
            continue
        pages = [p for p in pages if profile.for_host(site_host(p[2].get("url") or ""))]
        if not pages:
            err.print(f"[red]eval:[/red] {folder}: no pages of {', '.join(profile.hosts)} (profile {profile.name})",
                      highlight=False)
            code = EXIT_CONFIG
            continue
        generic = score_folder(pages, eval_prediction, first_items=read_links)
        profiled = score_folder(pages, partial(eval_prediction, profile=profile),
                                first_items=partial(read_links, profile=profile))
        if args.json:
            out = {"folder": folder, "profile": profile.name, "pages": [p[0] for p in pages],
                   "generic": generic.as_dict(), "with_profile": profiled.as_dict()}
            if args.misses:
                out["misses"] = [dataclasses.asdict(m) for m in profiled.misses]
            print(json.dumps(out, ensure_ascii=False, default=str))
            continue
        table = Table(title=f"newsetl eval {folder} --profile {profile.name} ({len(pages)} pages of "
                            f"{', '.join(profile.hosts)})", title_justify="left")
        for column in ("field", "pages", "generic", f"profile {profile.name}"):
            table.add_column(column, justify="left" if column == "field" else "right")
        with_rows = {row[0]: row for row in rows(profiled)}
        for field, count, figure in rows(generic):
            table.add_row(field, count, figure, with_rows.get(field, ("", "", "–"))[2])
        console.print(table)
        print_details(profiled, misses=args.misses, provenance=args.provenance)
    return code


def print_folds(folder: str, folds: list, fold_scores: list) -> None:
    """One column per fold (its sites and pages) and one for all: F1 for lead and body, else accuracy."""
    from tasks.scoring import fold_label, fold_rows

    table = Table(title=f"newsetl eval {folder}: {len(folds)} folds by site", title_justify="left")
    table.add_column("field")
    for i, fold in enumerate(folds, 1):
        table.add_column(fold_label(i, fold), justify="right")
    table.add_column("all", justify="right")
    for key, cells, whole in fold_rows(fold_scores):
        table.add_row(key, *cells, whole)
    console.print(table)


def print_scores(folder: str, score, *, misses: bool = False, provenance: bool = False) -> None:
    from tasks.scoring import rows

    table = Table(title=f"newsetl eval {folder}", title_justify="left")
    for column in ("field", "pages", "score"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for row in rows(score):
        table.add_row(*row)
    console.print(table)
    print_details(score, misses=misses, provenance=provenance)


def print_details(score, *, misses: bool = False, provenance: bool = False) -> None:
    """The signals table (``--provenance``) and the pages each field missed on (``--misses``)."""
    from tasks.scoring import provenance_rows

    if provenance and score.provenance:
        signals = Table(title="which signal gave each field (share of pages)", title_justify="left")
        signals.add_column("field")
        signals.add_column("signals")
        for row in provenance_rows(score):
            signals.add_row(*row)
        console.print(signals)
    if misses:
        for miss in score.misses:
            console.print(f"[yellow]{miss.name}[/yellow] {miss.field}: expected {miss.expected!r} got {miss.got!r}",
                          highlight=False, soft_wrap=True)


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


if __name__ == "__main__":
    sys.exit(main())
