"""One self-contained HTML evidence report: executive summary, Statement of Applicability, evidence per control.

Inline CSS only (no scripts, fonts or images; a CSP meta tag forbids loading anything), printable to PDF, and
rendered by Jinja2 with autoescape on, so nothing taken from a template can become markup.
"""
from __future__ import annotations

from typing import Any

from checker.controls import ControlResult, control_results, status_counts
from checker.model import Finding, RunResult, Status
from checker.writers._common import (
    TOOL_NAME,
    applied_waivers,
    fail_severity_counts,
    rules_by_id,
    sorted_findings,
    verdict,
    waived_count,
    waiver_key,
)
from checker.writers._common import status_counts as finding_status_counts
from checker.writers._jinja import render

# Kept literally in templates/report.html.j2 (the test reads it back from the output).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def _urgency(finding: Finding) -> tuple[bool, int]:
    """ERROR first (the checker could not decide), then failures from critical down; stable within a group."""
    return (finding.status is not Status.ERROR, -finding.severity.rank)


def _section(item: ControlResult, findings: list[Finding]) -> dict[str, Any]:
    rows = [f for f in findings if f.rule_id in item.rules or item.control.id in f.controls]
    return {"result": item, "anchor": "ctl-" + item.control.id.replace(".", "-"), "findings": rows}


def context(result: RunResult) -> dict[str, Any]:
    findings = sorted_findings(result)
    controls = control_results(result)
    applied = applied_waivers(result)
    return {
        "tool": TOOL_NAME, "version": result.tool_version, "timestamp": result.timestamp,
        "verdict": verdict(result.exit_code), "exit_code": result.exit_code, "fail_on": result.fail_on.value,
        "engines": sorted(result.engines_run), "counts": finding_status_counts(findings),
        "severities": fail_severity_counts(findings), "control_counts": status_counts(controls),
        "controls": controls, "rules": rules_by_id(result),
        "sections": [_section(c, findings) for c in controls if c.status.value != "NOT_ASSESSED"],
        "actions": sorted((f for f in findings if f.status in (Status.FAIL, Status.ERROR)), key=_urgency),
        "waivers": [(w, waived_count(result, w)) for w in applied],
        "unused_waivers": sorted(result.unused_waivers, key=waiver_key),
        "suppressions": sorted(result.suppressions, key=lambda s: (s.template, s.resource or "", s.tool, s.rules)),
        "inputs": sorted(result.inputs, key=lambda t: t.path), "tools": sorted(result.tools),
        "ruleset_digest": result.ruleset_digest, "rule_count": len(result.rules),
        "packs": sorted({r.pack for r in result.rules}),
        "waivers_file": result.waivers_file, "waivers_sha256": result.waivers_sha256,
        "parameters": sorted(result.parameters, key=lambda p: p[0]), "skipped_files": sorted(result.skipped_files),
        "notes": list(result.notes),
    }


class HtmlWriter:
    name = "html"
    extension = "html"
    media_type = "text/html"

    def render(self, result: RunResult) -> str:
        return render("report.html.j2", **context(result))
