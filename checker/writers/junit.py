"""JUnit XML: a testsuite per template, a testcase per (rule, resource), so CI dashboards show compliance as tests.

FAIL is a `<failure>` (type = severity), ERROR an `<error>`, SKIP a `<skipped/>`, WAIVED a `<skipped>` whose
message says who accepted the risk and until when, so waived debt stays visible. Built with ElementTree, which
escapes every attribute and text; characters XML 1.0 cannot carry are replaced.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from itertools import groupby

from checker.model import Finding, RunResult, Status
from checker.writers._common import TOOL_NAME, resource_label, rules_by_id, sorted_findings

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _detail(finding: Finding, remediation: str) -> str:
    where = f"{finding.template}:{finding.line}" if finding.line else finding.template
    lines = [
        finding.message,
        f"location: {where}",
        f"path: {finding.path}",
        f"resource: {resource_label(finding)} ({finding.resource_type or 'template'})",
        f"scenario: {finding.scenario}",
    ]
    if finding.scenarios:
        lines.append(f"failing scenarios: {'; '.join(finding.scenarios)}")
    lines.append(f"controls: {', '.join(finding.controls)}")
    lines += [f"{v.engine}: {v.status.value} {v.message}".rstrip() for v in finding.engines]
    if finding.unresolved:
        lines.append("value: unresolved (depends on something the checker could not resolve)")
    if remediation:
        lines.append(f"remediation: {' '.join(remediation.split())}")
    return _clean("\n".join(lines))


def _testcase(parent: ET.Element, finding: Finding, remediation: str) -> None:
    case = ET.SubElement(parent, "testcase", {
        "name": _clean(f"{finding.rule_id}[{resource_label(finding)}]"), "classname": finding.rule_id,
        "file": _clean(finding.template), "line": str(finding.line or 1), "time": "0",
    })
    message = _clean(f"[{finding.severity.value}] {finding.message}")
    if finding.status is Status.FAIL:
        ET.SubElement(case, "failure", {"message": message, "type": finding.severity.value}).text = \
            _detail(finding, remediation)
    elif finding.status is Status.ERROR:
        ET.SubElement(case, "error", {"message": message, "type": "ERROR"}).text = _detail(finding, remediation)
    elif finding.status is Status.SKIP:
        ET.SubElement(case, "skipped", {"message": _clean(finding.message or "not applicable")})
    elif finding.status is Status.WAIVED:
        waiver = finding.waiver
        text = (f"waived: {waiver.reason} ({waiver.approved_by}, until {waiver.expires.isoformat()})"
                if waiver else "waived")
        ET.SubElement(case, "skipped", {"message": _clean(text)})


def _counts(findings: list[Finding]) -> dict[str, str]:
    return {
        "tests": str(len(findings)),
        "failures": str(sum(f.status is Status.FAIL for f in findings)),
        "errors": str(sum(f.status is Status.ERROR for f in findings)),
        "skipped": str(sum(f.status in (Status.SKIP, Status.WAIVED) for f in findings)),
        "time": "0",
    }


def junit_tree(result: RunResult) -> ET.Element:
    findings = sorted_findings(result)
    rules = rules_by_id(result)
    hashes = {t.path: t.sha256 for t in result.inputs}
    root = ET.Element("testsuites", {"name": TOOL_NAME, **_counts(findings)})
    templates = sorted(set(hashes) | {f.template for f in findings})
    by_template = {k: list(g) for k, g in groupby(findings, key=lambda f: f.template)}
    for template in templates:
        items = by_template.get(template, [])
        suite = ET.SubElement(root, "testsuite", {"name": _clean(template), **_counts(items),
                                                  "timestamp": result.timestamp.removesuffix("Z")})
        props = ET.SubElement(suite, "properties")
        controls = sorted({c for f in items for c in f.controls})
        for name, value in (("template.sha256", hashes.get(template, "")), ("controls", ", ".join(controls)),
                            ("tool.version", result.tool_version), ("ruleset.digest", result.ruleset_digest),
                            ("fail_on", result.fail_on.value)):
            ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        for finding in items:
            rule = rules.get(finding.rule_id)
            _testcase(suite, finding, rule.remediation if rule else "")
    return root


class JunitWriter:
    name = "junit"
    extension = "junit.xml"
    media_type = "application/xml"

    def render(self, result: RunResult) -> str:
        root = junit_tree(result)
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
