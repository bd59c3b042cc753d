"""IAM_USER_NO_DIRECT_POLICIES: IAM users get permissions only through groups or roles."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class IamUserNoDirectPolicies(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="IAM users get permissions only through groups or roles",
                         id="IAM_USER_NO_DIRECT_POLICIES", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::IAM::User", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy",
                                              "AWS::IAM::UserPolicy"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        resource_type = conf.get("Type")
        props = properties(conf)
        if resource_type == "AWS::IAM::UserPolicy":
            return CheckResult.FAILED
        if resource_type == "AWS::IAM::User" and ("Policies" in props or "ManagedPolicyArns" in props):
            return CheckResult.FAILED
        if resource_type in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and "Users" in props:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = IamUserNoDirectPolicies()
