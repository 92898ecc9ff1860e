"""CPU seconds a run costs, by process: the run's own, its read workers, the Postgres backends, Prefect's server.

``wait4`` gives a child's CPU with every process it waited for (the read workers), but not the
Postgres backends that serve its connections nor a long-lived Prefect server, which are not its
children; nor does it split the run's process from its workers. :class:`CpuSampler` reads
``/proc/<pid>/stat`` of those processes every :data:`EVERY` seconds while a run goes and keeps each
one's last figure. A process that ends loses at most its last interval (the read workers are
stopped at the run's end: their last sample is taken as late as that). Linux only.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

EVERY = 0.1  # seconds between samples
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds: user + system) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class CpuSampler:
    """CPU seconds, from now on, of the process tree of ``root`` (the run: its own process and its children,
    the read workers among them), the backends of Postgres ``database``, and the tree of ``server`` (a
    long-lived Prefect server), each group's processes summed; the CPU they had before the start is not counted.
    """

    def __init__(self, root: int, database: str | None = None, server: int | None = None):
        self.root, self.database, self.server = root, database, server
        self._last: dict[int, tuple[str, float]] = {}  # pid -> (group, CPU seconds)
        self._before: dict[int, float] = {}
        self._groups: dict[int, str] = {}
        self._stop = threading.Event()
        self._sample(first=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(EVERY):
            self._sample()

    def _group(self, pid: int, parent: int, parents: dict[int, int]) -> str | None:
        if pid in self._groups:
            return self._groups[pid]
        group = None
        if pid == self.root:
            group = "run's process"
        elif self._descends(pid, self.root, parents):
            group = "read workers" if "multiprocessing" in _cmdline(pid) else "run's other children"
        elif self.server is not None and (pid == self.server or self._descends(pid, self.server, parents)):
            group = "Prefect server"
        elif self.database and f" {self.database} " in _cmdline(pid) and _cmdline(pid).startswith("postgres:"):
            group = "Postgres backends"
        if group is not None:
            self._groups[pid] = group
        return group

    @staticmethod
    def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
        while pid in parents and pid > 1:
            pid = parents[pid]
            if pid == ancestor:
                return True
        return False

    def _sample(self, first: bool = False) -> None:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (found := _stat(int(entry))) is not None:
                stats[int(entry)] = found
        parents = {pid: parent for pid, (parent, _) in stats.items()}
        for pid, (parent, cpu) in stats.items():
            group = self._group(pid, parent, parents)
            if group is None:
                continue
            if first:
                self._before[pid] = cpu
            self._last[pid] = (group, cpu)

    def stop(self) -> dict[str, float]:
        """Stop sampling: CPU seconds by group since the start."""
        self._stop.set()
        self._thread.join()
        self._sample()
        by: dict[str, float] = {}
        for pid, (group, cpu) in self._last.items():
            by[group] = by.get(group, 0.0) + cpu - self._before.get(pid, 0.0)
        return by
