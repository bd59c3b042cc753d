"""Evidence JSON: the machine-readable record of a run, validated by `checker/schemas/evidence.schema.json`.

The contract CI scripts rely on: every finding's `rule_id`, `controls`, `severity`, `template`, `resource`,
`path`, `line`, `status`, `engines`, `scenario`, `message`, and the `summary` block. Keys are sorted and the
only time in the file is `RunResult.timestamp`, so the same run always gives the same bytes.
"""
from __future__ import annotations

from typing import Any

from checker.controls import ControlResult, control_results, status_counts
from checker.model import Finding, Rule, RunResult, Suppression, TemplateInput, Waiver
from checker.writers._common import (
    TOOL_NAME,
    applied_waivers,
    fail_severity_counts,
    indented_json,
    rules_by_id,
    sorted_findings,
    verdict,
    waived_count,
    waiver_key,
)
from checker.writers._common import status_counts as finding_status_counts

SCHEMA_VERSION = "1.0.0"


def waiver_dict(waiver: Waiver) -> dict[str, Any]:
    return {"rule": waiver.rule, "template": waiver.template, "resources": list(waiver.resources),
            "reason": waiver.reason, "approved_by": waiver.approved_by, "expires": waiver.expires.isoformat(),
            "index": waiver.index}


def _template(item: TemplateInput) -> dict[str, Any]:
    return {
        "path": item.path, "sha256": item.sha256, "bound_hit": item.bound_hit, "notes": list(item.notes),
        "scenarios": [{"name": s.name, "parameters": dict(s.parameters), "conditions": dict(s.conditions)}
                      for s in item.scenarios],
    }


def _inputs(result: RunResult) -> dict[str, Any]:
    waivers_file = None
    if result.waivers_file is not None:
        waivers_file = {"path": result.waivers_file, "sha256": result.waivers_sha256}
    return {
        "templates": [_template(t) for t in sorted(result.inputs, key=lambda t: t.path)],
        "ruleset": {"digest": result.ruleset_digest, "rules": len(result.rules),
                    "packs": sorted({r.pack for r in result.rules})},
        "waivers_file": waivers_file,
        "policy_parameters": dict(result.parameters),
    }


def _finding(finding: Finding, rule: Rule | None) -> dict[str, Any]:
    waiver = None
    if finding.waiver is not None:
        waiver = {"reason": finding.waiver.reason, "approved_by": finding.waiver.approved_by,
                  "expires": finding.waiver.expires.isoformat(), "index": finding.waiver.index}
    return {
        "id": finding.fingerprint, "rule_id": finding.rule_id, "title": rule.title if rule else finding.rule_id,
        "controls": list(finding.controls), "severity": finding.severity.value, "template": finding.template,
        "resource": finding.resource, "resource_type": finding.resource_type, "path": finding.path,
        "line": finding.line if finding.line and finding.line >= 1 else None, "status": finding.status.value,
        "engines": {v.engine: {"status": v.status.value, "message": v.message} for v in finding.engines},
        "scenario": finding.scenario, "scenarios": list(finding.scenarios), "message": finding.message,
        "observed": finding.observed, "unresolved": finding.unresolved, "waiver": waiver,
        "remediation": rule.remediation if rule else "",
    }


def _control(item: ControlResult) -> dict[str, Any]:
    return {"id": item.control.id, "title": item.control.title, "theme": item.control.theme,
            "assessable": item.control.assessable, "status": item.status.value, "rules": list(item.rules),
            "counts": dict(item.counts), "reason": item.reason}


def _suppression(item: Suppression) -> dict[str, Any]:
    return {"template": item.template, "resource": item.resource, "tool": item.tool, "rules": list(item.rules),
            "comment": item.comment}


def _suppression_key(item: Suppression) -> tuple[str, str, str, tuple[str, ...]]:
    return (item.template, item.resource or "", item.tool, item.rules)


def evidence(result: RunResult) -> dict[str, Any]:
    """The evidence document as plain data (what `render` serialises)."""
    findings = sorted_findings(result)
    rules = rules_by_id(result)
    controls = control_results(result)
    tools = dict(result.tools)
    tools[TOOL_NAME] = result.tool_version
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": result.tool_version},
        "generated_at": result.timestamp,
        "inputs": _inputs(result),
        "tools": tools,
        "engines_run": sorted(result.engines_run),
        "fail_on": result.fail_on.value,
        "summary": {
            "verdict": verdict(result.exit_code),
            "exit_code": result.exit_code, "by_status": finding_status_counts(findings),
            "by_severity": fail_severity_counts(findings), "templates": len(result.inputs),
            "rules": len(result.rules), "findings": len(findings), "controls": status_counts(controls),
        },
        "findings": [_finding(f, rules.get(f.rule_id)) for f in findings],
        "controls": [_control(c) for c in controls],
        "waivers": {
            "applied": [dict(waiver_dict(w), findings=waived_count(result, w)) for w in applied_waivers(result)],
            "unused": [waiver_dict(w) for w in sorted(result.unused_waivers, key=waiver_key)],
        },
        "suppressions": [_suppression(s) for s in sorted(result.suppressions, key=_suppression_key)],
        "skipped_files": [{"path": p, "reason": r} for p, r in sorted(result.skipped_files)],
        "notes": list(result.notes),
    }


class JsonWriter:
    name = "json"
    extension = "json"
    media_type = "application/json"

    def render(self, result: RunResult) -> str:
        return indented_json(evidence(result))

