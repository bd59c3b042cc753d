"""Domain objects shared by the pipeline and the writers. All frozen; writers are pure functions of `RunResult`."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Verdict of one rule on one resource (or template) after both engines, waivers and scenarios."""

    PASS = "PASS"
    FAIL = "FAIL"
    WAIVED = "WAIVED"
    SKIP = "SKIP"
    ERROR = "ERROR"


class ControlStatus(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    WAIVED = "WAIVED"
    ERROR = "ERROR"
    NOT_ASSESSED = "NOT_ASSESSED"


class Severity(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return ["low", "medium", "high", "critical"].index(self.value)


SEVERITY_BY_NAME = {s.value: s for s in Severity}
ENGINES = ("guard", "checkov")


@dataclass(frozen=True)
class Control:
    """One ISO/IEC 27001:2022 Annex A control (`A.8.24`) and whether a template can evidence it."""

    id: str
    title: str
    theme: str
    assessable: bool
    note: str = ""


@dataclass(frozen=True)
class Rule:
    """A rule as defined once in `rules/<folder>/rule.yaml`; the Guard and Checkov files hold only logic."""

    id: str
    title: str
    severity: Severity
    pack: str
    resource_types: tuple[str, ...]
    controls: tuple[str, ...]
    rationale: str
    remediation: str
    references: tuple[str, ...]
    folder: str  # path relative to the repository root, posix
    guard_file: str
    checkov_file: str
    parameters: tuple[str, ...] = ()
    scope: str = "resource"  # "resource": findings name a resource; "template": one finding per template
    # What a verdict depends on (checker/plan.py): "own" (a resource-scope rule's verdict on a resource depends on
    # that resource's definition alone), "types" (the definitions of `read_types`, the Type of every resource,
    # and the template sections in `read_sections`) or "template" (anything in the template).
    reads: str = "template"
    read_types: tuple[str, ...] = ()
    read_sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class EngineVerdict:
    engine: str  # "guard" | "checkov"
    status: Status
    message: str = ""


@dataclass(frozen=True)
class Waiver:
    rule: str
    resources: tuple[str, ...]
    reason: str
    approved_by: str
    expires: date
    template: str | None = None
    index: int = 0  # position in the waivers file, for messages


@dataclass(frozen=True)
class Finding:
    """The merged verdict of one rule on one resource of one template, over every scenario."""

    rule_id: str
    controls: tuple[str, ...]
    severity: Severity
    template: str  # path relative to the working directory, posix
    resource: str | None
    resource_type: str | None
    path: str  # e.g. "Resources/SensorDb/Properties/StorageEncrypted"
    line: int | None
    status: Status
    engines: tuple[EngineVerdict, ...]
    scenario: str  # the scenario the status refers to (first failing one, else "defaults")
    message: str
    scenarios: tuple[str, ...] = ()  # every scenario in which the rule failed
    observed: Any = None  # JSON-able value seen at `path`, when known
    unresolved: bool = False  # the value depends on something we could not resolve
    waiver: Waiver | None = None

    @property
    def fingerprint(self) -> str:
        """Stable id: independent of line numbers and messages, so moving code keeps the id."""
        key = json.dumps([self.rule_id, self.template, self.resource, self.path], sort_keys=True)
        return hashlib.sha256(key.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Suppression:
    """An engine-native suppression found in template Metadata; listed for reviewers, never honoured."""

    template: str
    resource: str | None
    tool: str  # "checkov" | "guard" | "cfn-lint" | "cfn_nag"
    rules: tuple[str, ...]
    comment: str = ""


@dataclass(frozen=True)
class Scenario:
    """One deployment the template allows: parameter values and the resulting condition values."""

    name: str  # "defaults" or "Env=prod, EnableX=false"
    parameters: tuple[tuple[str, str], ...]
    conditions: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class TemplateInput:
    path: str
    sha256: str
    scenarios: tuple[Scenario, ...]
    bound_hit: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    tool_version: str
    timestamp: str  # ISO 8601 UTC, e.g. "2026-11-26T12:00:00Z"
    inputs: tuple[TemplateInput, ...]
    rules: tuple[Rule, ...]
    controls: tuple[Control, ...]
    findings: tuple[Finding, ...]
    waivers: tuple[Waiver, ...] = ()
    unused_waivers: tuple[Waiver, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    tools: tuple[tuple[str, str], ...] = ()  # (name, version), sorted
    parameters: tuple[tuple[str, Any], ...] = ()  # policy parameters in force
    engines_run: tuple[str, ...] = ENGINES
    fail_on: Severity = Severity.LOW
    ruleset_digest: str = ""
    waivers_file: str | None = None
    waivers_sha256: str | None = None
    skipped_files: tuple[tuple[str, str], ...] = ()  # (path, reason) for files that are not templates
    notes: tuple[str, ...] = ()
    exit_code: int = 0
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
