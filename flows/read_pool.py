"""Reading pages on every core: the one read chain (``flows.read.read_fetched``) in worker processes.

Extraction is pure Python for the most part, so threads share one core (the GIL). A run's
:class:`ReadPool` keeps ``NEWSETL_EXTRACT_PROCESSES`` worker processes, started with ``spawn``
(forking a process that runs threads and Prefect is unsafe) when the first page needs reading
and stopped when the run ends (``flows.runs.run_lifecycle``), also when it fails. The fetch threads
of every source hand it their pages (:meth:`ReadPool.read` blocks until a worker is free), so at most
that many pages are in extraction at once, whatever the number of sources and connections, and
memory stays flat; a fetched page waits in its fetch thread, not in a queue of its own.

Memory is bounded by bytes as well as by pages: reading a page costs 30 to 60 times its size (the
parsed tree and the fallback extractor's copies of it), so the pages in extraction at once may hold
at most ``NEWSETL_EXTRACT_BYTES`` times the number of workers of raw bytes between them. A page that
would pass it waits for the pages being read (one larger than the budget is read alone), and the
pages that come after it wait behind it, so a large page is never starved by a stream of small ones.
Pages of ordinary size (a few hundred kB) all fit, so every core stays busy; two pages of megabytes
are not read side by side. After each page a worker hands the freed memory back to the system
(:func:`_release_memory`), so it does not keep its largest page's peak.

Each worker reads one page at a time. A page whose reading takes longer than
``NEWSETL_EXTRACT_TIMEOUT`` becomes a reject ``timeout``: its worker is killed (a thread cannot
be stopped, a process can) and a fresh one takes its place, so the batch goes on. A worker that
dies (a native crash, the OOM killer) costs its page alone, as a reject ``extractor_bug``.

With ``NEWSETL_EXTRACT_PROCESSES=1`` pages are read in the run's own process, one at a time,
with no time limit: nothing can stop a thread that is stuck in a regular expression.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterator
from multiprocessing import get_context
from multiprocessing.connection import Connection
from typing import Any

from flows.read import read_fetched
from tasks.config import Source, settings
from tasks.records import Article, FetchedPage, Reject
from tasks.warehouse.packing import Packed, pack

log = logging.getLogger("newsetl")
READY = "ready"
# Seconds a new worker may take to import and warm up the extractor before its first page; a
# started process that does not answer by then is broken, not slow (a second or two when idle).
STARTUP_TIMEOUT = 300.0
# Seconds a worker asked to stop may take to exit before it is killed.
STOP_GRACE = 2.0

ReadResult = tuple[Article | None, Reject | None]
PackedResult = tuple[Article | None, Reject | None, Packed | None]  # ReadResult and what the worker packed
_LIBC = ctypes.CDLL(None)  # the C library the process runs on (glibc's malloc_trim: _release_memory)


def _serve(conn: Connection, language_model: bool) -> None:
    """A worker's life: warm up, say so, then read one page per message until told to stop (``None``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the run, which stops its workers
    _warm_up(language_model)
    conn.send(READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):  # the run's process is gone
            return
        if job is None:
            return
        source, page, hints = job
        article, reject = read_fetched(source, page, **hints)
        result = (article, reject, pack(page.body, article))  # off the run's process (tasks.warehouse.packing)
        del job, page, article, reject  # the page's bytes, before the answer is pickled beside them
        conn.send(result)
        del result
        _release_memory()


def _release_memory() -> None:
    """Give the memory of the page just read back to the system. A parsed tree of megabytes is freed into
    glibc's heap, not to the system: without this a worker stays at the high-water mark of the largest page
    it ever read (measured: 280 MB after a 4.8 MB page, 71 MB after the trim), so the pool would be sized by
    its worst page times the number of workers. ``malloc_trim`` costs a few ms; elsewhere than glibc it is
    not there and nothing is done."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def _limit_malloc_arenas() -> None:
    """Have the threads the process starts from now on share ``MALLOC_ARENAS`` malloc arenas. glibc gives
    each thread an arena of its own, up to 8 per core, and memory freed in one is not reused by another:
    with a source's fetch and load threads handling pages and records of megabytes, the run's process
    held 70 MB more at its peak (benchmarks/memory.py: 430 MB against 360 MB). The threads hold the GIL
    while they allocate anyway. Elsewhere than glibc nothing is done."""
    mallopt = getattr(_LIBC, "mallopt", None)
    if mallopt is not None:
        mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def _warm_up(language_model: bool) -> None:
    """Load what the first page would otherwise load, so that it does not count against its time limit."""
    from tasks import normalise
    from tasks.extract import body

    body.warm_up()
    if language_model:
        normalise.warm_up()


_STARTING = threading.Lock()


@contextlib.contextmanager
def _main_module_hidden() -> Iterator[None]:
    """While a worker is started: ``spawn`` re-runs the parent's ``__main__`` (``newsetl``, hence the
    CLI's imports: SQLAlchemy, rich, the warehouse) in every child unless it has no file or spec. The
    worker's code lives in this module, not in ``__main__``, so it is left out: seconds less per
    worker on a busy machine, and megabytes less in each."""
    main = sys.modules["__main__"]
    saved = {key: main.__dict__[key] for key in ("__spec__", "__file__") if key in main.__dict__}
    with _STARTING:
        main.__dict__.pop("__file__", None)
        main.__spec__ = None
        try:
            yield
        finally:
            main.__dict__.update(saved)


class _Worker:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, language_model: bool):
        ctx = get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, language_model), name="newsetl-read", daemon=True)
        with _main_module_hidden():
            self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if not self.ready:
            if not self.conn.poll(STARTUP_TIMEOUT):
                raise TimeoutError(f"the read worker did not start within {STARTUP_TIMEOUT:g} s")
            self.conn.recv()
            self.ready = True

    def ask_to_stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class ReadPool:
    """The run's readers: :meth:`read` is ``flows.read.read_fetched``, in a worker process, with a time limit.

    Thread-safe; workers start at the first :meth:`start` or :meth:`read` and stop at :meth:`close`.
    ``language_model`` loads the language detector in each worker up front (sources without a language).
    """

    def __init__(self, processes: int | None = None, timeout: float | None = None, *, language_model: bool = False,
                 budget: int | None = None):
        config = settings()
        _limit_malloc_arenas()  # the run's process, before its fetch and load threads start
        self.processes = processes or config.extract_processes
        self.timeout = timeout or config.extract_timeout
        # raw bytes in extraction at once (see the module's doc): per worker, so more cores read more at once
        self.budget = budget or config.extract_bytes * self.processes
        self._reading = 0  # raw bytes of the pages in extraction now
        self._room = threading.Condition()
        self._turnstile = threading.Lock()  # held by the page waiting for room: the pages after it queue behind
        self.language_model = language_model
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = self._closed = False
        self._one_at_a_time = threading.Lock()  # in-process reading: one page in extraction at once

    @property
    def in_process(self) -> bool:
        return self.processes == 1

    @property
    def pids(self) -> set[int]:
        """The process ids of the live workers (none in-process or before the start)."""
        with self._lock:
            return {w.process.pid for w in self._workers if w.process.is_alive()}

    def start(self) -> None:
        """Start the workers (in-process: warm the extractor up), before the first page rather than at it."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            if self.in_process:
                _warm_up(self.language_model)
                return
            for _ in range(self.processes):
                self._add_worker()

    def _add_worker(self) -> None:
        worker = _Worker(self.language_model)
        self._workers.add(worker)
        self._idle.put(worker)

    def read(self, source: Source, page: FetchedPage, **hints: Any) -> ReadResult:
        """The page's article, or the reject that says why there is none (``timeout`` past the limit)."""
        return self.read_packed(source, page, **hints)[:2]

    def read_packed(self, source: Source, page: FetchedPage, **hints: Any) -> PackedResult:
        """:meth:`read`, and the page packed for loading where it was read (``tasks.warehouse.packing``); None
        when the page was not read by a worker (in-process reading, a timeout, a worker that died)."""
        self.start()
        if self.in_process:
            with self._one_at_a_time:
                return (*read_fetched(source, page, **hints), None)
        size = len(page.body)
        self._admit(size)
        try:
            return self._read_in_worker(source, page, hints)
        finally:
            with self._room:
                self._reading -= size
                self._room.notify_all()

    def _admit(self, size: int) -> None:
        """Wait until ``size`` more bytes fit in the budget, or nothing else is being read."""
        with self._turnstile, self._room:
            while self._reading and self._reading + size > self.budget:
                if self._closed:
                    raise RuntimeError("the run's read workers were stopped")
                self._room.wait(1.0)
            self._reading += size

    def _read_in_worker(self, source: Source, page: FetchedPage, hints: dict[str, Any]) -> PackedResult:
        worker = self._next_idle()  # waits while every worker is busy: the bound on pages in extraction
        healthy = False
        try:
            worker.wait_ready()
            worker.conn.send((source, page, hints))
            if not worker.conn.poll(self.timeout):
                log.warning("%s: reading %s took over %g s; its worker is replaced", source.name, page.url,
                            self.timeout)
                return None, Reject(source.name, page.url, "extract", "timeout",
                                    f"reading the page took over {self.timeout:g} s "
                                    "(NEWSETL_EXTRACT_TIMEOUT)", page.status), None
            result: PackedResult = worker.conn.recv()
            healthy = True
            return result
        except (EOFError, OSError, TimeoutError) as exc:  # the worker died under the page, or never started
            worker.process.join(1)
            detail = f"read worker process died (exit code {worker.process.exitcode}): {type(exc).__name__}"
            return None, Reject(source.name, page.url, "extract", "extractor_bug", detail, page.status), None
        finally:
            self._give_back(worker, healthy)

    def _next_idle(self) -> _Worker:
        while True:
            try:
                return self._idle.get(timeout=1.0)
            except queue.Empty:
                if self._closed:  # the run ended (on an error) while this page waited
                    raise RuntimeError("the run's read workers were stopped") from None

    def _give_back(self, worker: _Worker, healthy: bool) -> None:
        if healthy:
            self._idle.put(worker)
            return
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            if not self._closed:
                self._add_worker()

    def close(self) -> None:
        """Stop every worker: idle ones are asked to, busy ones (a run ending on an error) are killed."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, set()
        idle = []
        while True:
            try:
                idle.append(self._idle.get_nowait())
            except queue.Empty:
                break
        for worker in idle:
            worker.ask_to_stop()
        deadline = time.monotonic() + STOP_GRACE  # then killed, like the busy ones
        for worker in idle:
            worker.process.join(max(0.0, deadline - time.monotonic()))
        for worker in workers | set(idle):
            worker.kill()

    def __enter__(self) -> ReadPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
