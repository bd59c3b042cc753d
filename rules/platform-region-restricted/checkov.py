"""PLATFORM_REGION_RESTRICTED: the template refuses to deploy outside the allowed regions (template scope).

Checkov hangs the verdict on every AWS:: resource: all pass or all fail with the template.
"""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, scanned_template

REGION = {"Ref": "AWS::Region"}


def _restricts(assertion: Any, allowed: list[Any]) -> bool:
    if not isinstance(assertion, dict) or len(assertion) != 1:
        return False
    contains, equals = assertion.get("Fn::Contains"), assertion.get("Fn::Equals")
    if isinstance(contains, list) and len(contains) == 2 and contains[1] == REGION:
        regions = contains[0]
        return isinstance(regions, list) and bool(regions) and all(r in allowed for r in regions)
    if isinstance(equals, list) and len(equals) == 2:
        left, right = equals
        return (left == REGION and right in allowed) or (right == REGION and left in allowed)
    return False


def region_restricted(template: dict[str, Any], allowed: list[Any]) -> bool:
    rules = template.get("Rules")
    if not isinstance(rules, dict):
        return False
    for rule in rules.values():
        if not isinstance(rule, dict) or "RuleCondition" in rule or not isinstance(rule.get("Assertions"), list):
            continue
        if any(isinstance(a, dict) and _restricts(a.get("Assert"), allowed) for a in rule["Assertions"]):
            return True
    return False


class PlatformRegionRestricted(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="The template refuses to deploy outside the allowed regions",
                         id="PLATFORM_REGION_RESTRICTED", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::*"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        allowed = list(parameter("allowed_regions"))
        return CheckResult.PASSED if region_restricted(template, allowed) else CheckResult.FAILED


check = PlatformRegionRestricted()
