"""SG_RULES_HAVE_DESCRIPTIONS: every security group rule has a non-empty Description."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

_NON_BLANK = re.compile(r"\S")


def _described(rule: Any) -> bool:
    if not isinstance(rule, dict) or "Description" not in rule:
        return False
    description = rule["Description"]
    return not isinstance(description, str) or bool(_NON_BLANK.search(description))


class SgRulesHaveDescriptions(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Security group rules have descriptions",
                         id="SG_RULES_HAVE_DESCRIPTIONS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress",
                                              "AWS::EC2::SecurityGroupEgress"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if conf.get("Type") != "AWS::EC2::SecurityGroup":
            return CheckResult.PASSED if _described(props) else CheckResult.FAILED
        for key in ("SecurityGroupIngress", "SecurityGroupEgress"):
            rules = props.get(key, [])
            if not isinstance(rules, list) or not all(_described(r) for r in rules):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = SgRulesHaveDescriptions()
