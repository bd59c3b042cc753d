"""Run the engines over the planned jobs: cfn-guard processes in worker threads while Checkov runs in this one.

If an engine fails on a batch in a way one file may cause (`BatchError`: a crash, output it could not
finish), the batch is retried in halves, within a small budget, so the file is isolated: its verdicts become
ERROR outcomes and every other file keeps its real verdicts. An error no file causes (engine missing, timeout)
is not retried: every verdict of that engine's call is ERROR, and when every call failed, the engine's run.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from checker.chunks import CHECKOV_CHUNK_BYTES, default_workers, merge_runs, run_chunked, size_of
from checker.chunks import plan as plan_chunks
from checker.engines import BatchError, EngineResults, EngineRun, RuleOutcome
from checker.engines.checkov_engine import CheckovEngine
from checker.engines.guard import TIMEOUT_SECONDS, GuardEngine
from checker.errors import EngineError, UsageError
from checker.model import Rule, Status
from checker.plan import Job

GUARD_TIMEOUT_ENV = "CFN_ISO27001_GUARD_TIMEOUT"
PER_FILE_SECONDS = 10.0  # added to the default cfn-guard timeout per data file (a busy 2-core CI box needs it)
RETRY_BUDGET = 24  # extra engine calls per batch spent isolating files that crash an engine

Call = Callable[[list[str]], EngineResults]


def guard_engine(timeout: float | None, files: int = 0) -> GuardEngine:
    """The cfn-guard adapter with `timeout` (seconds per call), else $CFN_ISO27001_GUARD_TIMEOUT, else the
    adapter's default plus PER_FILE_SECONDS per data file, so a large batch is not mistaken for a hang."""
    if timeout is None and os.environ.get(GUARD_TIMEOUT_ENV):
        try:
            timeout = float(os.environ[GUARD_TIMEOUT_ENV])
        except ValueError as exc:
            raise UsageError(f"{GUARD_TIMEOUT_ENV}: '{os.environ[GUARD_TIMEOUT_ENV]}' is not a number") from exc
    return GuardEngine(timeout=timeout or TIMEOUT_SECONDS + PER_FILE_SECONDS * files)


def _errored(rules: tuple[Rule, ...], message: str) -> dict[str, RuleOutcome]:
    return {r.id: RuleOutcome(status=Status.ERROR, messages={"": message}) for r in rules}


def _attempt(call: Call, files: list[str]) -> EngineResults | EngineError:
    try:
        return call(files)
    except EngineError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - an adapter bug is an engine error: ERROR findings, exit 3
        return EngineError(f"internal error: {type(exc).__name__}: {exc}")


def _isolate(call: Call, files: list[str], budget: list[int], failed: dict[str, str]) -> EngineResults:
    """Results for `files`, bisecting on BatchError; files that still fail go into `failed`."""
    outcome = _attempt(call, files)
    if not isinstance(outcome, EngineError):
        return outcome
    if not isinstance(outcome, BatchError) or len(files) == 1 or budget[0] < 2:
        failed.update({os.path.abspath(f): outcome.message for f in files})
        return {}
    budget[0] -= 2
    middle = len(files) // 2
    return {**_isolate(call, files[:middle], budget, failed), **_isolate(call, files[middle:], budget, failed)}


def run_isolating(name: str, call: Call, rules: tuple[Rule, ...], files: list[str]) -> EngineRun:
    """One engine over `files`; an error on every file is the run's error, on some files per-file ERRORs."""
    first = _attempt(call, files)
    if not isinstance(first, EngineError):
        return EngineRun(name, results=first)
    if not isinstance(first, BatchError) or len(files) == 1:
        return EngineRun(name, error=first.message)
    failed: dict[str, str] = {}
    results = _isolate(call, files, [RETRY_BUDGET], failed) if len(files) > 1 else {}
    if len(failed) == len(files):
        return EngineRun(name, error=first.message)
    for path, message in failed.items():
        results[path] = _errored(rules, message)
    return EngineRun(name, results=results, failed_files=failed)


def _combine(name: str, jobs: list[Job], runs: list[EngineRun]) -> EngineRun:
    """One engine's runs over several jobs as one run; a job that failed as a whole errs its files only."""
    errors = [r.error for r in runs if r.error is not None]
    if runs and len(errors) == len(runs):
        return EngineRun(name, error=errors[0])
    results: EngineResults = {}
    failed: dict[str, str] = {}
    for job, run in zip(jobs, runs):
        if run.error is not None:
            for path in job.files:
                key = os.path.abspath(path)
                failed[key] = run.error
                results[key] = _errored(job.rules, run.error)
            continue
        results.update(run.results)
        failed.update(run.failed_files)
    return EngineRun(name, results=results, failed_files=failed)


def _checkov_task(checkov: CheckovEngine, job: Job, params_file: str) -> Callable[[list[str]], EngineRun]:
    def call(batch: list[str]) -> EngineResults:
        return checkov.run(job.rules, batch, params_file)

    return lambda chunk: run_isolating("checkov", call, job.rules, chunk)


def run_engines(engines: tuple[str, ...], jobs: list[Job], params_file: str, root: Path,
                guard_timeout: float | None = None) -> dict[str, EngineRun]:
    """Both engines over every job, side by side: cfn-guard processes on every core (one per job, or per chunk
    of a job's files above CHUNK_BYTES), Checkov in this thread, job after job (per CHECKOV_CHUNK_BYTES of
    documents). More calls are made only to isolate a file that crashes an engine."""
    runs: dict[str, EngineRun] = {}
    thread = None
    if "guard" in engines:
        guard_engine(guard_timeout)  # a bad timeout setting is a usage error before anything runs
        workers = default_workers()
        # The calls are planned here, before Checkov starts: in the thread they would wait for this one's lock.
        tasks = [(job, chunk) for job in jobs
                 for chunk in plan_chunks(list(job.files), workers if len(jobs) == 1 else 1)]
        sizes = {f: size_of(f) for job, chunk in tasks for f in chunk}
        tasks.sort(key=lambda t: -len(t[0].rules) * sum(sizes[f] for f in t[1]))  # longest first

        def guard_job() -> None:
            def task(item: tuple[Job, list[str]]) -> EngineRun:
                job, chunk = item

                def call(batch: list[str]) -> EngineResults:
                    return guard_engine(guard_timeout, len(batch)).run(job.rules, batch, params_file, root=root)

                return run_isolating("guard", call, job.rules, chunk)

            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cfn-guard") as pool:
                done = list(pool.map(task, tasks))
            per_job = [merge_runs("guard", job.rules, [c for j, c in tasks if j is job],
                                  [r for (j, _), r in zip(tasks, done) if j is job]) for job in jobs]
            runs["guard"] = _combine("guard", jobs, per_job)

        thread = threading.Thread(target=guard_job, name="cfn-guard", daemon=True)
        thread.start()
    if "checkov" in engines:
        checkov = CheckovEngine(root=root)
        try:
            checkov.prepare(tuple({r.id: r for job in jobs for r in job.rules}.values()))
        except EngineError:
            pass  # the runs below meet the same error and report it per job
        per_job = [run_chunked("checkov", _checkov_task(checkov, job, params_file), job.rules, list(job.files),
                               workers=1, chunk_bytes=CHECKOV_CHUNK_BYTES) for job in jobs]
        runs["checkov"] = _combine("checkov", jobs, per_job)
    if thread is not None:
        thread.join()
    return runs
