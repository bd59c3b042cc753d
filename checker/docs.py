"""Generate docs/rules.md (the rule table) and docs/controls.md (control coverage) from rules/.

Which rules cover a control is computed from the rules, never kept by hand; a test regenerates both files and
fails when the committed copies are stale. Run `python -m checker.docs` to rewrite them.
"""
from __future__ import annotations

import sys
from pathlib import Path

from checker.catalogue import RULES_DIR, load_controls, load_rules
from checker.model import Control, Rule

DOCS_DIR = RULES_DIR.parent / "docs"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def rules_markdown(rules: tuple[Rule, ...]) -> str:
    lines = [
        "# Rules",
        "",
        "Generated from `rules/` by `python -m checker.docs`; do not edit by hand.",
        "Each rule is implemented twice, in Guard (`rule.guard`) and Checkov (`checkov.py`/`checkov.yaml`),",
        "and both engines must agree on every case in its `tests.yaml`.",
        "",
        (f"{len(rules)} rules: {sum(r.pack == 'iso27001' for r in rules)} in the `iso27001` pack, "
        f"{sum(r.pack == 'platform' for r in rules)} in the `platform` pack."),
        "",
        "| Rule | Severity | Pack | Controls | Resource types | Title |",
        "|---|---|---|---|---|---|",
    ]
    for rule in rules:
        lines.append(f"| [`{rule.id}`](#{rule.id.lower()}) | {rule.severity.value} | {rule.pack} | "
                     f"{', '.join(rule.controls)} | {_cell(', '.join(rule.resource_types))} | {_cell(rule.title)} |")
    for rule in rules:
        lines += [
            "",
            f"## {rule.id.lower()}",
            "",
            f"**`{rule.id}`**: {rule.title}",
            "",
            f"- Severity: {rule.severity.value}; pack: {rule.pack}; scope: {rule.scope}",
            f"- Controls: {', '.join(rule.controls)}",
            f"- Resource types: {', '.join(rule.resource_types)}",
            (f"- Implementation: [`{rule.guard_file}`](../{rule.guard_file}), "
            f"[`{rule.checkov_file}`](../{rule.checkov_file}), cases in [`tests.yaml`](../{rule.folder}/tests.yaml)"),
        ]
        if rule.parameters:
            lines.append(f"- Policy parameters: {', '.join(f'`{p}`' for p in rule.parameters)}")
        lines += ["", f"**Why.** {_cell(rule.rationale)}", "", f"**Fix.** {_cell(rule.remediation)}"]
        if rule.references:
            lines += ["", "References:"] + [f"- {_cell(r)}" for r in rule.references]
    return "\n".join(lines) + "\n"


def controls_markdown(controls: tuple[Control, ...], rules: tuple[Rule, ...]) -> str:
    covering: dict[str, list[str]] = {c.id: [] for c in controls}
    for rule in rules:
        for control_id in rule.controls:
            covering[control_id].append(rule.id)
    assessable = [c for c in controls if c.assessable]
    covered = [c for c in assessable if covering[c.id]]
    lines = [
        "# ISO/IEC 27001:2022 Annex A coverage",
        "",
        "Generated from `rules/` by `python -m checker.docs`; do not edit by hand.",
        "",
        (f"{len(controls)} controls; {len(assessable)} can be evidenced from a CloudFormation template, "
        f"{len(covered)} of them by at least one rule; {len(controls) - len(assessable)} cannot "
        "(people, physical and most organisational controls) and are reported as NOT_ASSESSED with the reason."),
        "",
        "| Control | Title | Theme | Assessable | Rules | Note |",
        "|---|---|---|---|---|---|",
    ]
    for control in controls:
        rule_links = ", ".join(f"[`{r}`](rules.md#{r.lower()})" for r in sorted(covering[control.id]))
        lines.append(f"| {control.id} | {_cell(control.title)} | {control.theme} | "
                     f"{'yes' if control.assessable else 'no'} | {rule_links or '-'} | {_cell(control.note)} |")
    return "\n".join(lines) + "\n"


def generated() -> dict[Path, str]:
    rules = load_rules()
    controls = load_controls()
    return {DOCS_DIR / "rules.md": rules_markdown(rules), DOCS_DIR / "controls.md": controls_markdown(controls, rules)}


def main() -> int:
    for path, text in generated().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(RULES_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
