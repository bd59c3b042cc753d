"""IAM_TRUST_POLICY_RESTRICTED: role trust policies name who may assume the role."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, policy_statements, properties


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    if "NotPrincipal" in statement or "NotAction" in statement or "Principal" not in statement:
        return False
    principal = statement["Principal"]
    if isinstance(principal, str):
        return principal != "*"
    if isinstance(principal, dict):
        values = [v for entry in principal.values() for v in as_list(entry)]
        return not any(isinstance(v, str) and "*" in v for v in values)
    return True


class IamTrustPolicyRestricted(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Role trust policies name who may assume the role (no wildcard principal)",
                         id="IAM_TRUST_POLICY_RESTRICTED", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::IAM::Role"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        statements = policy_statements(properties(conf).get("AssumeRolePolicyDocument"))
        if statements is None:
            return CheckResult.FAILED
        for statement in statements:
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                return CheckResult.FAILED
            if statement["Effect"] == "Allow" and not _allow_statement_ok(statement):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = IamTrustPolicyRestricted()
