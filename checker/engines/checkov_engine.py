"""Checkov adapter: Checkov's CloudFormation check registry, in process, offline, holding only our policies.

The checker parses and resolves every template itself, so Checkov's runner (its parser, graph and report) has
nothing to add: each resource of each data file goes to `cfn_registry.scan`, the call Checkov's own
CloudFormation runner makes per resource, and our policies run exactly as they would under `checkov
--external-checks-dir`. Each resource's mapping carries Checkov's `__file__` mark, as its parser sets it, so
cross-resource policies can read the document they come from (checker/checkov_support.py).

The policies are staged into a folder that holds nothing else and loaded with Checkov's own loader once per
process and rule set; the scan is filtered to our rule ids, and Checkov's built-in checks are never imported
(checker/engines/checkov_import.py). A policy that raises yields Checkov's UNKNOWN result, and a resource that
comes back without a verdict (a policy that failed to load) is an ERROR outcome: nothing is silent. Native
`checkov:skip` comments are never honoured (the evidence lists them; checker/prepare.py).
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from checker.checkov_support import PARAMETERS_ENV, load_document
from checker.engines import BatchError, EngineResults, RuleOutcome
from checker.errors import EngineError
from checker.model import Rule, Status

OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
FILE_MARK = "__file__"  # Checkov's parser records each mapping's source file under this key


def _offline() -> None:
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value


class _Collector(logging.Handler):
    """Keeps Checkov's error log records (a policy that fails to load), so the ERROR can name the cause."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage().split(" from ", 1)[0]  # not the staging folder's path
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, SyntaxError):
            message += f": SyntaxError: {exc.msg} (line {exc.lineno})"
        elif exc is not None:
            message += f": {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        self.errors.append(message)


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


class _Loaded:
    """The policies registered in this process, by rule id: (source path, source bytes) and the loader's errors.
    Checkov's registry is process-global, so a policy is loaded once per process unless its source changes."""

    sources: ClassVar[dict[str, tuple[str, bytes]]] = {}
    errors: ClassVar[list[str]] = []


def _load(rules: tuple[Rule, ...], root: Path, registry: Any) -> list[str]:
    """Register the policies of `rules` that are not registered yet (or whose source changed); the loader's errors."""
    try:
        wanted = {r.id: (str(root / r.checkov_file), (root / r.checkov_file).read_bytes()) for r in rules}
    except OSError as exc:
        raise EngineError(f"checkov: cannot read a policy: {exc}") from exc
    stale = tuple(r for r in rules if _Loaded.sources.get(r.id) != wanted[r.id])
    if not stale:
        return _Loaded.errors
    ids = {r.id for r in stale}
    for table in (registry.checks, registry.wildcard_checks):  # drop what an earlier load registered
        for entity in list(table):
            table[entity] = [c for c in table[entity] if c.id not in ids]
    with tempfile.TemporaryDirectory(prefix="cfn-iso27001-checkov-") as tmp:
        staged = stage_policies(stale, root, Path(tmp) / "policies")
        with _quiet_logging() as collector:
            try:
                registry.load_external_checks(str(staged))
            except Exception as exc:  # noqa: BLE001 - a policy that cannot load is that rule's ERROR, below
                collector.errors.append(f"checkov: cannot load the policies: {type(exc).__name__}: {exc}")
    _Loaded.sources.update({r.id: wanted[r.id] for r in stale})
    _Loaded.errors = [e for e in _Loaded.errors if not any(f"cfn_iso27001_{i.lower()}" in e for i in ids)]
    _Loaded.errors += collector.errors
    return _Loaded.errors


def _registry() -> tuple[Any, Any]:
    """Checkov's CloudFormation check registry and its CheckResult enum, imported offline and narrowly."""
    _offline()
    try:
        from checker.engines.checkov_import import import_registry

        return import_registry()
    except Exception as exc:
        raise EngineError(f"checkov: cannot be imported: {exc}") from exc


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

    def prepare(self, rules: tuple[Rule, ...]) -> None:
        """Load the policies of `rules` now, in one go (`run` loads those it lacks; a run per job would stage
        and load each job's policies separately)."""
        registry, _ = _registry()
        _load(rules, self._root, registry)

    def run(self, rules: tuple[Rule, ...], data_files: list[str], parameters_file: str) -> EngineResults:
        if not data_files or not rules:
            return {}
        registry, check_result = _registry()
        os.environ[PARAMETERS_ENV] = parameters_file
        load_errors = _load(rules, self._root, registry)
        results: EngineResults = {}
        with _quiet_logging():
            for path in data_files:
                try:
                    results[os.path.abspath(path)] = _scan_file(path, rules, registry, check_result)
                except EngineError:
                    raise
                except Exception as exc:  # one document that breaks Checkov: isolate it
                    raise BatchError(f"checkov: crashed: {type(exc).__name__}: {exc}") from exc
        _unloaded(results, rules, registry, load_errors)
        return results


def _document(path: str) -> dict[str, Any]:
    """A data file (JSON written by the checker, or any template cfn-lint can decode), parsed once: the
    cross-resource policies that read the whole document get the same parse (checkov_support.load_document)."""
    try:
        return load_document(path)
    except OSError as exc:
        raise EngineError(f"checkov: cannot read {path}: {exc}") from exc
    except ValueError:
        raise BatchError(f"checkov: could not parse {path}") from None


def _scan_file(path: str, rules: tuple[Rule, ...], registry: Any, check_result: Any) -> dict[str, RuleOutcome]:
    """Every rule's outcome on one data file, from Checkov's verdict on each resource.

    For each resource, the registry's checks for its type (`get_checks`, wildcards included) that belong to
    `rules` run through `registry.run_check`: what `registry.scan` does after its runner filter, without the
    filter's per-check pattern matching (the registry holds our policies only)."""
    by_id = {r.id: r for r in rules}
    outcomes = {r.id: RuleOutcome(status=Status.SKIP) for r in rules}
    resources = _document(path).get("Resources")
    if not isinstance(resources, dict):
        return outcomes
    scanned_file = os.path.abspath(path)
    for logical_id, resource in resources.items():
        entity_type = resource.get("Type") if isinstance(resource, dict) else None
        if not isinstance(entity_type, str):
            continue
        checks = [c for c in registry.get_checks(entity_type) if c.id in by_id]
        if not checks:
            continue
        configuration = {**resource, FILE_MARK: scanned_file}
        for check in checks:
            rule = by_id[check.id]
            if rule.scope == "resource" and entity_type not in rule.resource_types:
                continue  # a connection policy's verdict on the connected resource
            result = registry.run_check(check, configuration, str(logical_id), entity_type, scanned_file, {})
            _record(outcomes[rule.id], rule, str(logical_id), result.get("result"), check, check_result)
    for rule in rules:  # every applicable resource must have a verdict
        if rule.scope != "resource":
            continue
        outcome = outcomes[rule.id]
        for logical_id, resource in resources.items():
            if (isinstance(resource, dict) and resource.get("Type") in rule.resource_types
                    and str(logical_id) not in outcome.passed and str(logical_id) not in outcome.failed
                    and str(logical_id) not in outcome.messages):
                outcome.status = Status.ERROR
                outcome.messages[str(logical_id)] = "checkov returned no verdict"
    return outcomes


def _record(outcome: RuleOutcome, rule: Rule, logical_id: str, result: Any, check: Any, check_result: Any) -> None:
    if result == check_result.FAILED:
        key = "" if rule.scope == "template" else logical_id
        outcome.failed.setdefault(key, [f"/Resources/{logical_id}"])
        outcome.messages.setdefault(key, str(check.name))
        if outcome.status is not Status.ERROR:
            outcome.status = Status.FAIL
    elif result == check_result.PASSED:
        outcome.passed.add(logical_id)
        if outcome.status is Status.SKIP:
            outcome.status = Status.PASS
    else:  # UNKNOWN: the policy raised (Checkov logs and drops it); SKIPPED: our policies never skip
        outcome.status = Status.ERROR
        outcome.messages[logical_id] = f"checkov: {rule.id} returned {getattr(result, 'value', result)} (the policy raised)"


def _unloaded(results: EngineResults, rules: tuple[Rule, ...], registry: Any, load_errors: list[str]) -> None:
    """A rule whose policy is not registered (it failed to load) is ERROR on every file, never a SKIP."""
    registered = {c.id for table in (registry.checks, registry.wildcard_checks) for cs in table.values() for c in cs}
    for rule in rules:
        if rule.id in registered:
            continue
        hint = next((e for e in load_errors if f"cfn_iso27001_{rule.id.lower()}" in e), "")
        message = f"checkov: the policy of {rule.id} did not load" + (f" ({hint})" if hint else "")
        for outcomes in results.values():
            outcomes[rule.id] = RuleOutcome(status=Status.ERROR, messages={"": message})
