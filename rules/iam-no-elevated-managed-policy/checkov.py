"""IAM_NO_ELEVATED_MANAGED_POLICY: no role, user or group attaches AdministratorAccess, PowerUserAccess or IAMFullAccess."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties

ELEVATED_POLICY = re.compile(r":iam::aws:policy.(AdministratorAccess|PowerUserAccess|IAMFullAccess)$")


def _arn_text(value: Any) -> str | None:
    """The ARN string to judge: a literal, or the template string of a raw Fn::Sub."""
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        value = value["Fn::Sub"]
        if isinstance(value, list):
            value = value[0] if value else None
    return value if isinstance(value, str) else None


class IamNoElevatedManagedPolicy(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="No IAM principal attaches an elevated AWS-managed policy",
                         id="IAM_NO_ELEVATED_MANAGED_POLICY", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        for value in as_list(properties(conf).get("ManagedPolicyArns")):
            text = _arn_text(value)
            if text is not None and ELEVATED_POLICY.search(text):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = IamNoElevatedManagedPolicy()
