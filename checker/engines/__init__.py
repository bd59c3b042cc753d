"""Engine adapters: build the engine's input, run it once for a batch of data files, parse its structured output.

Both adapters return the same shape, `EngineResults`: for each data file, for each rule id, the verdict of
the rule on that file and the resources it failed (logical id -> property paths). Anything unexpected raises
`EngineError`; the pipeline turns that into ERROR findings, never a pass.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from checker.errors import EngineError
from checker.model import Rule, Status


class BatchError(EngineError):
    """The engine failed on a batch in a way one data file may cause (a crash, output it could not finish).

    The pipeline retries such a batch in halves to isolate the file, so one odd template does not turn every
    other template's verdict into an ERROR. Errors that no file causes (engine missing, timeout) stay plain
    `EngineError`s and are not retried.
    """


@dataclass
class RuleOutcome:
    """One rule on one data file, as one engine saw it."""

    status: Status  # PASS | FAIL | SKIP | ERROR for the file as a whole
    failed: dict[str, list[str]] = field(default_factory=dict)  # logical id (or "" for template level) -> paths
    passed: set[str] = field(default_factory=set)  # logical ids the engine reported as passing (if it says)
    messages: dict[str, str] = field(default_factory=dict)  # logical id -> the engine's message
    observed: dict[str, object] = field(default_factory=dict)  # logical id -> value the engine saw, when known


EngineResults = dict[str, dict[str, RuleOutcome]]  # data file (absolute path) -> rule id -> outcome


class Engine(Protocol):
    name: str

    def version(self) -> str: ...

    def run(self, rules: tuple[Rule, ...], data_files: list[str], parameters_file: str) -> EngineResults: ...


@dataclass
class EngineRun:
    """What the pipeline keeps of one engine's run: results, or the error that stopped it."""

    engine: str
    results: EngineResults = field(default_factory=dict)
    error: str | None = None
    failed_files: dict[str, str] = field(default_factory=dict)  # data file -> error, when only some files failed
