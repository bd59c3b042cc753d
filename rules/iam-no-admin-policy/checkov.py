"""IAM_NO_ADMIN_POLICY: IAM policies do not grant full administrator access (Action * on Resource *)."""
from __future__ import annotations

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


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    def all_resources() -> bool:
        return "Resource" not in statement or "*" in as_list(statement["Resource"])

    if "Action" in statement:
        actions = as_list(statement["Action"])
        if any(not isinstance(a, str) for a in actions):
            return False
        if any(a in ("*", "*:*") for a in actions) and all_resources():
            return False
    return not ("NotAction" in statement and all_resources())


class IamNoAdminPolicy(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="IAM policies do not grant full administrator access (Action * on Resource *)", id="IAM_NO_ADMIN_POLICY", categories=[CheckCategories.IAM],
                         supported_resources=list(RESOURCE_TYPES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        ok = iam_allow_statements_ok(conf, _allow_statement_ok)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = IamNoAdminPolicy()
