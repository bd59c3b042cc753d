"""Checkov adapter: checkov's CloudFormation Runner, in process, offline, loading only our policies.

Checkov is imported once per process (its import costs about 2 s) and run once per batch of data files.
Our policies are staged into a folder that holds nothing else; the run is filtered to our rule ids so none
of checkov's built-in checks run. Checkov swallows a policy that raises (it logs and drops the result), so
every applicable resource that comes back without a verdict becomes an ERROR outcome: nothing is silent.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from checker.checkov_support import PARAMETERS_ENV
from checker.engines import BatchError, EngineResults, RuleOutcome
from checker.errors import EngineError
from checker.model import Rule, Status

OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}


def _offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


class _Collector(logging.Handler):
    """Keeps checkov's 'Failed to run check' log records, so a crashing policy is named in the ERROR."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.errors.append(record.getMessage())


@contextmanager
def _quiet_logging() -> Iterator[_Collector]:
    root = logging.getLogger()
    collector = _Collector()
    saved = [(h, h.level) for h in root.handlers]
    for handler, _ in saved:
        handler.setLevel(logging.CRITICAL + 1)
    root.addHandler(collector)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
        for handler, level in saved:
            handler.setLevel(level)


def stage_policies(rules: tuple[Rule, ...], root: Path, into: Path) -> Path:
    """Copy each rule's Checkov policy into `into/`, which then holds only our policies (+ __init__.py)."""
    into.mkdir(parents=True, exist_ok=True)
    (into / "__init__.py").write_text("", encoding="utf-8")
    for rule in rules:
        source = root / rule.checkov_file
        shutil.copyfile(source, into / f"cfn_iso27001_{rule.id.lower()}{source.suffix}")
    return into


class CheckovEngine:
    name = "checkov"

    def __init__(self, root: Path | None = None) -> None:
        self._root = root or Path(__file__).resolve().parents[2]

    def version(self) -> str:
        _offline()
        try:
            from checkov.version import version
        except Exception as exc:
            raise EngineError(f"checkov: cannot be imported: {exc}") from exc
        return str(version)

    def run(self, rules: tuple[Rule, ...], data_files: list[str], parameters_file: str) -> EngineResults:
        if not data_files or not rules:
            return {}
        _offline()
        os.environ[PARAMETERS_ENV] = parameters_file
        try:
            from checker.engines.checkov_import import import_runner

            Runner, RunnerFilter = import_runner()
        except Exception as exc:
            raise EngineError(f"checkov: cannot be imported: {exc}") from exc
        with tempfile.TemporaryDirectory(prefix="cfn-iso27001-checkov-") as tmp:
            staged = stage_policies(rules, self._root, Path(tmp) / "policies")
            files = [os.path.abspath(p) for p in data_files]
            try:
                _forget(rules)
                with _quiet_logging() as collector:
                    report = Runner().run(
                        root_folder=None, files=files, external_checks_dir=[str(staged)],
                        runner_filter=RunnerFilter(framework=["cloudformation"], checks=[r.id for r in rules]),
                    )
            except Exception as exc:
                raise BatchError(f"checkov: crashed: {type(exc).__name__}: {exc}") from exc
        if isinstance(report, list):
            raise EngineError("checkov: returned several reports for one framework")
        if report.parsing_errors:
            raise BatchError(f"checkov: could not parse {report.parsing_errors[0]}")
        return _collect(report, rules, files, collector.errors)


def _forget(rules: tuple[Rule, ...]) -> None:
    """Drop checks with our rule ids that an earlier run in this process registered.

    Checkov's registry is process-global and keeps the first check registered under an id, so without this a
    second run (another parameter group, another rules folder) would silently evaluate the old policy code."""
    from checkov.cloudformation.checks.resource.registry import cfn_registry

    ids = {r.id for r in rules}
    for table in (cfn_registry.checks, cfn_registry.wildcard_checks):
        for entity in list(table):
            table[entity] = [c for c in table[entity] if c.id not in ids]


def _collect(report: Any, rules: tuple[Rule, ...], files: list[str], errors: list[str]) -> EngineResults:
    by_id = {r.id: r for r in rules}
    results: EngineResults = {f: {r.id: RuleOutcome(status=Status.SKIP) for r in rules} for f in files}
    seen: dict[tuple[str, str], set[str]] = {}
    for record, failed in [(r, True) for r in report.failed_checks] + [(r, False) for r in report.passed_checks]:
        rule = by_id.get(record.check_id)
        path = os.path.abspath(record.file_abs_path)
        if rule is None or path not in results:
            continue
        resource_type, _, logical_id = str(record.resource).rpartition(".")
        if rule.scope == "resource" and resource_type not in rule.resource_types:
            continue  # connection policies also report the connected resource; the verdict is on ours
        outcome = results[path][rule.id]
        seen.setdefault((path, rule.id), set()).add(logical_id)
        if failed:
            outcome.status = Status.FAIL
            key = "" if rule.scope == "template" else logical_id
            outcome.failed.setdefault(key, [f"/Resources/{logical_id}"])
            outcome.messages.setdefault(key, str(record.check_name))
        else:
            outcome.passed.add(logical_id)
            if outcome.status is Status.SKIP:
                outcome.status = Status.PASS
    for path in files:
        resources = _resources(path)
        for rule in rules:
            if rule.scope != "resource":
                continue
            expected = {k for k, v in resources.items() if v in rule.resource_types}
            missing = sorted(expected - seen.get((path, rule.id), set()))
            if missing:
                outcome = results[path][rule.id]
                outcome.status = Status.ERROR
                hint = next((e for e in errors if rule.id in e), "checkov returned no verdict")
                for logical_id in missing:
                    outcome.messages[logical_id] = hint.splitlines()[0][:300]
    return results


def _resources(path: str) -> dict[str, str]:
    """Logical id -> type of a data file's resources (data files are JSON written by the checker)."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        from cfnlint.decode import decode

        data, _ = decode(path)
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        return {}
    return {str(k): str(v.get("Type")) for k, v in resources.items() if isinstance(v, dict)}
