"""SARIF 2.1.0 for GitHub code scanning: one run, one result per FAIL, ERROR or WAIVED finding.

GitHub wants relative artifact URIs, `startLine` >= 1 and a `security-severity` per rule; a waived finding is
reported with an accepted external suppression (so it shows as dismissed, with the justification), never dropped.
"""
from __future__ import annotations

from typing import Any

from checker.model import Finding, Rule, RunResult, Severity, Status
from checker.writers._common import (
    SECURITY_SEVERITY,
    TOOL_NAME,
    indented_json,
    relative_uri,
    rules_by_id,
    sorted_findings,
)

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "cfnIso27001/v1"
LEVEL = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}
REPORTED = (Status.FAIL, Status.ERROR, Status.WAIVED)


def _rule_descriptor(rule_id: str, rule: Rule | None, severity: Severity) -> dict[str, Any]:
    controls = list(rule.controls) if rule else []
    title = rule.title if rule else f"{rule_id} (not in the loaded rule set)"
    rationale = rule.rationale if rule else title
    remediation = rule.remediation if rule else "See the error message."
    anchor = rule_id.lower()
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("_")),
        "shortDescription": {"text": title},
        "fullDescription": {"text": rationale},
        "help": {"text": remediation,
                 "markdown": f"**{title}**\n\n{remediation}\n\nSee `docs/rules.md#{anchor}` in the checker."},
        "defaultConfiguration": {"level": LEVEL[severity]},
        "properties": {
            "tags": ["security", "iso27001", *controls],
            "security-severity": SECURITY_SEVERITY[severity],
            "controls": controls,
            "severity": severity.value,
            "pack": rule.pack if rule else "",
        },
    }


def _descriptors(result: RunResult, findings: list[Finding]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules = rules_by_id(result)
    severities = {rule_id: rule.severity for rule_id, rule in rules.items()}
    for finding in findings:
        severities.setdefault(finding.rule_id, finding.severity)
    ids = sorted(severities)
    return ([_rule_descriptor(i, rules.get(i), severities[i]) for i in ids], {i: n for n, i in enumerate(ids)})


def _location(finding: Finding) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": relative_uri(finding.template), "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": finding.line if finding.line and finding.line >= 1 else 1},
        },
        "message": {"text": finding.path or finding.template},
    }
    if finding.resource is not None:
        location["logicalLocations"] = [{"name": finding.resource, "kind": "resource",
                                         "fullyQualifiedName": f"{finding.template}#{finding.resource}"}]
    return location


def _result(finding: Finding, index: int) -> dict[str, Any]:
    level = "error" if finding.status is Status.ERROR else LEVEL[finding.severity]
    text = finding.message or f"{finding.rule_id} {finding.status.value} at {finding.path}"
    item: dict[str, Any] = {
        "ruleId": finding.rule_id, "ruleIndex": index, "level": level,
        "kind": "fail",
        "message": {"text": text},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "status": finding.status.value, "scenario": finding.scenario, "scenarios": list(finding.scenarios),
            "controls": list(finding.controls), "severity": finding.severity.value, "path": finding.path,
            "unresolved": finding.unresolved,
            "engines": {v.engine: {"status": v.status.value, "message": v.message} for v in finding.engines},
        },
    }
    if finding.waiver is not None or finding.status is Status.WAIVED:
        waiver = finding.waiver
        justification = (f"{waiver.reason} (approved by {waiver.approved_by}, expires {waiver.expires.isoformat()})"
                         if waiver else "waived")
        item["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]
    return item


def sarif_log(result: RunResult) -> dict[str, Any]:
    findings = [f for f in sorted_findings(result) if f.status in REPORTED]
    descriptors, index = _descriptors(result, findings)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": result.tool_version, "semanticVersion": result.tool_version,
                            "rules": descriptors}},
        "automationDetails": {"id": f"{TOOL_NAME}/"},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.rule_id]) for f in findings],
        "invocations": [{"executionSuccessful": result.exit_code in (0, 1), "exitCode": result.exit_code,
                         "endTimeUtc": result.timestamp}],
        "properties": {
            "inputs": [{"path": t.path, "sha256": t.sha256} for t in sorted(result.inputs, key=lambda t: t.path)],
            "rulesetDigest": result.ruleset_digest, "failOn": result.fail_on.value,
            "enginesRun": sorted(result.engines_run),
            "waiversFile": {"path": result.waivers_file, "sha256": result.waivers_sha256},
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifWriter:
    name = "sarif"
    extension = "sarif"
    media_type = "application/sarif+json"

    def render(self, result: RunResult) -> str:
        return indented_json(sarif_log(result))
