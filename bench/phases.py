"""Where the time of one `cfn-iso27001` run goes: run the CLI in this process with timers around its phases.

Usage (run by bench/run.py in a fresh interpreter, with `-X importtime` so imports are timed too):
    python -X importtime bench/phases.py OUT.json check template/iot-platform.yaml

Each phase is a function of the pipeline wrapped with a timer (wall seconds, summed over calls; engines run in
parallel threads, so phases may overlap). A phase whose function no longer exists is reported as missing rather
than failing: the pipeline is free to change shape, the breakdown follows what it finds.
"""
from __future__ import annotations

import functools
import gc
import importlib
import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

# (label, module, attribute path) in the order a run reaches them.
PHASES: tuple[tuple[str, str, str], ...] = (
    ("evaluate (whole pipeline)", "checker.evaluate", "evaluate"),
    ("load + scenario expansion", "checker.evaluate", "prepare_all"),
    ("build engine inputs", "checker.evaluate", "build_units"),
    ("engines, side by side (wall)", "checker.evaluate", "evaluate_units"),
    ("cfn-guard validate (subprocesses, summed over chunks run side by side)", "checker.engines.guard",
     "GuardEngine.run"),
    ("checkov run (incl. its import on first use)", "checker.engines.checkov_engine", "CheckovEngine.run"),
    ("merge verdicts", "checker.evaluate", "merge_all"),
    ("tool versions (incl. cfn-guard --version)", "checker.evaluate", "tool_versions"),
    ("writers + manifest", "checker.cli", "_write_reports"),
    ("console summary", "checker.summary", "print_summary"),
)

_lock = threading.Lock()
_spent: dict[str, float] = {}
_calls: dict[str, int] = {}


def _timed(label: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            with _lock:
                _spent[label] = _spent.get(label, 0.0) + time.perf_counter() - start
                _calls[label] = _calls.get(label, 0) + 1

    return wrapper


def install() -> list[str]:
    """Wrap every phase that exists; return the labels of those that do not."""
    missing = []
    for label, module_name, attribute in PHASES:
        try:
            owner: Any = importlib.import_module(module_name)
        except ImportError:
            missing.append(label)
            continue
        *parents, name = attribute.split(".")
        for parent in parents:
            owner = getattr(owner, parent, None)
        func = getattr(owner, name, None) if owner is not None else None
        if not callable(func):
            missing.append(label)
            continue
        setattr(owner, name, _timed(label, func))
    return missing


def main(argv: list[str]) -> int:
    out, cli_args = argv[0], argv[1:]
    started = time.perf_counter()
    from checker import cli

    cli_import = time.perf_counter() - started
    missing = install()
    gc.set_threshold(*cli.GC_THRESHOLDS)  # as the console entry point (cli.run) does
    start = time.perf_counter()
    code = cli.main(cli_args)
    total = time.perf_counter() - start
    phases = [{"label": label, "seconds": _spent[label], "calls": _calls[label]}
              for label, _, _ in PHASES if label in _spent]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"exit_code": code, "import_checker_cli": cli_import, "main": total, "phases": phases,
                   "missing": missing}, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
