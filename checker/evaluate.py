"""The pipeline: discover, load, expand, run both engines once per batch, merge, apply waivers, decide.

Every variant document of every template is written as JSON into one temporary folder; cfn-guard (one
subprocess, in a worker thread) and Checkov (in process) then evaluate the whole batch side by side, once per
set of effective policy parameters. Engine failures become ERROR findings (fail closed), never passes.
"""
from __future__ import annotations

import json
import os
import platform
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from checker import __version__, loader
from checker.batch import guard_engine, run_engines
from checker.catalogue import PACKS, RULES_DIR, load_controls, load_parameters, load_rules, ruleset_digest
from checker.chunks import size_of
from checker.engines import EngineRun
from checker.errors import EngineError, TemplateError, UsageError
from checker.gate import exit_code, parse_timestamp
from checker.merge import TemplateContext, VariantRun, merge_template
from checker.model import ENGINES, Finding, Rule, RunResult, Scenario, Severity, TemplateInput, Waiver
from checker.plan import make_plan, unit_results
from checker.prepare import InputError, Prepared, Settings, display_path, prepare_all
from checker.waivers import DEFAULT_FILE, apply_waivers, file_sha256, load_waivers

RAM_SCRATCH = "/dev/shm"  # a RAM-backed file system on Linux; absent elsewhere (then the default is used)
SCRATCH_MIN_FREE = 256 * 1024 * 1024

# Policy parameters whose value depends on the scenario: name -> how to derive it from the scenario's parameters.
DERIVED_PARAMETERS: dict[str, Callable[[dict[str, Any], dict[str, str]], Any]] = {
    "name_suffix_value": lambda policy, values: _known(values.get(str(policy.get("name_suffix_parameter", "")))),
}


def _known(value: str | None) -> str | None:
    """A parameter value, unless the scenario marks it unknown ("<unset>", "<other>", "<ssm:...>")."""
    return None if value is None or (value.startswith("<") and value.endswith(">")) else value


@dataclass(frozen=True)
class Options:
    paths: tuple[str, ...]
    pins: tuple[tuple[str, str], ...] = ()
    region: str = "eu-west-2"
    max_scenarios: int = 64
    fail_on: Severity = Severity.LOW
    waivers: str | None = None
    engine: str = "both"
    packs: tuple[str, ...] = PACKS
    rule_ids: tuple[str, ...] = ()
    rules_dir: Path = RULES_DIR
    policy_parameters: str | None = None
    timestamp: str | None = None
    jobs: int = 1
    guard_timeout: float | None = None
    cwd: str = "."
    debug: bool = False
    skip_non_templates: bool = False
    project: bool = True  # plan the engines' work (checker/plan.py); False: every rule on every variant as is


@dataclass(frozen=True)
class Unit:
    """One data file handed to the engines: a variant document under one set of policy parameters."""

    template: int
    scenarios: tuple[Scenario, ...]
    document: dict[str, Any]
    group: str  # JSON of the effective policy parameters
    file: str = ""


def select_rules(options: Options) -> tuple[tuple[Rule, ...], set[str]]:
    """The rules to run, and every rule id of the catalogue (waivers may name rules of other packs)."""
    every = load_rules(options.rules_dir)
    selected = tuple(r for r in every if r.pack in options.packs)
    if options.rule_ids:
        known = {r.id for r in selected}
        unknown = [i for i in options.rule_ids if i not in known]
        if unknown:
            raise UsageError(f"--rule {unknown[0]}: no such rule in pack(s) {', '.join(options.packs)}")
        selected = tuple(r for r in selected if r.id in options.rule_ids)
    if not selected:
        raise UsageError(f"no rules selected (packs: {', '.join(options.packs)})")
    return selected, {r.id for r in every}


def _waivers(options: Options, rule_ids: set[str], today: date) -> tuple[tuple[Waiver, ...], str | None, str | None]:
    path = Path(options.waivers) if options.waivers else Path(options.cwd) / DEFAULT_FILE
    if not options.waivers and not path.is_file():
        return (), None, None
    waivers = load_waivers(path, rule_ids, today)
    return waivers, display_path(str(path), options.cwd), file_sha256(path)


def _effective(policy: dict[str, Any], rules: tuple[Rule, ...], template: Prepared, scenario: Scenario,
               pins: dict[str, str]) -> dict[str, Any]:
    wanted = {p for r in rules for p in r.parameters if p in DERIVED_PARAMETERS}
    if not wanted:
        return policy
    values = {**template.parameter_defaults, **pins, **dict(scenario.parameters)}
    derived = {name: DERIVED_PARAMETERS[name](policy, values) for name in sorted(wanted)}
    return {**policy, **{k: v for k, v in derived.items() if v is not None}}


def sanitise(document: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document without resources no engine can evaluate (not a mapping, or a Type that is not a string,
    such as a `Fn::Rain::Module` or an unexpanded `Fn::ForEach`), and the logical ids dropped.

    No rule can apply to such a resource (rules select resource types by name), and Checkov crashes on them."""
    resources = document.get("Resources")
    if not isinstance(resources, dict):
        return document, []
    bad = [str(k) for k, v in resources.items() if not isinstance(v, dict) or not isinstance(v.get("Type"), str)]
    if not bad:
        return document, []
    kept = {k: v for k, v in resources.items() if str(k) not in bad}
    return {**document, "Resources": kept}, bad


def build_units(prepared: list[Prepared], rules: tuple[Rule, ...], policy: dict[str, Any],
                pins: dict[str, str]) -> tuple[list[Unit], list[str]]:
    """Split each variant by effective policy parameters (one unit per distinct set, usually one); notes."""
    units: list[Unit] = []
    notes: list[str] = []
    for index, template in enumerate(prepared):
        dropped: set[str] = set()
        for variant in template.variants:
            document, bad = sanitise(variant.document)
            dropped.update(bad)
            by_group: dict[str, list[Scenario]] = {}
            for scenario in variant.scenarios or (Scenario("defaults", (), ()),):
                params = _effective(policy, rules, template, scenario, pins)
                by_group.setdefault(json.dumps(params, sort_keys=True), []).append(scenario)
            units += [Unit(index, tuple(s), document, g) for g, s in by_group.items()]
        if dropped:
            notes.append(f"{template.display}: not evaluated (no resource type the engines can read): "
                         + ", ".join(sorted(dropped)))
    return units, notes


def evaluate_units(options: Options, engines: tuple[str, ...], rules: tuple[Rule, ...], units: list[Unit],
                   workdir: Path) -> tuple[list[Unit], dict[str, dict[str, EngineRun]]]:
    """Plan the work for every distinct unit document, run the engines once per parameter group, and map their
    results back to the units (checker/plan.py)."""
    written: list[Unit] = []
    groups: dict[str, dict[str, dict[str, Any]]] = {}  # parameter group -> unit key -> document
    scopes: dict[str, object] = {}  # unit key -> its template (work is shared within a template only)
    by_content: dict[tuple[str, str], str] = {}  # identical documents (a template's JSON and YAML twins) once
    for unit in units:
        text = json.dumps(unit.document, sort_keys=True)
        key = by_content.get((unit.group, text))
        if key is None:
            key = str(workdir / f"unit-{len(by_content)}.json")
            by_content[(unit.group, text)] = key
            groups.setdefault(unit.group, {})[key] = unit.document
            scopes[key] = unit.template
        written.append(Unit(unit.template, unit.scenarios, unit.document, unit.group, key))
    runs: dict[str, dict[str, EngineRun]] = {}
    for number, (group, documents) in enumerate(sorted(groups.items())):
        params_file = workdir / f"params-{number}.json"
        params_file.write_text(json.dumps({"PolicyParameters": json.loads(group)}), encoding="utf-8")
        plan = make_plan(documents, rules, workdir, f"g{number}-", project=options.project, scopes=scopes)
        done = run_engines(engines, plan.jobs, str(params_file), options.rules_dir.parent, options.guard_timeout)
        runs[group] = {engine: unit_results(plan, rules, run) for engine, run in done.items()}
    return written, runs


def _variant_run(unit: Unit, runs: dict[str, EngineRun]) -> VariantRun:
    resources = unit.document.get("Resources")
    types = {str(k): str(v.get("Type")) for k, v in resources.items()
             if isinstance(v, dict)} if isinstance(resources, dict) else {}
    key = os.path.abspath(unit.file)
    return VariantRun(scenarios=tuple(s.name for s in unit.scenarios), resources=types,
                      outcomes={e: r.results.get(key, {}) for e, r in runs.items() if r.error is None},
                      errors={e: r.error for e, r in runs.items() if r.error is not None})


def merge_all(prepared: list[Prepared], units: list[Unit], runs: dict[str, dict[str, EngineRun]],
              rules: tuple[Rule, ...], engines: tuple[str, ...]) -> list[Finding]:
    findings: list[Finding] = []
    for index, template in enumerate(prepared):
        variant_runs = [_variant_run(u, runs[u.group]) for u in units if u.template == index]
        ctx = TemplateContext(template.display, template.line_of, template.resource_line, template.unresolved)
        findings += merge_template(rules, ctx, variant_runs, engines)
    return sorted(findings, key=lambda f: (f.template, f.rule_id, f.resource or "", f.path))


def tool_versions(engines: tuple[str, ...], runs: dict[str, dict[str, EngineRun]],
                  options: Options) -> tuple[tuple[str, str], ...]:
    """(name, version) of every tool that shaped the result; an engine that failed is "unavailable"."""
    tools = {"cfn-iso27001": __version__, "python": platform.python_version()}
    for dist in ("checkov", "cfn-lint"):
        try:
            tools[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            tools[dist] = "unavailable"
    if "guard" in engines:
        failed = any(r["guard"].error for r in runs.values() if "guard" in r)
        try:
            tools["cfn-guard"] = "unavailable" if failed else guard_engine(options.guard_timeout).version()
        except EngineError:
            tools["cfn-guard"] = "unavailable"
    return tuple(sorted(tools.items()))


def _notes(prepared: list[Prepared], errors: list[InputError], skipped: list[tuple[str, str]],
           engines: tuple[str, ...], runs: dict[str, dict[str, EngineRun]]) -> list[str]:
    notes: list[str] = []
    if engines != ENGINES:
        notes.append(f"only {engines[0]} ran (--engine {engines[0]}): findings carry that engine's verdict alone")
    for template in prepared:
        if template.bound_hit:
            notes.append(f"{template.display}: scenario bound hit; not every deployment was evaluated")
        if template.unresolved:
            notes.append(f"{template.display}: unresolved parameters (no default, no --parameter): "
                         + ", ".join(template.unresolved))
    if not prepared and not errors:
        notes.append("no CloudFormation template found in the paths given")
    for error in errors:
        notes.append(f"not checked: {error.message}")
    if skipped:
        notes.append(f"{len(skipped)} file(s) skipped as not CloudFormation templates")
    engine_errors = sorted({r.error for group in runs.values() for r in group.values() if r.error})
    notes += [f"engine error: {e}" for e in engine_errors]
    return notes


def _isolated(prepared: list[Prepared], units: list[Unit], runs: dict[str, dict[str, EngineRun]]) -> list[str]:
    """Notes naming the templates an engine failed on while it evaluated the others."""
    by_file = {os.path.abspath(u.file): u for u in units}
    notes = set()
    for group in runs.values():
        for run in group.values():
            for path, message in run.failed_files.items():
                unit = by_file.get(path)
                where = prepared[unit.template].display if unit else path
                notes.add(f"{where}: {run.engine} failed on this template ({message}); its findings are ERROR")
    return sorted(notes)


def _inputs(prepared: list[Prepared]) -> tuple[TemplateInput, ...]:
    inputs = []
    for template in prepared:
        seen: dict[str, Scenario] = {}
        for variant in template.variants:
            for scenario in variant.scenarios:
                seen.setdefault(scenario.name, scenario)
        inputs.append(TemplateInput(template.display, template.sha256, tuple(seen.values()),
                                    template.bound_hit, template.notes))
    return tuple(sorted(inputs, key=lambda i: i.path))


def _discover(options: Options) -> tuple[list[str], list[tuple[str, str]], list[InputError], set[str]]:
    """Templates to check, files skipped (display path, reason), explicitly named files that are not templates,
    and the set of templates named explicitly on the command line.

    A file named explicitly is asserted to be a template: if it is not one (empty, a JSON list, no Resources),
    that is an input error, unless `skip_non_templates` (pre-commit passes every YAML/JSON file it matched).
    """
    templates, skipped = loader.discover(list(options.paths))
    explicit = {os.path.abspath(p) for p in options.paths if os.path.isfile(p)}
    errors = []
    if not options.skip_non_templates:
        errors = [InputError(p, display_path(p, options.cwd), f"{display_path(p, options.cwd)}: {reason}")
                  for p, reason in skipped if os.path.abspath(p) in explicit]
        skipped = [(p, r) for p, r in skipped if os.path.abspath(p) not in explicit]
    return (templates, [(display_path(p, options.cwd), r) for p, r in skipped], errors,
            {t for t in templates if os.path.abspath(t) in explicit} | {e.path for e in errors})


def relevant_types(rules: tuple[Rule, ...]) -> frozenset[str] | None:
    """Resource types whose properties the rules inspect; None (enumerate everything) if a rule inspects all."""
    types = {t for rule in rules for t in rule.resource_types}
    wildcard = {t for t in types if "*" in t}
    if any(rule.scope == "resource" and set(rule.resource_types) & wildcard for rule in rules):
        return None
    return frozenset(types - wildcard)


def _load_inputs(options: Options, rules: tuple[Rule, ...], progress: Callable[[str, int], None] | None
                 ) -> tuple[list[Prepared], list[InputError], list[tuple[str, str]], set[str]]:
    """Discover, load and expand; raises TemplateError (one line per file) when no template could be read."""
    paths, skipped, errors, explicit = _discover(options)
    settings = Settings(dict(options.pins), options.region, options.max_scenarios, options.cwd, options.debug,
                        relevant_types(rules))
    results = prepare_all(paths, settings, options.jobs, progress)
    prepared = [r for r in results if isinstance(r, Prepared)]
    errors += [r for r in results if isinstance(r, InputError)]
    if errors and not prepared and not any(e.internal for e in errors):
        raise TemplateError("\n".join(e.message for e in errors))
    return prepared, errors, skipped, explicit


def scratch_parent(estimate: int) -> str | None:
    """Where the engines' data files are written: a RAM-backed file system when there is one with room to spare,
    else the system's temporary directory ($TMPDIR, when set, always wins). A run writes one small file per
    distinct document it hands the engines, thousands for a folder of templates, and creating a file on a disk
    costs ~0.2 ms against ~0.01 ms in memory. `estimate` is the input bytes times their variants; the data files
    take about as much, and four times that (at least SCRATCH_MIN_FREE) must be free."""
    if os.environ.get("TMPDIR"):
        return None
    try:
        stats = os.statvfs(RAM_SCRATCH)
    except OSError:
        return None
    free = stats.f_bavail * stats.f_frsize
    if free < max(SCRATCH_MIN_FREE, 4 * estimate) or not os.access(RAM_SCRATCH, os.W_OK | os.X_OK):
        return None
    return RAM_SCRATCH


def evaluate(options: Options, progress: Callable[[str, int], None] | None = None) -> RunResult:
    """Run the whole check; raises CheckerError for usage/rule/waiver errors and when nothing could be read."""
    timestamp = parse_timestamp(options.timestamp)
    rules, every_id = select_rules(options)
    policy = load_parameters(Path(options.policy_parameters) if options.policy_parameters else None,
                             rules_dir=options.rules_dir)
    waivers, waivers_file, waivers_sha = _waivers(options, every_id, date.fromisoformat(timestamp[:10]))
    engines = ENGINES if options.engine == "both" else (options.engine,)
    prepared, errors, skipped, explicit = _load_inputs(options, rules, progress)
    units, unit_notes = build_units(prepared, rules, policy, dict(options.pins))
    estimate = sum(size_of(t.path) * len(t.variants) for t in prepared)
    with tempfile.TemporaryDirectory(prefix="cfn-iso27001-", dir=scratch_parent(estimate)) as tmp:
        units, runs = evaluate_units(options, engines, rules, units, Path(tmp))
        findings = merge_all(prepared, units, runs, rules, engines)
    waived, unused = apply_waivers(tuple(findings), waivers)
    notes = _notes(prepared, errors, skipped, engines, runs) + unit_notes + _isolated(prepared, units, runs)
    notes += [f"waiver {w.index} ({w.rule}) matched no failing finding" for w in unused]
    suppressions = tuple(s for t in prepared for s in t.suppressions)
    if suppressions:
        notes.append(f"{len(suppressions)} engine-native suppression(s) found in template Metadata; not honoured")
    code = exit_code(waived, options.fail_on, input_errors=sum(e.path in explicit for e in errors))
    if any(e.internal for e in errors):
        code = 3
    return RunResult(
        tool_version=__version__, timestamp=timestamp, inputs=_inputs(prepared), rules=rules,
        controls=load_controls(options.rules_dir), findings=waived, waivers=waivers, unused_waivers=unused,
        suppressions=suppressions, tools=tool_versions(engines, runs, options),
        parameters=tuple(sorted(policy.items())), engines_run=engines, fail_on=options.fail_on,
        ruleset_digest=ruleset_digest(rules, options.rules_dir.parent), waivers_file=waivers_file,
        waivers_sha256=waivers_sha,
        skipped_files=tuple(sorted(skipped + [(e.display, f"error: {e.message}") for e in errors])),
        notes=tuple(notes), exit_code=code,
        extra={"input_errors": [e.message for e in errors]},
    )
