"""IAM_NO_SERVICE_WILDCARD_ACTIONS: IAM policies grant no service-wide wildcard actions (service:* or *)."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, iam_allow_statements_ok

RESOURCE_TYPES = (
    'AWS::IAM::Policy',
    'AWS::IAM::ManagedPolicy',
    'AWS::IAM::RolePolicy',
    'AWS::IAM::UserPolicy',
    'AWS::IAM::GroupPolicy',
    'AWS::IAM::Role',
    'AWS::IAM::User',
    'AWS::IAM::Group',
)

SERVICE_WILDCARD = re.compile(r"^(\*|\*:\*|[A-Za-z0-9-]+:\*)$")


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    if "NotAction" in statement:
        return False
    if "Action" in statement:
        actions = as_list(statement["Action"])
        if any(not isinstance(a, str) or SERVICE_WILDCARD.match(a) for a in actions):
            return False
    return True


class IamNoServiceWildcardActions(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="IAM policies grant no service-wide wildcard actions (service:* or *)", id="IAM_NO_SERVICE_WILDCARD_ACTIONS", categories=[CheckCategories.IAM],
                         supported_resources=list(RESOURCE_TYPES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        ok = iam_allow_statements_ok(conf, _allow_statement_ok)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = IamNoServiceWildcardActions()
