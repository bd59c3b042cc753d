"""Markdown for a pull-request comment: verdict, counts, the worst failures, waivers and errors, kept short.

Lists are cut (with "and N more"); every value from a template is escaped for Markdown and, through Jinja2
autoescape, for HTML, so a logical id or message cannot inject markup or links into the comment.
"""
from __future__ import annotations

from typing import Any

from checker.controls import control_results, status_counts
from checker.model import Finding, RunResult, Status
from checker.writers._common import (
    TOOL_NAME,
    fail_severity_counts,
    sorted_findings,
    verdict,
)
from checker.writers._common import status_counts as finding_status_counts
from checker.writers._jinja import render

MAX_FAILURES = 20
MAX_OTHER = 8
MAX_NOTES = 3


def _worst_first(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: -f.severity.rank)  # stable: keeps the canonical order within a severity


def _cut(items: list[Any], limit: int) -> tuple[list[Any], int]:
    return items[:limit], max(0, len(items) - limit)


def context(result: RunResult) -> dict[str, Any]:
    findings = sorted_findings(result)
    failures, more_failures = _cut(_worst_first([f for f in findings if f.status is Status.FAIL]), MAX_FAILURES)
    errors, more_errors = _cut([f for f in findings if f.status is Status.ERROR], MAX_OTHER)
    waived, more_waived = _cut([f for f in findings if f.status is Status.WAIVED], MAX_OTHER)
    return {
        "tool": TOOL_NAME, "version": result.tool_version, "timestamp": result.timestamp,
        "verdict": verdict(result.exit_code), "exit_code": result.exit_code, "fail_on": result.fail_on.value,
        "counts": finding_status_counts(findings), "severities": fail_severity_counts(findings),
        "controls": status_counts(control_results(result)), "templates": sorted(t.path for t in result.inputs),
        "rules": len(result.rules), "engines": sorted(result.engines_run),
        "failures": failures, "more_failures": more_failures, "errors": errors, "more_errors": more_errors,
        "waived": waived, "more_waived": more_waived,
        "footnotes": _footnotes(result, findings),
    }


def _footnotes(result: RunResult, findings: list[Finding]) -> list[str]:
    notes = []
    if result.unused_waivers:
        notes.append(f"{len(result.unused_waivers)} unused waiver(s) can be retired.")
    if result.suppressions:
        notes.append(f"{len(result.suppressions)} engine-native suppression(s) found in template Metadata "
                     "(listed for review, not honoured).")
    unresolved = sum(1 for f in findings if f.unresolved and f.status is not Status.PASS)
    if unresolved:
        notes.append(f"{unresolved} finding(s) depend on values the checker could not resolve.")
    notes += [f"Note: {note}" for note in result.notes[:MAX_NOTES]]
    if len(result.notes) > MAX_NOTES:
        notes.append(f"…and {len(result.notes) - MAX_NOTES} more note(s).")
    if result.skipped_files:
        notes.append(f"{len(result.skipped_files)} file(s) skipped as not CloudFormation templates.")
    return notes


class MarkdownWriter:
    name = "markdown"
    extension = "md"
    media_type = "text/markdown"

    def render(self, result: RunResult) -> str:
        return render("report.md.j2", **context(result))
