"""Throughput of a whole ``newsetl run`` beside extraction alone, the cost of a run with nothing new, and memory.

Usage (from the repository root):

    python -m benchmarks.throughput [--pages 1000] [--database-url URL] [--data DIR] [--no-quarter] [--profile]
                                    [--prefect-server]

Builds a local site of ``--pages`` unique article pages (default 1,000) from the real pages of
``../shared/data`` (every copy of a page under its own URL, with words of its own in every
paragraph, so each is a new article through read -> dedupe -> load), spread over 4 sources on
4 loopback hosts (127.0.0.1 ports, each server in a process of its own), each with an RSS feed
that answers 304 to its ETag, ``min_interval = 0`` and ``max_connections = 8``. Then, in child
processes, on a fresh database (``--database-url``, else ``DATABASE_URL``: a scratch database is
created on that server and dropped afterwards):

1. ``newsetl run`` over the site (end to end, Prefect's temporary server included unless
   ``PREFECT_API_URL`` names one);
2. the extract-only loop: ``flows.read.read_article`` over the same pages in one process;
3. ``newsetl run`` again over the unchanged site (a cron run that finds nothing new);
4. unless ``--no-quarter``, ``newsetl run`` over the first quarter of the pages on another fresh
   database, for the peak-RSS ratio.

and prints pages/s of 1 and 2 and their ratio, CPU per page of each (the children's user + system
time from ``wait4``, every process a run starts and waits for included, such as Prefect's server),
the CPU cores the run kept busy, the time from start to the first request the site saw, the rerun's
wall time beside the first run's and its article fetches, and peak RSS over N and N/4 pages. The
issue's targets (issue 13) are printed beside each ratio. With ``--prefect-server`` the runs report to a
long-lived ``newsetl prefect-server`` started first (what the README advises for production: no run
starts Prefect's temporary server, whose start, stop and CPU then count in no run), and the rerun is
also timed once with the temporary server, printed beside. ``--profile`` then runs the same pages into
one more fresh database under a per-thread CPU profiler and prints CPU per page by stage. The machine's load changes the
figures: compare the figures of one run, and give ``uptime`` with them.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.common import in_processes
from benchmarks.cpu_by_process import CpuSampler
from flows.sample_site.server import send

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
ARTICLE_SETS = ("vn-articles-dev", "fundus-dev", "aeb-dev")  # vn-listings holds section pages, not articles
HOSTS = 4
# The targets, as ratios measured in one run of this script.
TARGETS = {"e2e/extract": 1.6, "cpu ratio": 1.3, "rerun": 0.10, "rss ratio": 1.2}


def real_pages(data: Path) -> list[bytes]:
    """The article pages of the shared data sets, as fetched (decompressed)."""
    pages = [gzip.decompress(p.read_bytes()) for name in ARTICLE_SETS for p in sorted((data / name).glob("*.html.gz"))]
    if not pages:
        sys.exit(f"no pages in {data}/{{{','.join(ARTICLE_SETS)}}}: pass --data")
    return pages


def unique_page(base: bytes, number: int) -> bytes:
    """A copy of ``base`` that is an article of its own: words of its own at the end of every paragraph
    (another content hash; a near-duplicate of the other copies of ``base``, so one story with them)."""
    return base.replace(b"</p>", f" (bản tin số {number})</p>".encode())


def write_site(pages: list[bytes], count: int, folder: Path) -> list[Path]:
    """``count`` unique pages spread over the hosts: ``folder/<host>/p/<n>.html``; the host folders."""
    hosts = [folder / f"h{i}" for i in range(HOSTS)]
    for host in hosts:
        (host / "p").mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (hosts[n % HOSTS] / "p" / f"{n}.html").write_bytes(unique_page(pages[n % len(pages)], n))
    return hosts


class SiteHandler(BaseHTTPRequestHandler):
    """A static site: ``/p/<n>.html`` pages, an RSS feed of them with an ETag, an allow-all robots.txt."""

    protocol_version = "HTTP/1.1"
    folder: Path
    feed: bytes
    hits: list

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append((self.path, time.time()))
        if self.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        if self.path == "/feed.rss":
            etag = f'"{len(self.feed)}"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", None, etag=etag)
            return self._send(200, self.feed, "application/rss+xml", etag=etag)
        path = self.folder / self.path.lstrip("/")
        if self.path.startswith("/p/") and ".." not in self.path and path.is_file():
            return self._send(200, path.read_bytes(), "text/html; charset=utf-8")
        return self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str | None, etag: str | None = None) -> None:
        send(self, status, body, content_type, etag)

    def log_message(self, *args) -> None:
        pass


def rss(base: str, numbers: list[int]) -> bytes:
    """The feed of a host's pages, newest first, one day apart (dates a feed would give)."""
    now = datetime(2026, 3, 7, 12, tzinfo=UTC)
    items = "".join(f"<item><title>Bản tin {n}</title><link>{base}/p/{n}.html</link>"
                    f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate></item>" for n in numbers)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>bench</title>'
            f"<link>{base}/</link><description>bench</description>{items}</channel></rss>").encode()


def _serve(folder: str, ready, stop, hits_out) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SiteHandler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_port}"
    numbers = sorted(int(p.stem) for p in (Path(folder) / "p").glob("*.html"))
    handler = type("Handler", (SiteHandler,), {"folder": Path(folder), "feed": rss(base, numbers), "hits": []})
    server.RequestHandlerClass = handler
    threading.Thread(target=server.serve_forever, daemon=True).start()
    ready.send(base)
    stop.wait()
    server.shutdown()
    hits_out.send(handler.hits)


@contextmanager
def sites(folders: list[Path]) -> Iterator[tuple[list[str], callable]]:
    """Each host folder served from a process of its own (so the site's CPU is not the run's); yields the
    base URLs and a function that returns every (path, time) the sites saw, once the block has ended."""
    with in_processes(_serve, [(str(folder),) for folder in folders]) as (bases, collected):
        yield bases, lambda: [hit for hits in collected for hit in hits]


def sources_toml(bases: list[str]) -> str:
    return "".join(f'[[sources]]\nname = "bench{i}"\nhomepage = "{base}/"\nfeeds = ["{base}/feed.rss"]\n'
                   f'language = "vi"\ntimezone = "Asia/Ho_Chi_Minh"\nallow_addresses = ["127.0.0.1"]\n'
                   f"min_interval = 0\nmax_connections = 8\n\n" for i, base in enumerate(bases))


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """A scratch database on ``server``, dropped afterwards (``benchmarks.common.scratch_database``)."""
    from benchmarks.common import scratch_database

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = server
    try:
        with scratch_database("newsetl_throughput") as url:
            yield url
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous


class Child:
    """What one child process (and every process it waited for) cost: wall, CPU, peak RSS; its output."""

    def __init__(self, args: list[str], env: dict[str, str], server: int | None = None):
        """``server``: the pid of the Prefect server the child reports to, whose CPU is sampled beside its own."""
        began = time.monotonic()
        self.started_at = time.time()
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env={**os.environ, **env},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        database = env["DATABASE_URL"].rsplit("/", 1)[-1] if "DATABASE_URL" in env else None
        sampler = CpuSampler(process.pid, database, server)
        out, errors = [], []
        readers = [threading.Thread(target=lambda s, o: o.append(s.read()), args=(stream, sink))
                   for stream, sink in ((process.stdout, out), (process.stderr, errors))]
        for reader in readers:
            reader.start()
        _, status, usage = os.wait4(process.pid, 0)
        self.by_process = sampler.stop()  # CPU seconds by process group (benchmarks.cpu_by_process)
        for reader in readers:
            reader.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        self.wall = time.monotonic() - began
        self.ended_at = time.time()
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mb = usage.ru_maxrss / 1024
        self.code = process.returncode
        self.stdout, self.stderr = out[0], errors[0]

    def check(self, what: str) -> Child:
        if self.code not in (0, 4):
            sys.exit(f"{what} exited {self.code}:\n{self.stderr[-3000:]}\n{self.stdout[-2000:]}")
        return self


def newsetl_run(sources: Path, url: str, profile: Path | None = None, logged: bool = False,
                env: dict[str, str] | None = None, server: int | None = None) -> Child:
    """``newsetl run`` in a child process; with ``profile``, under the per-thread profiler (slower: not timed);
    ``logged``: with its INFO log, whose times show what its seconds went to (:func:`phases`); ``env`` adds to
    its environment; ``server`` is the pid of the Prefect server it reports to (its CPU is sampled)."""
    env = {**(env or {}), "DATABASE_URL": url, "PREFECT_LOGGING_LEVEL": "INFO" if logged else "WARNING"}
    if profile is None:
        quiet = [] if logged else ["-q"]
        return Child(["-m", "flows.cli", *quiet, "run", "--sources", str(sources)], env, server).check("newsetl run")
    return Child(["-m", "benchmarks.throughput", "--profiled-run", str(profile), "--", "-q", "run",
                  "--sources", str(sources)], env, server).check("newsetl run (profiled)")


@contextmanager
def prefect_server(folder: Path) -> Iterator[tuple[dict[str, str], int]]:
    """``newsetl prefect-server`` up in a child process (its own ``PREFECT_HOME`` and ``NEWSETL_DATA_DIR`` under
    ``folder``); yields the environment under which a ``newsetl run`` reports to it. Stopped afterwards."""
    env = {"NEWSETL_DATA_DIR": str(folder / "data"), "PREFECT_HOME": str(folder / "prefect")}
    announcement = folder / "data" / "prefect-server.json"
    (folder / "prefect").mkdir(parents=True)
    process = subprocess.Popen([sys.executable, "-m", "flows.cli", "prefect-server", "--port", "4240"], cwd=ROOT,
                               env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 180
        while not announcement.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"newsetl prefect-server did not come up: {process.stderr.read().decode()[-2000:]}")
            time.sleep(0.5)
        yield {"NEWSETL_DATA_DIR": env["NEWSETL_DATA_DIR"]}, process.pid
    finally:
        process.terminate()
        process.wait(30)


def extract_only(folders: list[Path]) -> Child:
    return Child(["-m", "benchmarks.throughput", "--extract-only", *map(str, folders)], {}).check("extract-only")


def extract_loop(folders: list[str]) -> None:
    """The extract-only child: ``read_article`` over every page in one process, the first page read untimed
    (imports, word lists) as the run's warm-up is; prints its pages and its timed wall and CPU as JSON."""
    from flows.read import read_article
    from tasks.errors import DecodeError, ExtractError
    from tasks.extract import body

    files = sorted((p for f in folders for p in Path(f).glob("p/*.html")), key=lambda p: int(p.stem))
    body.warm_up()
    read_article(files[0].read_bytes(), "http://127.0.0.1/p/warm.html")
    began, cpu = time.monotonic(), time.process_time()
    for path in files:
        with suppress(DecodeError, ExtractError):
            read_article(path.read_bytes(), f"http://127.0.0.1/p/{path.name}")
    print(json.dumps({"pages": len(files), "wall": time.monotonic() - began, "cpu": time.process_time() - cpu}))


# Stages of the per-thread profile (``--profile``): function -> stage; CPU is counted once, in the outermost.
STAGES = {
    ("tasks/fetch/client.py", "fetch"): "fetch (HTTP)",
    ("flows/read_pool.py", "read"): "hand to read workers and back",
    ("tasks/fetch/decode.py", "decode_html"): "decode",
    ("tasks/extract/article.py", "extract_page"): "extract",
    ("tasks/normalise.py", "normalise_article"): "normalise",
    ("tasks/dedupe/decide.py", "__init__"): "dedupe: shingles, MinHash",
    ("tasks/warehouse/writes.py", "load_batch"): "load (SQL, gzip, candidates)",
    ("tasks/warehouse/writes.py", "_page_row"): "  of which gzip + sha256 of pages",
    ("tasks/dedupe/decide.py", "decide"): "  of which dedupe lookups",
    ("tasks/discover.py", "discover_source"): "discover",
    ("tasks/warehouse/db.py", "upgrade"): "schema upgrade",
}
# Where a function's own time goes (additive: every profiled second once): the package of its file.
PACKAGES = ("prefect", "sqlalchemy", "psycopg2", "requests", "urllib3", "http", "multiprocessing", "pickle",
            "logging", "rich", "pydantic", "httpx", "anyio", "asyncio", "numpy", "datasketch", "gzip", "json",
            "tasks", "flows", "threading", "concurrent", "socket", "ssl", "email")


def profiled_run(out: str, argv: list[str]) -> int:
    """``newsetl ARGS`` with a CPU-time profiler (``time.thread_time``) in every thread; the stats go to ``out``.

    ``THROUGHPUT_PROFILE_CLOCK=wall`` times wall seconds instead: where each thread waits (on a worker,
    the database, the host's pace), not what it burns.
    """
    clock = time.perf_counter if os.environ.get("THROUGHPUT_PROFILE_CLOCK") == "wall" else time.thread_time
    from flows.cli import main

    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start(*_) -> None:
        sys.setprofile(None)
        profile = cProfile.Profile(clock)
        with lock:
            profiles.append(profile)
        profile.enable()

    statements = statement_timer()
    threading.setprofile(start)
    main_profile = cProfile.Profile(clock)
    profiles.append(main_profile)
    main_profile.enable()
    try:
        return main(argv)
    finally:
        main_profile.disable()
        with lock:
            stats = pstats.Stats(main_profile)
            for profile in profiles[1:]:
                with suppress(TypeError):  # a thread's profile with nothing in it
                    stats.add(profile)
        stats.dump_stats(out)
        Path(f"{out}.sql.json").write_text(json.dumps(statements), encoding="utf-8")


BIND = re.compile(r"%\((\w+)\)s")  # a bound parameter as the driver is sent it: back to the file's :name


def statement_timer() -> dict[str, list[float]]:
    """Count and time (wall: the round trip, the server's work in it) every statement this process sends, by
    its ``sql/`` file (named by the file's first line, which the statement's text begins with); filled as the
    statements run: ``{file: [count, seconds]}``, "other" for statements of no file (SQLAlchemy's, Prefect's)."""
    import sqlalchemy as sa

    files = {path.read_text(encoding="utf-8").splitlines()[0]: str(path.relative_to(ROOT / "sql"))
             for path in (ROOT / "sql").rglob("*.sql")}
    times: dict[str, list[float]] = {}
    began = threading.local()

    def before(conn, cursor, statement, *_) -> None:
        began.at = time.perf_counter()

    def after(conn, cursor, statement, *_) -> None:
        name = files.get(BIND.sub(r":\1", statement.split("\n", 1)[0]), "other")
        entry = times.setdefault(name, [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - began.at

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", after)
    return times


def stage_profile(path: Path, pages: int) -> list[tuple[str, float]]:
    """CPU ms per page by stage, from a ``profiled_run`` stats file; nested stages count in the outer one."""
    stats = pstats.Stats(str(path)).stats  # (file, line, name) -> (cc, nc, tt, ct, callers)
    total = sum(tt for _, _, tt, _, _ in stats.values())
    rows = []
    for (file, _, name), (_, _, _, cumulative, _) in stats.items():
        for (suffix, func), stage in STAGES.items():
            if name == func and file.endswith(suffix):
                rows.append((stage, cumulative))
    merged: dict[str, float] = {}
    for stage, cpu in rows:
        merged[stage] = merged.get(stage, 0.0) + cpu
    out = [(stage, cpu * 1000 / pages) for stage, cpu in sorted(merged.items(), key=lambda r: -r[1])]
    out.append(("all profiled threads", total * 1000 / pages))  # Prefect, logging, imports and the rest
    return out


def package_profile(path: Path, pages: int) -> list[tuple[str, float]]:
    """CPU ms per page by the package whose code spent it (each function's own time, so the rows add up)."""
    by: dict[str, float] = {}
    for (file, _, name), (_, _, own, _, _) in pstats.Stats(str(path)).stats.items():
        parts = Path(file).parts
        found = next((p for p in PACKAGES if p in parts or f"{p}.py" in parts or f"{p}/__init__.py" in file), None)
        if found is None and file == "~":  # a built-in: name it by what it is
            found = "built-in: " + name.strip("<>").split(" of ")[0].replace("method ", "").replace("built-in ", "")
        by[found or "other Python"] = by.get(found or "other Python", 0.0) + own
    top = sorted(by.items(), key=lambda r: -r[1])
    return [(name, cpu * 1000 / pages) for name, cpu in top if cpu * 1000 / pages >= 0.3]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="unique pages on the site (default %(default)s)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"),
                        help="the Postgres server to create scratch databases on (default: DATABASE_URL)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default %(default)s)")
    parser.add_argument("--no-quarter", action="store_true", help="skip the N/4-page run (peak-RSS ratio)")
    parser.add_argument("--profile", action="store_true", help="profile the first run: CPU per page by stage")
    parser.add_argument("--profile-only", type=Path, metavar="FILE",
                        help="only the profiled run and its tables (no timed runs); its pstats kept in FILE")
    parser.add_argument("--prefect-server", action="store_true",
                        help="also rerun the unchanged site beside a long-lived 'newsetl prefect-server'")
    parser.add_argument("--extract-only", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--profiled-run", help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.extract_only:
        extract_loop(args.extract_only)
        return 0
    if args.profiled_run:
        return profiled_run(args.profiled_run, [a for a in rest if a != "--"])
    if not args.database_url:
        sys.exit("set DATABASE_URL or --database-url to a Postgres server, e.g. "
                 "postgresql://postgres@127.0.0.1:5432/postgres")
    pages = real_pages(args.data)
    quarter = max(1, args.pages // 4)
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as long_lived:
        folders = write_site(pages, args.pages, Path(tmp) / "site")
        small = write_site(pages, quarter, Path(tmp) / "small")
        sources = Path(tmp) / "sources.toml"
        profile = Path(tmp) / "run.prof" if args.profile else None
        # With --prefect-server every run reports to one long-lived server, up before the first starts.
        served, server = (long_lived.enter_context(prefect_server(Path(tmp) / "prefect-server"))
                          if args.prefect_server else ({}, None))
        with ExitStack() as stack:
            bases, hits = stack.enter_context(sites(folders))
            sources.write_text(sources_toml(bases), encoding="utf-8")
            if args.profile_only:
                with fresh_database(args.database_url) as profile_url:
                    newsetl_run(sources, profile_url, args.profile_only, env=served, server=server)
                print_profile(args.profile_only, args.pages)
                return 0
            url = stack.enter_context(fresh_database(args.database_url))
            first = newsetl_run(sources, url, env=served, server=server)
            extract = extract_only(folders)
            rerun = newsetl_run(sources, url, logged=True, env=served, server=server)
            other_rerun = newsetl_run(sources, url, logged=True) if args.prefect_server else None  # temporary server
            if profile is not None:  # another fresh database: the same pages fetched and loaded again, profiled
                with fresh_database(args.database_url) as profile_url:
                    newsetl_run(sources, profile_url, profile, env=served, server=server)
        seen = hits()
        quarter_run = None
        if not args.no_quarter:
            with sites(small) as (small_bases, _), fresh_database(args.database_url) as small_url:
                small_sources = Path(tmp) / "small.toml"
                small_sources.write_text(sources_toml(small_bases), encoding="utf-8")
                quarter_run = newsetl_run(small_sources, small_url, env=served, server=server)
        report(args.pages, first, extract, rerun, quarter_run, seen, quarter, other_rerun)
        if profile is not None:
            print_profile(profile, args.pages)
    return 0


def print_profile(profile: Path, pages: int) -> None:
    print("\nCPU per page by stage (ms), a profiled run of its own: the run's process, each thread's CPU time under "
          "cProfile, whose overhead inflates it (the read workers are not profiled); a stage called inside "
          "another counts in both")
    for stage, ms in stage_profile(profile, pages):
        print(f"  {stage:<34} {ms:7.1f}")
    print("CPU per page by the package that spent it (ms, each function's own time; rows of 0.3 ms or more)")
    for name, ms in package_profile(profile, pages):
        print(f"  {name[:60]:<60} {ms:7.1f}")
    timed = Path(f"{profile}.sql.json")
    if timed.exists():
        statements = json.loads(timed.read_text(encoding="utf-8"))
        print("SQL statements of the run's process by file: per page, count and wall ms (round trip and the "
              "server's work)")
        for name, (count, seconds) in sorted(statements.items(), key=lambda r: -r[1][1]):
            print(f"  {name:<40} {count / pages:6.2f} {seconds * 1000 / pages:7.2f}")
        count = sum(c for c, _ in statements.values())
        print(f"  {'all':<40} {count / pages:6.2f} {sum(t for _, t in statements.values()) * 1000 / pages:7.2f}")


# Log lines that mark where a run's seconds go, in the order they come (the first of each counts).
PHASES = (("warehouse schema checked", "schema checked"),
          ("Starting temporary server", "Prefect's temporary server asked for"),
          ("Beginning flow run", "flow run began (imports done, Prefect up)"),
          ("Finished in state", "first task run finished (discovery)"),
          ("ingest run", "run recorded"))


def phases(run: Child) -> list[tuple[str, float]]:
    """Seconds from the child's start to each marker of its log (``PHASES``), then to its exit."""
    found: dict[str, float] = {}
    for line in run.stderr.splitlines():
        stamp = line[:23]
        try:
            at = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        except ValueError:
            continue
        for marker, label in PHASES:
            if marker in line and (label not in found or label == "run recorded"):
                found[label] = at - run.started_at
    ordered = [(label, found[label]) for _, label in PHASES if label in found]
    return [*ordered, ("process exited (server stopped)", run.wall)]


# The process groups of ``Child.by_process``, in the order they are printed.
GROUPS = ("run's process", "read workers", "run's other children", "Postgres backends", "Prefect server")


def by_process(run: Child) -> list[tuple[str, float]]:
    """The run's CPU seconds by process group, in ``GROUPS`` order, with their sum."""
    rows = [(group, run.by_process[group]) for group in GROUPS if group in run.by_process]
    return [*rows, ("all", sum(seconds for _, seconds in rows))]


def machine_cores(run: Child) -> float:
    """Cores the run kept busy, counting the Postgres backends and the Prefect server that worked for it."""
    return sum(seconds for _, seconds in by_process(run)[:-1]) / run.wall


def report(n: int, first: Child, extract: Child, rerun: Child, quarter: Child | None,
           seen: list[tuple[str, float]], quarter_pages: int, other_rerun: Child | None = None) -> None:
    """The table; ``other_rerun`` is the rerun with Prefect's temporary server when the runs had a long-lived one."""
    loop = json.loads(extract.stdout.strip().splitlines()[-1])
    e2e_rate = n / first.wall
    loop_rate = loop["pages"] / loop["wall"]
    cpu_e2e = first.cpu / n * 1000
    cpu_loop = loop["cpu"] / loop["pages"] * 1000
    first_hit = min((at for _, at in seen if at >= first.started_at), default=None)

    def fetches(run: Child) -> int:
        return sum(1 for path, at in seen if run.started_at <= at <= run.ended_at and path.startswith("/p/"))
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])

    def line(what: str, value: str, target: str = "") -> None:
        print(f"{what:<44} {value:>22}  {target}")

    prefect = "a long-lived 'newsetl prefect-server'" if other_rerun is not None else "Prefect's temporary server"
    print(f"newsetl throughput over {n} unique pages on {HOSTS} hosts (min_interval 0, max_connections 8); "
          f"load average {load}; {os.cpu_count()} cores; the runs report to {prefect}")
    line("end to end (newsetl run)", f"{e2e_rate:.1f} pages/s", f"({n} pages in {first.wall:.1f} s)")
    line("extract-only (read_article loop, 1 process)", f"{loop_rate:.1f} pages/s")
    line("ratio end to end / extract-only", f"{e2e_rate / loop_rate:.2f}", f"target >= {TARGETS['e2e/extract']}")
    line("CPU per page, end to end vs extract-only", f"{cpu_e2e:.0f} ms vs {cpu_loop:.0f} ms",
         f"ratio {cpu_e2e / cpu_loop:.2f}, target <= {TARGETS['cpu ratio']}")
    line("CPU cores used during the run", f"{first.cpu / first.wall:.2f} of {os.cpu_count()}")
    print("  CPU per page by process (ms; sampled from /proc, benchmarks.cpu_by_process; the run's and its "
          "workers' make the figure above):")
    print("  " + "; ".join(f"{group} {seconds * 1000 / n:.1f}" for group, seconds in by_process(first)))
    print(f"  cores busy with Postgres and the Prefect server counted too: {machine_cores(first):.2f}")
    line("time to first request", f"{first_hit - first.started_at:.1f} s" if first_hit else "none seen")
    reruns = [("second run, nothing changed", rerun)]
    if other_rerun is not None:
        reruns.append(("  the same with Prefect's temporary server", other_rerun))
    for what, again in reruns:
        line(what, f"{again.wall:.1f} s = {again.wall / first.wall:.0%} of the first",
             f"target <= {TARGETS['rerun']:.0%}; {fetches(again)} article fetches (target 0)")
        print("  its seconds: " + "; ".join(f"{label} at {at:.1f} s" for label, at in phases(again)))
    if quarter is not None:
        line(f"peak RSS, {n} vs {quarter_pages} pages", f"{first.peak_mb:.0f} / {quarter.peak_mb:.0f} MB",
             f"ratio {first.peak_mb / quarter.peak_mb:.2f}, target <= {TARGETS['rss ratio']}")
    else:
        line(f"peak RSS, {n} pages", f"{first.peak_mb:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
