"""Plan the engines' work so that each rule sees only what its verdict depends on, and nothing is evaluated twice.

Every rule declares what it reads (`reads` in rule.yaml; docs/writing-rules.md):

- `own`: a resource-scope rule whose verdict on a resource depends on that resource's definition alone. Every
  distinct resource definition of the rule's types, across every variant document of a template, goes once
  into a *pool* document under a pool id (`P0`, `P1`, ...); the rule runs on the pools, and its verdict on a
  pooled definition is the verdict on every resource with that definition. Rules with the same resource types
  share a pool (one engine call), so a rule never walks resources it does not inspect. Scenario variants of one
  template differ in a few resources: the others are evaluated once.
- `types`: a rule that reads other resources (a DB's parameter group, an alarm's topic). It runs on a
  *projection* of each variant: the full definition of every resource of its `read_types`, only the `Type` of
  every other resource (so a reference to a resource of another type still resolves to a resource of that
  type), the template sections it declares (`read_sections`: Parameters, Rules...) and AWSTemplateFormatVersion
  and Transform. A rule that reads no resource type (`reads: [Parameters]`) sees one stub per type present:
  which types exist, not how many. Identical projections are evaluated once; rules with the same reads share
  them.
- `template` (the default): the rule runs on each variant document as it is.

A resource-scope rule is not evaluated on a document that has no resource of its types: its outcome is SKIP,
which is what the engines say of such a document. Results are mapped back to each variant document
(`unit_results`), with pool ids renamed to the template's logical ids in every reported path, so the rest of
the pipeline sees what it would have seen had every rule run on every variant document.

Work is shared within a template, never across templates: every data file carries one template's resources,
so when an engine crashes on a file, isolating the file (checker/batch.py) costs that template's verdicts only.

`project=False` runs every rule on every variant document as it is: the reference the planned run must
reproduce, finding for finding (tests/test_plan.py).
"""
from __future__ import annotations

import json
import os
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engines import EngineResults, EngineRun, RuleOutcome
from checker.model import Rule, Status

ALWAYS_KEPT = ("AWSTemplateFormatVersion", "Transform")  # in every projection; other sections when declared
_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits)
# Shared by every unit a rule does not apply to (most of them): outcomes are read, never changed, after mapping.
_NOT_APPLICABLE = RuleOutcome(status=Status.SKIP)
POOL_BYTES = 256 * 1024  # pooled definitions per data file: bounded engine memory, work to share across cores


@dataclass(frozen=True)
class Job:
    """One engine call's worth of work: these rules over these data files (split further by size when run)."""

    rules: tuple[Rule, ...]
    files: tuple[str, ...]


@dataclass
class Plan:
    units: list[str]  # unit keys (absolute paths): one per distinct variant document
    jobs: list[Job] = field(default_factory=list)
    project: bool = True
    cluster_of: dict[str, int] = field(default_factory=dict)  # own rule id -> pool cluster
    pooled: dict[str, dict[int, list[tuple[str, str, str]]]] = field(default_factory=dict)
    # unit -> cluster -> [(logical id, pool file, pool id)]
    projected: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> rule id -> data file
    carriers: dict[str, set[str]] = field(default_factory=dict)  # data file -> units whose verdicts it carries


class _Writer:
    """Writes each distinct data document once and remembers which units it carries."""

    def __init__(self, workdir: Path, prefix: str, plan: Plan) -> None:
        self._workdir, self._prefix, self._plan = workdir, prefix, plan
        self._by_text: dict[tuple[object, str], str] = {}

    def write(self, document: dict[str, Any], unit: str, scope: object = None) -> str:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        path = self._by_text.get((scope, text))
        if path is None:
            path = str(self._workdir / f"{self._prefix}{len(self._by_text)}.json")
            Path(path).write_text(text, encoding="utf-8")
            self._by_text[(scope, text)] = path
        self._plan.carriers.setdefault(path, set()).add(unit)
        return path


def _resources(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {str(k): v for k, v in resources.items() if isinstance(v, dict) and isinstance(v.get("Type"), str)}


def _has_type(resources: dict[str, dict[str, Any]], types: Iterable[str]) -> bool:
    wanted = set(types)
    return any(r["Type"] in wanted for r in resources.values())


def make_plan(documents: dict[str, dict[str, Any]], rules: tuple[Rule, ...], workdir: Path, prefix: str,
              project: bool = True, scopes: dict[str, object] | None = None) -> Plan:
    """The jobs for `documents` (unit key -> variant document) and how to map their results back.

    Work is shared only between units of the same scope (`scopes`: unit -> its template), so every data file
    carries one template: an engine that crashes on a file is isolated to that template's verdicts."""
    scope_of = scopes or {}
    plan = Plan(units=list(documents), project=project)
    if not project:
        writer = _Writer(workdir, prefix, plan)
        for unit, document in documents.items():
            path = writer.write(document, unit, scope_of.get(unit))
            plan.projected[unit] = {r.id: path for r in rules}
        plan.jobs = [Job(rules, tuple(sorted(plan.carriers)))] if documents else []
        return plan
    resources = {unit: _resources(document) for unit, document in documents.items()}
    plan.jobs += _pool_jobs(plan, [r for r in rules if r.reads == "own"], resources, scope_of, workdir, prefix)
    by_reads: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Rule]] = {}
    for rule in rules:
        if rule.reads == "types":
            by_reads.setdefault((rule.read_types, rule.read_sections), []).append(rule)
    for number, ((types, sections), members) in enumerate(sorted(by_reads.items())):
        writer = _Writer(workdir, f"{prefix}t{number}-", plan)
        files: set[str] = set()
        for unit, document in documents.items():
            wanted = [r for r in members if r.scope == "template" or _has_type(resources[unit], r.resource_types)]
            if not wanted:
                continue
            projection = _projection(document, resources[unit], set(types), sections)
            path = writer.write(projection, unit, scope_of.get(unit))
            plan.projected.setdefault(unit, {}).update({r.id: path for r in wanted})
            files.add(path)
        if files:
            plan.jobs.append(Job(tuple(members), tuple(sorted(files))))
    whole = tuple(r for r in rules if r.reads == "template")
    if whole:
        writer = _Writer(workdir, f"{prefix}w-", plan)
        files = set()
        for unit, document in documents.items():
            path = writer.write(document, unit, scope_of.get(unit))
            plan.projected.setdefault(unit, {}).update({r.id: path for r in whole})
            files.add(path)
        plan.jobs.append(Job(whole, tuple(sorted(files))))
    return plan


def _projection(document: dict[str, Any], resources: dict[str, dict[str, Any]], types: set[str],
                sections: tuple[str, ...]) -> dict[str, Any]:
    kept = {k: document[k] for k in (*ALWAYS_KEPT, *sections) if k in document}
    if not types:
        # A rule that reads no resource type sees which types exist: one stub per type, under the first logical id
        # of that type (the one the engines meet first, keys being sorted), so variants that differ only in
        # resources of types already present share one projection.
        first: dict[str, str] = {}
        for logical_id in sorted(resources):
            first.setdefault(resources[logical_id]["Type"], logical_id)
        kept["Resources"] = {logical_id: {"Type": type_} for type_, logical_id in first.items()}
        return kept
    kept["Resources"] = {k: (v if v["Type"] in types else {"Type": v["Type"]}) for k, v in resources.items()}
    return kept


def _pool_jobs(plan: Plan, own: list[Rule], resources: dict[str, dict[str, dict[str, Any]]],
               scope_of: dict[str, object], workdir: Path, prefix: str) -> list[Job]:
    clusters: dict[tuple[str, ...], list[Rule]] = {}
    for rule in own:
        clusters.setdefault(tuple(sorted(rule.resource_types)), []).append(rule)
    jobs = []
    texts: dict[int, str] = {}  # id(definition) -> canonical JSON, shared by the clusters
    for number, (types, members) in enumerate(sorted(clusters.items())):
        for rule in members:
            plan.cluster_of[rule.id] = number
        wanted = set(types)
        pool_ids: dict[tuple[object, str], tuple[str, str]] = {}  # (scope, definition) -> (pool file, pool id)
        pools: dict[object, list[tuple[str, dict[str, Any]]]] = {}  # scope -> its pool files
        sizes: dict[object, int] = {}
        for unit, defined in resources.items():
            scope = scope_of.get(unit)
            for logical_id, definition in defined.items():
                if definition["Type"] not in wanted:
                    continue
                text = texts.get(id(definition))
                if text is None:
                    text = texts[id(definition)] = json.dumps(definition, sort_keys=True, separators=(",", ":"))
                where = pool_ids.get((scope, text))
                if where is None:
                    files = pools.setdefault(scope, [])
                    if not files or sizes[scope] >= POOL_BYTES:
                        files.append((str(workdir / f"{prefix}p{number}-{len(pool_ids)}.json"), {}))
                        sizes[scope] = 0
                    path, pool = files[-1]
                    where = pool_ids[(scope, text)] = (path, f"P{len(pool)}")
                    pool[where[1]] = definition
                    sizes[scope] += len(text)
                plan.pooled.setdefault(unit, {}).setdefault(number, []).append((logical_id, *where))
                plan.carriers.setdefault(where[0], set()).add(unit)
        every = [entry for files in pools.values() for entry in files]
        for path, pool in every:
            Path(path).write_text(json.dumps({"Resources": pool}, sort_keys=True, separators=(",", ":")),
                                  encoding="utf-8")
        if every:
            jobs.append(Job(tuple(members), tuple(path for path, _ in every)))
    return jobs


def unit_results(plan: Plan, rules: tuple[Rule, ...], run: EngineRun) -> EngineRun:
    """`run` (over the plan's data files) as results per unit, as if every rule had run on every unit."""
    if run.error is not None:
        return EngineRun(run.engine, error=run.error)
    results: EngineResults = {}
    by_file = _ByDataFile(run.results)
    for unit in plan.units:
        outcomes: dict[str, RuleOutcome] = {}
        for rule in rules:
            if rule.reads == "own" and plan.project:
                parts = plan.pooled.get(unit, {}).get(plan.cluster_of[rule.id], [])
                outcomes[rule.id] = _pooled_outcome(rule, parts, by_file)
            else:
                path = plan.projected.get(unit, {}).get(rule.id)
                outcomes[rule.id] = _copied(rule, path, by_file)
        results[os.path.abspath(unit)] = outcomes
    failed = {os.path.abspath(unit): message for path, message in run.failed_files.items()
              for unit in plan.carriers.get(path, ())}
    return EngineRun(run.engine, results=results, failed_files=failed)


class _ByDataFile(dict[str, dict[str, RuleOutcome]]):
    """An engine's results looked up by data file path as the plan wrote it (absolute paths computed once)."""

    def __init__(self, results: EngineResults) -> None:
        super().__init__()
        self.results = results

    def __missing__(self, path: str) -> dict[str, RuleOutcome]:
        found = self.results.get(os.path.abspath(path), {})
        self[path] = found
        return found


def _copied(rule: Rule, path: str | None, results: _ByDataFile) -> RuleOutcome:
    if path is None:  # no resource of the rule's types: not evaluated, not applicable
        return _NOT_APPLICABLE
    outcome = results[path].get(rule.id)
    if outcome is None:
        return RuleOutcome(status=Status.ERROR, messages={"": "the engine returned no verdict"})
    return outcome


def _rename(text: str, pool_id: str, logical_id: str) -> str:
    """`text` (a JSON pointer, or an engine message quoting one) with the pool id replaced by the logical id
    wherever `/Resources/<pool id>` is not followed by a letter or digit (P1 in /Resources/P12 is not P1)."""
    needle = f"/Resources/{pool_id}"
    pieces = text.split(needle)
    if len(pieces) == 1:
        return text
    out = [pieces[0]]
    for piece in pieces[1:]:
        out.append(needle if piece[:1] in _ID_CHARACTERS else f"/Resources/{logical_id}")
        out.append(piece)
    return "".join(out)


def _pooled_outcome(rule: Rule, parts: list[tuple[str, str, str]], results: _ByDataFile) -> RuleOutcome:
    """The rule's outcome on one unit from its verdicts on the pooled definitions of the unit's resources."""
    if not parts:
        return _NOT_APPLICABLE
    outcome = RuleOutcome(status=Status.PASS)
    errored = False
    for logical_id, path, pool_id in parts:
        source = results[path].get(rule.id)
        if source is None:
            errored = True
            outcome.messages[logical_id] = "the engine returned no verdict"
        elif pool_id in source.failed:
            outcome.failed[logical_id] = [_rename(p, pool_id, logical_id) for p in source.failed[pool_id]]
            if pool_id in source.messages:
                outcome.messages[logical_id] = _rename(source.messages[pool_id], pool_id, logical_id)
            if pool_id in source.observed:
                outcome.observed[logical_id] = source.observed[pool_id]
        elif source.status is Status.FAIL and "" in source.failed:
            errored = True  # a failure the engine did not attribute to a resource cannot be shared out
            outcome.messages[logical_id] = "the engine reported a failure without naming the resource"
        elif source.status is Status.ERROR and pool_id not in source.passed and (
                pool_id in source.messages or "" in source.messages):
            errored = True
            outcome.messages[logical_id] = _rename(source.messages.get(pool_id) or source.messages[""], pool_id,
                                                   logical_id)
        elif pool_id in source.passed:
            outcome.passed.add(logical_id)
    if errored:
        outcome.status = Status.ERROR
    elif outcome.failed:
        outcome.status = Status.FAIL
    return outcome
