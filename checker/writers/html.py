"""One self-contained HTML evidence report: executive summary, Statement of Applicability, evidence per control.

Inline CSS only (no scripts, fonts or images; a CSP meta tag forbids loading anything), printable to PDF, and
rendered by Jinja2 with autoescape on, so nothing taken from a template can become markup. The per-finding rows
(the bulk of a large report) are written in Python with markupsafe's `escape` on every value from the run, the
escaping autoescape applies; tests/test_writers.py renders hostile values through both.
"""
from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

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
from checker.writers._jinja import observed, render

# Kept literally in templates/report.html.j2 (the test reads it back from the output).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'"


def _urgency(finding: Finding) -> tuple[bool, int]:
    """ERROR first (the checker could not decide), then failures from critical down; stable within a group."""
    return (finding.status is not Status.ERROR, -finding.severity.rank)


def badge(status: str) -> Markup:
    """A status badge; the template calls it too, so there is one definition."""
    return Markup(f'<span class="badge s-{escape(status.lower())}">{escape(status.replace("_", " "))}</span>')


def _where(finding: Finding) -> str:
    return f"{escape(finding.template)}:{escape(finding.line)}" if finding.line else str(escape(finding.template))


def _evidence_row(f: Finding) -> str:
    """One row of a control's evidence table. The rows are written here rather than in the Jinja template (a
    15,000-finding report has ~23,000 of them: 0.7 s through Jinja, ~0.1 s here); every value from the run is
    escaped with markupsafe, as autoescape does."""
    kind = f'<br><span class="muted">{escape(f.resource_type)}</span>' if f.resource_type else ""
    path = f'<br><span class="mono muted">{escape(f.path)}</span>' if f.path else ""
    more = (f'<br><span class="muted">failing in {len(f.scenarios)} scenarios</span>'
            if len(f.scenarios) > 1 else "")
    engines = "<br>".join(f"{escape(v.engine)}: {escape(v.status.value)}" for v in f.engines)
    waiver = (f'<br><span class="muted">Waived: {escape(f.waiver.reason)} ({escape(f.waiver.approved_by)}, until'
              f' {escape(f.waiver.expires.isoformat())})</span>' if f.waiver else "")
    seen = str(escape(observed(f.observed))) if f.observed is not None else ""
    if f.unresolved:
        seen += " <em>(unresolved)</em>"
    return (f'<tr><td>{badge(f.status.value)}</td><td><span class="mono">{escape(f.rule_id)}</span><br>'
            f'<span class="mono">{escape(f.resource or "(template)")}</span>{kind}</td><td><span class="mono">'
            f'{_where(f)}</span>{path}</td><td>{escape(f.scenario)}{more}</td><td>{engines}</td><td>'
            f'{escape(f.message)}{waiver}</td><td class="mono">{seen}</td></tr>\n')


def _action_row(f: Finding) -> str:
    return (f'<tr><td>{badge(f.status.value)}</td><td>{escape(f.severity.value)}</td><td class="mono">'
            f'{escape(f.rule_id)}</td><td class="mono">{escape(f.resource or "(template)")}</td><td class="mono">'
            f'{_where(f)}</td><td>{escape(f.scenario)}</td><td>{escape(f.message)}</td></tr>\n')


def _section(item: ControlResult, findings: list[Finding]) -> dict[str, Any]:
    rows = [f for f in findings if f.rule_id in item.rules or item.control.id in f.controls]
    return {"result": item, "anchor": "ctl-" + item.control.id.replace(".", "-"),
            "rows": Markup("".join(_evidence_row(f) for f in rows))}


def context(result: RunResult) -> dict[str, Any]:
    findings = sorted_findings(result)
    controls = control_results(result)
    actions = sorted((f for f in findings if f.status in (Status.FAIL, Status.ERROR)), key=_urgency)
    applied = applied_waivers(result)
    return {
        "tool": TOOL_NAME, "version": result.tool_version, "timestamp": result.timestamp,
        "verdict": verdict(result.exit_code), "exit_code": result.exit_code, "fail_on": result.fail_on.value,
        "engines": sorted(result.engines_run), "counts": finding_status_counts(findings),
        "severities": fail_severity_counts(findings), "control_counts": status_counts(controls),
        "controls": controls, "rules": rules_by_id(result),
        "sections": [_section(c, findings) for c in controls if c.status.value != "NOT_ASSESSED"],
        "actions": Markup("".join(_action_row(f) for f in actions)), "action_count": len(actions), "badge": badge,
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
