"""Write report files: each format rendered and written whole, the large ones in two processes at once.

Rendering a folder's reports takes as long as a good part of its check (15,000 findings: ~1 s, the HTML
half of it) and every format is independent, so on a system with `fork` and more than one core the
formats of a large result are split in two groups of about equal cost: a forked child writes one, this
process the other. The child shares the finished result by copy-on-write, so nothing is serialised between
them; the files are byte for byte what a single process writes. A child that fails reports its error through a
pipe and this process raises it, so a failure is never silent. Small results are written in this process:
forking costs more than it saves there.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from checker.errors import UsageError
from checker.model import RunResult
from checker.writers import WRITERS, report_name

FORK_MIN_FINDINGS = 2000  # below this, one process writes everything
# Relative rendering cost per finding, measured on the corpus run (html 0.45 s, junit 0.19, sarif 0.10,
# markdown 0.06, json 0.05); only the split between the two groups depends on it.
COST = {"html": 45, "json": 5, "sarif": 10, "junit": 19, "markdown": 6}


def _write(result: RunResult, formats: list[str], output_dir: Path) -> None:
    for fmt in formats:
        writer = WRITERS[fmt]
        (output_dir / report_name(writer)).write_text(writer.render(result), encoding="utf-8")


def _split(formats: list[str]) -> tuple[list[str], list[str]]:
    """Two groups of about equal rendering cost, heaviest first into the lighter group."""
    groups: tuple[list[str], list[str]] = ([], [])
    loads = [0, 0]
    for fmt in sorted(formats, key=lambda f: (-COST.get(f, 50), f)):
        lighter = loads.index(min(loads))
        groups[lighter].append(fmt)
        loads[lighter] += COST.get(fmt, 50)
    return groups


def _can_fork() -> bool:
    if not hasattr(os, "fork") or sys.platform != "linux":
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1
    except OSError:
        return False


def _write_forked(result: RunResult, formats: list[str], output_dir: Path) -> None:
    mine, theirs = _split(formats)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write its group, report an error on the pipe, never return into the caller
        os.close(read_end)
        status = 0
        try:
            _write(result, theirs, output_dir)
        except OSError as exc:
            os.write(write_end, f"OSError\n{exc.strerror or exc}".encode())
            status = 1
        except BaseException as exc:  # noqa: BLE001 - anything else goes back to the parent, which raises it
            os.write(write_end, f"{type(exc).__name__}\n{exc}".encode())
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    try:
        _write(result, mine, output_dir)
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            report = pipe.read().decode(errors="replace")
        _, status = os.waitpid(pid, 0)
    if report or status != 0:
        kind, _, message = report.partition("\n")
        if kind == "OSError":
            raise OSError(message)
        raise RuntimeError(f"writing {', '.join(theirs)} failed: {kind or f'exit status {status}'}: {message}")


def write_reports(result: RunResult, formats: list[str], output_dir: Path) -> list[str]:
    """Write `formats` into `output_dir`; return the file names. UsageError when the folder cannot be written."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        if len(formats) > 1 and len(result.findings) >= FORK_MIN_FINDINGS and _can_fork():
            _write_forked(result, formats, output_dir)
        else:
            _write(result, formats, output_dir)
    except OSError as exc:
        raise UsageError(f"{output_dir}: cannot write the reports: {exc.strerror or exc}") from exc
    return [report_name(WRITERS[fmt]) for fmt in formats]
