"""IAM_NO_PASSROLE_WILDCARD: IAM policies do not allow iam:PassRole on any role."""
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

PASSROLE = re.compile(r"(?i)^(\*|\*:\*|iam:((p(a(s(s(r(o(l(e)?)?)?)?)?)?)?)?\*|passrole|.*\?.*|.*\*.+))$")
UNSCOPED = re.compile(r"^(\*|arn:[^:]+:s3:::\*(.\*)?|arn:[^:]+:([^s:][^:]*|s[^3:][^:]*|s3[^:]+|s):[^:]*:[^:]*:([A-Za-z0-9-]+.)?\*(.\*)?)$")


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    if "Action" not in statement:
        return True
    actions = as_list(statement["Action"])
    if any(not isinstance(a, str) for a in actions):
        return False
    if not any(PASSROLE.match(a) for a in actions):
        return True
    if "Resource" not in statement:
        return False
    return not any(isinstance(r, str) and UNSCOPED.match(r) for r in as_list(statement["Resource"]))


class IamNoPassroleWildcard(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="IAM policies do not allow iam:PassRole on any role", id="IAM_NO_PASSROLE_WILDCARD", categories=[CheckCategories.IAM],
                         supported_resources=list(RESOURCE_TYPES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        ok = iam_allow_statements_ok(conf, _allow_statement_ok)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = IamNoPassroleWildcard()
