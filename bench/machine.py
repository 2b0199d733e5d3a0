"""How busy the machine was with other work while the benchmark measured (Linux /proc).

The machine's busy time comes from /proc/stat; the benchmark's own share is the CPU time of
its processes (this process and its children: gunicorn, the load client) and of the
PostgreSQL backends connected to its databases. The rest is other work that competed for
the same cores and lengthened the measured times.
"""

from __future__ import annotations

import os
import threading
import time

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _busy_ticks() -> int:
    with open("/proc/stat") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields[:8]) - idle


def _processes():
    """(pid, ppid, cpu ticks, command line) of every readable process."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as fh:
                stat = fh.read()
            with open(f"/proc/{name}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        rest = stat.rsplit(")", 1)[1].split()
        yield int(name), int(rest[1]), int(rest[11]) + int(rest[12]), cmdline


class CPUWatch(threading.Thread):
    """Samples, every second, the CPU used by the machine and by the benchmark."""

    def __init__(self, databases: list[str], interval: float = 1.0):
        super().__init__(daemon=True)
        self.databases = [f" {name} " for name in databases]
        self.interval = interval
        self.root = os.getpid()
        self.first: dict[int, int] = {}
        self.last: dict[int, int] = {}
        self.running = True
        self.available = os.path.exists("/proc/stat")

    def _ours(self, pid, parents, cmdline) -> bool:
        if cmdline.startswith("postgres:") and any(db in cmdline for db in self.databases):
            return True
        seen = 0
        while pid and seen < 64:
            if pid == self.root:
                return True
            pid = parents.get(pid, 0)
            seen += 1
        return False

    def sample(self) -> None:
        procs = list(_processes())
        parents = {pid: ppid for pid, ppid, _t, _c in procs}
        for pid, _ppid, ticks, cmdline in procs:
            if pid in self.first or self._ours(pid, parents, cmdline):
                self.first.setdefault(pid, ticks)
                self.last[pid] = ticks

    def run(self):
        while self.running:
            self.sample()
            time.sleep(self.interval)

    def __enter__(self):
        if self.available:
            self.t0 = time.monotonic()
            self.busy0 = _busy_ticks()
            self.sample()
            self.start()
        return self

    def __exit__(self, *exc):
        if not self.available:
            self.result = None
            return
        self.running = False
        self.join()
        self.sample()
        elapsed = time.monotonic() - self.t0
        busy = (_busy_ticks() - self.busy0) / TICK
        ours = sum(self.last[p] - self.first[p] for p in self.last) / TICK
        cores = os.cpu_count() or 1
        others = max(0.0, busy - ours)
        self.result = {
            "seconds": round(elapsed, 1),
            "cpu_seconds_total": round(busy, 1),
            "cpu_seconds_benchmark": round(ours, 1),
            "cpu_seconds_others": round(others, 1),
            "others_share": round(others / (elapsed * cores), 3) if elapsed else None,
            "benchmark_share": round(ours / (elapsed * cores), 3) if elapsed else None,
        }
