"""Pure merge: each engine's outcome per variant document -> one Finding per (template, rule, resource).

Per variant and resource, the two engines' verdicts combine as: ERROR if either errored; FAIL if both fail;
a DISAGREEMENT (one FAIL, the other not) is an ERROR naming both verdicts, never a coin toss; otherwise PASS
(or SKIP when neither applied). Over the variants of a template: ERROR if any, else FAIL if any, else PASS.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.engines import RuleOutcome
from checker.model import EngineVerdict, Finding, Rule, Status

ENGINE_LABEL = {"guard": "cfn-guard", "checkov": "checkov"}
RANK = {Status.ERROR: 3, Status.FAIL: 2, Status.PASS: 1, Status.SKIP: 0, Status.WAIVED: 0}


@dataclass(frozen=True)
class Verdict:
    """One engine's verdict on one rule for one resource (or the template) in one variant."""

    status: Status
    message: str = ""
    path: str = ""  # JSON pointer, e.g. "/Resources/Db/Properties/StorageEncrypted"
    observed: Any = None


@dataclass(frozen=True)
class VariantRun:
    """What the engines said about one variant document of a template."""

    scenarios: tuple[str, ...]  # names of the scenarios this document stands for
    resources: Mapping[str, str]  # logical id -> resource type
    outcomes: Mapping[str, Mapping[str, RuleOutcome]]  # engine -> rule id -> outcome
    errors: Mapping[str, str] = field(default_factory=dict)  # engine -> error that stopped it


@dataclass(frozen=True)
class TemplateContext:
    path: str  # as shown in findings: relative to the working directory, posix
    line_of: Callable[[str], int | None]
    resource_line: Callable[[str], int | None]
    unresolved: tuple[str, ...] = ()


def message_text(message: str) -> str:
    """The first meaningful line of an engine message, without a leading `Violation:`."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    for line in lines:
        if line.lower().startswith("violation:"):
            return line.split(":", 1)[1].strip()
    return lines[0] if lines else ""


def _resource_verdict(outcome: RuleOutcome, logical_id: str) -> Verdict:
    if logical_id in outcome.failed:
        paths = outcome.failed[logical_id]
        return Verdict(Status.FAIL, outcome.messages.get(logical_id, ""), paths[0] if paths else "",
                       outcome.observed.get(logical_id))
    errored = outcome.status is Status.ERROR and logical_id not in outcome.passed
    if errored and (logical_id in outcome.messages or "" in outcome.messages):
        return Verdict(Status.ERROR, outcome.messages.get(logical_id) or outcome.messages[""])
    if outcome.status is Status.FAIL and set(outcome.failed) == {""}:
        return Verdict(Status.FAIL, outcome.messages.get("", ""), "")  # failed without naming a resource
    return Verdict(Status.PASS)


def _template_verdict(outcome: RuleOutcome) -> Verdict:
    if outcome.status is Status.FAIL:
        key = "" if "" in outcome.failed else next(iter(outcome.failed), "")
        paths = outcome.failed.get(key) or []
        return Verdict(Status.FAIL, outcome.messages.get(key, next(iter(outcome.messages.values()), "")),
                       paths[0] if paths else "", outcome.observed.get(key))
    if outcome.status is Status.ERROR:
        return Verdict(Status.ERROR, next(iter(outcome.messages.values()), "no verdict"))
    return Verdict(outcome.status)


def engine_verdict(run: VariantRun, engine: str, rule: Rule, key: str | None) -> Verdict:
    """`engine`'s verdict on `rule` for resource `key` (None: the template) in this variant."""
    if engine in run.errors:
        return Verdict(Status.ERROR, run.errors[engine])
    outcome = run.outcomes.get(engine, {}).get(rule.id)
    if outcome is None:
        return Verdict(Status.ERROR, f"{ENGINE_LABEL.get(engine, engine)} returned no verdict")
    return _template_verdict(outcome) if key is None else _resource_verdict(outcome, key)


def combine(verdicts: Mapping[str, Verdict]) -> Verdict:
    """The variant's verdict from every engine that ran (see module doc)."""
    errors = [v for v in verdicts.values() if v.status is Status.ERROR]
    if errors:
        return errors[0]
    fails = [e for e, v in verdicts.items() if v.status is Status.FAIL]
    if fails and len(fails) < len(verdicts):
        text = ", ".join(f"{ENGINE_LABEL.get(e, e)} {v.status.value}"
                         + (f" ({message_text(v.message)})" if v.message else "") for e, v in verdicts.items())
        return Verdict(Status.ERROR, f"engines disagree: {text}")
    if fails:
        return verdicts[fails[0]]
    if any(v.status is Status.PASS for v in verdicts.values()):
        return Verdict(Status.PASS)
    return Verdict(Status.SKIP)


def _by_type(runs: list[VariantRun]) -> dict[str, set[str]]:
    """Resource type -> logical ids of that type in any variant."""
    index: dict[str, set[str]] = {}
    for run in runs:
        for logical_id, type_ in run.resources.items():
            index.setdefault(type_, set()).add(logical_id)
    return index


def _keys(rule: Rule, runs: list[VariantRun], by_type: dict[str, set[str]]) -> list[str]:
    """Logical ids a resource-scoped rule applies to in any variant, plus any resource an engine failed."""
    keys: set[str] = set()
    for type_ in rule.resource_types:
        keys |= by_type.get(type_, set())
    for run in runs:
        for outcomes in run.outcomes.values():
            outcome = outcomes.get(rule.id)
            keys |= {k for k in (outcome.failed if outcome else {}) if k}
    return sorted(keys)


def merge_template(rules: tuple[Rule, ...], ctx: TemplateContext, runs: list[VariantRun],
                   engines: tuple[str, ...]) -> list[Finding]:
    """Every finding of one template: one per applicable resource, or one per template (scope/none applicable)."""
    findings: list[Finding] = []
    by_type = _by_type(runs)
    for rule in rules:
        keys: list[str | None] = [None] if rule.scope == "template" else list(_keys(rule, runs, by_type))
        if not keys:
            findings.append(_not_applicable(rule, ctx, runs, engines))
            continue
        for key in keys:
            per_variant = []
            for run in runs:
                if key is not None and key not in run.resources and not _failed_in(run, rule, key):
                    continue  # the resource does not exist in this variant (its Condition is false)
                verdicts = {e: engine_verdict(run, e, rule, key) for e in engines}
                per_variant.append((run, verdicts, combine(verdicts)))
            findings.append(_finding(rule, ctx, key, per_variant, engines))
    return findings


def _failed_in(run: VariantRun, rule: Rule, key: str) -> bool:
    return any(key in (o[rule.id].failed if rule.id in o else {}) for o in run.outcomes.values())


def _not_applicable(rule: Rule, ctx: TemplateContext, runs: list[VariantRun], engines: tuple[str, ...]) -> Finding:
    """SKIP (resource null) when the rule applies to nothing, unless an engine errored: then ERROR."""
    errors = [(e, run.errors[e]) for run in runs for e in engines if e in run.errors]
    errors += [(e, next(iter(o.messages.values()), "no verdict")) for run in runs for e in engines
               if (o := run.outcomes.get(e, {}).get(rule.id)) is not None and o.status is Status.ERROR]
    status = Status.ERROR if errors or not runs else Status.SKIP
    message = errors[0][1] if errors else f"no {', '.join(rule.resource_types)} in this template"
    if not runs:
        message = "no variant of this template was evaluated"
    verdicts = tuple(EngineVerdict(e, Status.ERROR if any(x == e for x, _ in errors) else Status.SKIP,
                                   next((m for x, m in errors if x == e), "")) for e in engines)
    return Finding(rule_id=rule.id, controls=rule.controls, severity=rule.severity, template=ctx.path,
                   resource=None, resource_type=None, path="", line=None, status=status, engines=verdicts,
                   scenario=_default_scenario(runs), message=message)


def _default_scenario(runs: list[VariantRun]) -> str:
    names = [name for run in runs for name in run.scenarios]
    return "defaults" if "defaults" in names or not names else names[0]


def _engine_summary(engine: str, verdicts: list[Verdict]) -> EngineVerdict:
    worst = max(verdicts, key=lambda v: RANK[v.status]) if verdicts else Verdict(Status.SKIP)
    return EngineVerdict(engine, worst.status, message_text(worst.message))


def _finding(rule: Rule, ctx: TemplateContext, key: str | None,
             per_variant: list[tuple[VariantRun, dict[str, Verdict], Verdict]], engines: tuple[str, ...]) -> Finding:
    status = max((v.status for _, _, v in per_variant), key=lambda s: RANK[s], default=Status.SKIP)
    chosen = [(run, verdicts, v) for run, verdicts, v in per_variant if v.status is status]
    scenarios = tuple(n for run, _, _ in chosen for n in run.scenarios) if status in (Status.FAIL, Status.ERROR) else ()
    first = chosen[0] if chosen else None
    verdict = first[2] if first else Verdict(Status.SKIP)
    guard = first[1].get("guard") if first else None
    pointer = (guard.path if guard and guard.path else verdict.path) or (f"/Resources/{key}" if key else "")
    observed = guard.observed if guard and guard.path else verdict.observed
    resource_type = next((run.resources[key] for run, _, _ in per_variant if key and key in run.resources), None)
    line = (ctx.line_of(pointer) if pointer else None) or (ctx.resource_line(key) if key else None)
    unresolved = _unresolved(observed, ctx.unresolved) if status is Status.FAIL else None
    text = _text(rule, status, verdict, first[1] if first else {})
    if unresolved:
        text += f" (unresolved: depends on parameter {unresolved} that has no value)"
    return Finding(
        rule_id=rule.id, controls=rule.controls, severity=rule.severity, template=ctx.path, resource=key,
        resource_type=resource_type, path=pointer.lstrip("/"), line=line, status=status,
        engines=tuple(_engine_summary(e, [vs[e] for _, vs, _ in per_variant if e in vs]) for e in engines),
        scenario=scenarios[0] if scenarios else _default_scenario([r for r, _, _ in per_variant]),
        message=f"{key}: {text}" if key else text, scenarios=scenarios,
        observed=observed if status is Status.FAIL else None, unresolved=unresolved is not None,
    )


def _text(rule: Rule, status: Status, verdict: Verdict, verdicts: Mapping[str, Verdict]) -> str:
    if status is Status.FAIL:
        guard, checkov = verdicts.get("guard", Verdict(Status.SKIP)), verdicts.get("checkov", Verdict(Status.SKIP))
        preferred = guard.message if "violation:" in guard.message.lower() else ""  # the rule's own words
        texts = [message_text(m) for m in (preferred, checkov.message, guard.message)]
        return next((t for t in texts if t), rule.title)
    if status is Status.ERROR:
        return message_text(verdict.message) or "no verdict"
    return rule.title if status is Status.PASS else "not applicable"


def _unresolved(value: Any, names: tuple[str, ...]) -> str | None:
    """The first unresolved parameter an intrinsic value depends on (Ref, Fn::Sub ${P}, nested), else None."""
    if not names:
        return None
    if isinstance(value, dict):
        ref = value.get("Ref")
        if isinstance(ref, str) and ref in names:
            return ref
        sub = value.get("Fn::Sub")
        template = sub[0] if isinstance(sub, list) and sub else sub
        if isinstance(template, str):
            hit = next((n for n in names if "${" + n + "}" in template), None)
            if hit:
                return hit
        return next((h for v in value.values() if (h := _unresolved(v, names))), None)
    if isinstance(value, list):
        return next((h for v in value if (h := _unresolved(v, names))), None)
    return None
