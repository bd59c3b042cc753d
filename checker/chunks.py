"""Cut one engine's job into calls of bounded input, and run them side by side where that helps.

A job (checker/plan.py) is a set of rules over a set of data files. cfn-guard is single-threaded, so the
pipeline runs up to one cfn-guard process per CPU core (at most MAX_WORKERS), each on one job or on a chunk of a
job's files of at most CHUNK_BYTES; a single job is cut into at least one chunk per core. The size bound also
bounds memory: cfn-guard's JSON report runs to ~40 bytes per input byte on failing documents, and each chunk's
report is parsed and reduced before the thread takes the next one.

Checkov runs in this process, one chunk after the other (CHECKOV_CHUNK_BYTES each), so the documents of one
call are all it holds at once.

Each chunk keeps the isolation rules of `run_isolating`: a crash caused by one file costs only that file's
verdicts. A chunk that fails as a whole (a timeout) makes its files' verdicts ERROR; when every chunk fails,
the engine run has that error, as an unsplit batch would.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from checker.engines import EngineRun, RuleOutcome
from checker.model import Rule, Status

MAX_WORKERS = 4
CHUNK_BYTES = 512 * 1024  # input per cfn-guard call
CHECKOV_CHUNK_BYTES = 1024 * 1024  # input per Checkov call


def default_workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def split(files: list[str], parts: int) -> list[list[str]]:
    """`files` in at most `parts` chunks of about equal total size (largest first into the lightest chunk)."""
    parts = max(1, min(parts, len(files)))
    sizes = {f: size_of(f) for f in files}
    chunks: list[list[str]] = [[] for _ in range(parts)]
    loads = [0] * parts
    for path in sorted(files, key=lambda f: (-sizes[f], f)):
        lightest = loads.index(min(loads))
        chunks[lightest].append(path)
        loads[lightest] += sizes[path]
    return [sorted(c) for c in chunks if c]


def plan(files: list[str], workers: int, chunk_bytes: int = CHUNK_BYTES) -> list[list[str]]:
    """Chunks for `workers` processes: at least one per worker, none (of several files) above `chunk_bytes`."""
    total = sum(size_of(f) for f in files)
    return split(files, max(workers, math.ceil(total / max(1, chunk_bytes))))


def size_of(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def run_chunked(name: str, run: Callable[[list[str]], EngineRun], rules: tuple[Rule, ...], files: list[str],
                workers: int, chunk_bytes: int = CHUNK_BYTES) -> EngineRun:
    """`run` (an isolating engine run) over `files` in chunks, up to `workers` of them side by side."""
    chunks = plan(files, workers, chunk_bytes)
    if len(chunks) <= 1:
        return run(files)
    if workers <= 1:  # one after the other, in this thread (Checkov: its memory grows with the batch)
        return merge_runs(name, rules, chunks, [run(chunk) for chunk in chunks])
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        runs = list(pool.map(run, chunks))
    return merge_runs(name, rules, chunks, runs)


def merge_runs(name: str, rules: tuple[Rule, ...], chunks: list[list[str]], runs: list[EngineRun]) -> EngineRun:
    errors = [r.error for r in runs if r.error is not None]
    if len(errors) == len(runs):
        return EngineRun(name, error=errors[0])
    results = {}
    failed: dict[str, str] = {}
    for chunk, run in zip(chunks, runs):
        if run.error is not None:
            failed.update({os.path.abspath(f): run.error for f in chunk})
            continue
        results.update(run.results)
        failed.update(run.failed_files)
    for path, message in failed.items():
        if path not in results:
            results[path] = {r.id: RuleOutcome(status=Status.ERROR, messages={"": message}) for r in rules}
    return EngineRun(name, results=results, failed_files=failed)
