"""Per-control status: what the findings of the rules mapped to each Annex A control say about it.

A control's status is the worst verdict among the findings of its rules: ERROR over FAIL over WAIVED over
PASS. A control with no PASS/FAIL/WAIVED/ERROR finding is NOT_ASSESSED, always with a reason, so that a control
nothing looked at can never be mistaken for a compliant one.
"""
from __future__ import annotations

from dataclasses import dataclass

from checker.model import Control, ControlStatus, Finding, RunResult, Status

_PRECEDENCE = (
    (Status.ERROR, ControlStatus.ERROR),
    (Status.FAIL, ControlStatus.FAIL),
    (Status.WAIVED, ControlStatus.WAIVED),
    (Status.PASS, ControlStatus.PASS),
)
NOT_ASSESSABLE = "Cannot be evidenced from a CloudFormation template."
NO_RULE = "No rule in the selected rule packs maps to this control yet."
NO_FINDING = "No resource in the checked templates is subject to its rules ({rules})."
ALL_SKIPPED = "Every finding of its rules was SKIP: no resource in the checked templates is subject to them ({rules})."


@dataclass(frozen=True)
class ControlResult:
    """The verdict on one control, with the rules that map to it and how many findings had each status."""

    control: Control
    status: ControlStatus
    rules: tuple[str, ...]  # rule ids mapped to the control, sorted
    counts: tuple[tuple[str, int], ...]  # (Status value, count) for every Status, in Status order
    reason: str

    @property
    def applicable(self) -> bool:
        """Whether a CloudFormation template can evidence the control at all (the catalogue's `assessable`)."""
        return self.control.assessable

    def count(self, status: Status) -> int:
        return dict(self.counts)[status.value]


def _reason(control: Control, status: ControlStatus, rules: tuple[str, ...], counts: dict[Status, int]) -> str:
    if not control.assessable:
        return control.note or NOT_ASSESSABLE
    if not rules:
        return NO_RULE
    listed = ", ".join(rules)
    if status is ControlStatus.NOT_ASSESSED:
        return ALL_SKIPPED.format(rules=listed) if counts[Status.SKIP] else NO_FINDING.format(rules=listed)
    parts = [f"{counts[s]} {s.value}" for s in Status if counts[s]]
    return f"Findings of {listed}: {', '.join(parts)}."


def _status(counts: dict[Status, int]) -> ControlStatus:
    for finding_status, control_status in _PRECEDENCE:
        if counts[finding_status]:
            return control_status
    return ControlStatus.NOT_ASSESSED


def _one(control: Control, rules: tuple[str, ...], findings: list[Finding]) -> ControlResult:
    counts = {status: 0 for status in Status}
    for finding in findings:
        counts[finding.status] += 1
    status = _status(counts)
    return ControlResult(
        control=control, status=status, rules=rules,
        counts=tuple((s.value, counts[s]) for s in Status),
        reason=_reason(control, status, rules, counts),
    )


def control_results(result: RunResult) -> list[ControlResult]:
    """One `ControlResult` per control of the catalogue, in catalogue order.

    A finding counts for a control when its rule maps to the control or the finding itself names it (an ERROR
    finding for a rule that failed to load still carries the rule's controls).
    """
    rules_by_control: dict[str, set[str]] = {c.id: set() for c in result.controls}
    for rule in result.rules:
        for control_id in rule.controls:
            rules_by_control.setdefault(control_id, set()).add(rule.id)
    findings_by_control: dict[str, list[Finding]] = {c.id: [] for c in result.controls}
    for finding in result.findings:
        targets = set(finding.controls)
        targets.update(cid for cid, rule_ids in rules_by_control.items() if finding.rule_id in rule_ids)
        for control_id in sorted(targets):
            if control_id in findings_by_control:
                findings_by_control[control_id].append(finding)
                rules_by_control[control_id].add(finding.rule_id)
    return [_one(c, tuple(sorted(rules_by_control[c.id])), findings_by_control[c.id]) for c in result.controls]


def status_counts(results: list[ControlResult]) -> dict[str, int]:
    """How many controls have each status (every ControlStatus present, zeros included)."""
    counts = {s.value: 0 for s in ControlStatus}
    for item in results:
        counts[item.status.value] += 1
    return counts
