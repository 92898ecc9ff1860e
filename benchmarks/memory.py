"""Peak memory of a run whose pages are a 1 GB endless body and a gzip bomb that inflates to 1 GB,
and of runs over large pages from two sources at once.

Usage: DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m benchmarks.memory [--case attrs ...]

Runs ``newsetl run`` under ``/usr/bin/time -v`` against fault sites served from other
processes, and prints the run's maximum resident set size and its rejects. The body limit
is the default (NEWSETL_MAX_BYTES, 5 MB), so both bodies must be cut off early. The
large-page run reads 2 sources x 8 pages of a 1.7 MB data table (4 connections each): it
prints the peak of the run's process and the peak of its whole process tree (the run and its
read workers, sampled every 50 ms; the temporary Prefect server left out, as it is not the run's), and the
tree's PSS and USS at that moment (pages the processes share counted once, or not at all).
The attribute-heavy run reads 2 sources x 8 pages of 4.8 MB whose every element carries forty
attributes (4 connections each; ``tests.sites.faults.attribute_heavy_html``), the shape that once
peaked at 4.2 GB. The target is under 500 MB for the tree in both.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from benchmarks.common import ROOT, fault_sites, newsetl, scratch_database, source_entry

GB = 1_000_000_000


CASES = {"large": ("/large.rss", "10000 table rows"), "attrs": ("/attrs.rss", "4.8 MB, attribute-heavy")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="+", choices=["bombs", *CASES], default=["bombs", *CASES],
                        help="which runs to measure (default: all)")
    cases = parser.parse_args(argv).case
    ok = _bombs() if "bombs" in cases else True
    for name in (c for c in CASES if c in cases):
        feed, label = CASES[name]
        run_peak, (tree_peak, parts, pss, uss), wall, code = _large_pages(feed)
        print(f"large pages (2 sources x 8 pages of {label}, 4 connections each): exit code {code}, wall "
              f"{wall:.1f}s, peak RSS of the run's process {run_peak / 1024:.0f} MB, of its process tree "
              f"(read workers included) {tree_peak / 1024:.0f} MB "
              f"({' + '.join(f'{kb / 1024:.0f}' for kb in parts)} MB, largest process first; at that moment "
              f"PSS {pss / 1024:.0f} MB, USS {uss / 1024:.0f} MB)")
        ok = ok and tree_peak < 500 * 1024 and code == 0
    return 0 if ok else 1


def _bombs() -> bool:
    """The run over the endless body and the gzip bomb, beside one over three plain pages; True on target."""
    with scratch_database() as url, fault_sites(["127.0.0.1"], bomb_size=GB, endless_size=GB,
                                                crawl_delay=None) as (servers, _), \
            tempfile.TemporaryDirectory() as tmp:
        host, _, base = servers[0]
        sources = Path(tmp) / "sources.toml"
        sources.write_text(source_entry("bombs", host, base, feeds=["/bombs.rss"], min_interval=0.1),
                           encoding="utf-8")
        baseline_sources = Path(tmp) / "baseline.toml"
        baseline_sources.write_text(source_entry("plain", host, base, feeds=["/pages.rss"], min_interval=0.1),
                                    encoding="utf-8")
        baseline = _peak(newsetl(["run", "--sources", str(baseline_sources)], {"DATABASE_URL": url},
                                 wrapper=["/usr/bin/time", "-v"]))
        began = time.monotonic()
        result = newsetl(["run", "--sources", str(sources)], {"DATABASE_URL": url}, wrapper=["/usr/bin/time", "-v"])
        took = time.monotonic() - began
        peak = _peak(result)
        eng = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
        with eng.connect() as conn:
            rejects = conn.execute(sa.text("SELECT url, reason FROM news.rejects WHERE source = 'bombs' "
                                           "ORDER BY url")).all()
        eng.dispose()
    print(f"exit code {result.returncode}, wall {took:.1f}s (Prefect start-up included)")
    print(f"peak RSS: {peak / 1024:.0f} MB (a run over 3 plain pages: {baseline / 1024:.0f} MB)"
          if peak else result.stderr[-2000:])
    for row in rejects:
        print(f"reject {row.url.rsplit('/', 1)[-1]}: {row.reason}")
    return bool(peak and peak < 300 * 1024 and len(rejects) == 2)


LARGE_ROWS = 10_000  # about 1.7 MB of HTML per page (CASES["large"])


def _large_pages(feed: str) -> tuple[int, TreePeak, float, int]:
    """A run over the pages of ``feed`` (``/large.rss``, ``/attrs.rss``) on two sources at once: (peak kB of
    the run's process, its process tree at its peak (:func:`_sample_tree`), seconds, exit code)."""
    hosts = ["127.0.0.1", "127.0.0.2"]
    with scratch_database() as url, fault_sites(hosts, crawl_delay=None, slow_read_rows=LARGE_ROWS,
                                                large_pages=8) as (servers, _), \
            tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources.toml"
        sources.write_text("\n".join(source_entry(f"large{n}", host, base, feeds=[feed], min_interval=0,
                                                  max_connections=4)
                                     for n, (host, _, base) in enumerate(servers)), encoding="utf-8")
        began = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-v", sys.executable, "-m", "flows.cli", "run", "--sources",
                                 str(sources)], env={**os.environ, "DATABASE_URL": url}, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler = threading.Thread(target=lambda: tree_peaks.append(_sample_tree(proc)), daemon=True)
        tree_peaks: list[TreePeak] = []
        sampler.start()
        _, stderr = proc.communicate()
        sampler.join()
        tree_peak = tree_peaks[0] if tree_peaks else (0, [], 0, 0)
        took = time.monotonic() - began
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    return int(found.group(1)) if found else 0, tree_peak, took, proc.returncode


# The tree at its peak: (sum of VmRSS kB, each process's VmRSS kB largest first, sum of Pss kB, sum of USS kB).
TreePeak = tuple[int, list[int], int, int]


def _sample_tree(proc: subprocess.Popen) -> TreePeak:
    """The largest sum of VmRSS (kB) over the descendants of ``proc`` seen while it runs, Prefect's server
    excluded, and the processes' VmRSS at that moment, largest first (the run's process, then its workers).

    Also the tree's PSS and USS at that moment (``/proc/PID/smaps_rollup``): pages the processes share (the
    interpreter, libraries) count once in a sum of PSS and not at all in USS, where RSS counts them in each.
    """
    peak, parts, pss, uss = 0, [], 0, 0
    while proc.poll() is None:
        table: dict[int, tuple[int, int, bytes]] = {}  # pid -> (parent, rss kB, command line)
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
                cmdline = (status.parent / "cmdline").read_bytes()
            except OSError:
                continue
            rss = int(fields.get("VmRSS", "0 kB").split()[0])
            table[int(status.parent.name)] = (int(fields["PPid"]), rss, cmdline)
        tree = {proc.pid}
        for _ in range(6):  # time -> python -> its workers (and the workers' resource tracker)
            tree |= {pid for pid, (parent, _, _) in table.items() if parent in tree}
        counted = [(pid, rss) for pid, (_, rss, cmdline) in table.items()
                   if pid in tree and b"uvicorn" not in cmdline and b"prefect" not in cmdline]
        total = sum(rss for _, rss in counted)
        if total > peak:
            peak, parts = total, sorted((rss for _, rss in counted), reverse=True)
            pss, uss = map(sum, zip(*(_proportional(pid) for pid, _ in counted), strict=True))

        time.sleep(0.05)
    return peak, parts, pss, uss


def _proportional(pid: int) -> tuple[int, int]:
    """(Pss, Private_Clean + Private_Dirty) of a process in kB; zeros once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0, 0
    fields = {name: int(value.split()[0]) for name, _, value in (line.partition(":") for line in lines[1:])}
    return fields.get("Pss", 0), fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)


def _peak(result) -> int:
    """Maximum resident set size in kB, as /usr/bin/time -v reports it."""
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    return int(found.group(1)) if found else 0


if __name__ == "__main__":
    sys.exit(main())
