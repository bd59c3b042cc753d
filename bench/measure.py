"""Time one command in a fresh process: wall time and peak resident memory.

Peak RSS comes from GNU time (`/usr/bin/time -f "%e %M"`) when it is installed, else from a small Python wrapper
that runs the command and reads `getrusage(RUSAGE_CHILDREN)` (a fresh wrapper per run, so earlier runs do not
count). Either way the figure is the kernel's `ru_maxrss`: the largest single process of the command's tree
(a forked worker or the cfn-guard subprocess counts if it is the largest), not the sum over processes.
Wall time is measured here around the whole child with `time.perf_counter`.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GNU_TIME = "/usr/bin/time"
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "open(sys.argv[1], 'w').write(f'0 {use.ru_maxrss} {use.ru_utime} {use.ru_stime}')\n"
    "sys.exit(code)\n"
)


@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    rss_kib: int | None  # peak RSS in KiB (None when it could not be read)
    code: int  # the command's exit code
    cpu: float | None = None  # user + system seconds of the whole process tree


@dataclass(frozen=True)
class Stats:
    runs: int
    median: float
    low: float
    high: float
    q1: float
    q3: float
    rss_mib: float | None  # the highest peak RSS over the runs
    codes: tuple[int, ...]
    cpu: float | None = None  # median user + system seconds (all processes): less sensitive to a busy machine

    def as_dict(self) -> dict[str, object]:
        return {"runs": self.runs, "median": self.median, "min": self.low, "max": self.high, "q1": self.q1,
                "q3": self.q3, "rss_mib": self.rss_mib, "codes": list(self.codes),
                "cpu": self.cpu}


def rss_method() -> str:
    return "GNU time %M" if os.access(GNU_TIME, os.X_OK) else "getrusage(RUSAGE_CHILDREN) in a wrapper process"


def measure(argv: Sequence[str], env: Mapping[str, str], cwd: str, timeout: float = 1800.0) -> Sample:
    """Run `argv` once (output discarded) and return its wall time, peak RSS and exit code."""
    with tempfile.NamedTemporaryFile(prefix="bench-rss-", suffix=".txt", delete=False) as handle:
        report = handle.name
    try:
        if os.access(GNU_TIME, os.X_OK):
            wrapped = [GNU_TIME, "-f", "%e %M %U %S", "-o", report, *argv]
        else:
            wrapped = [sys.executable, "-c", _WRAPPER, report, *argv]
        start = time.perf_counter()
        done = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env),
                              cwd=cwd, timeout=timeout, check=False)
        wall = time.perf_counter() - start
        rss, cpu = _read_report(report)
        return Sample(wall, rss, done.returncode, cpu)
    finally:
        os.unlink(report)


def _read_report(report: str) -> tuple[int | None, float | None]:
    """(peak RSS KiB, user + system seconds) from "<wall> <maxrss> <user> <sys>"."""
    try:
        with open(report, encoding="utf-8") as handle:
            lines = [line for line in handle.read().splitlines() if line.strip()]
    except OSError:
        return None, None
    last = lines[-1].split() if lines else []  # GNU time writes "Command exited with ..." first on non-zero
    try:
        return int(last[1]), float(last[2]) + float(last[3])
    except (IndexError, ValueError):
        return None, None


def summarise(samples: Sequence[Sample]) -> Stats:
    walls = sorted(s.wall for s in samples)
    if len(walls) >= 2:
        q1, _, q3 = statistics.quantiles(walls, n=4, method="inclusive")
    else:
        q1 = q3 = walls[0]
    rss = [s.rss_kib for s in samples if s.rss_kib is not None]
    cpu = [s.cpu for s in samples if s.cpu is not None]
    return Stats(runs=len(walls), median=statistics.median(walls), low=walls[0], high=walls[-1], q1=q1, q3=q3,
                 rss_mib=round(max(rss) / 1024, 1) if rss else None, codes=tuple(sorted({s.code for s in samples})),
                 cpu=statistics.median(cpu) if cpu else None)
