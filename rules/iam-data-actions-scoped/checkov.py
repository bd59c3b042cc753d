"""IAM_DATA_ACTIONS_SCOPED: IAM data-plane permissions are scoped to named resources."""
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

DATA_PLANE = re.compile(r"(?i)^(\*|\*:\*|kinesis:((p(u(t(r(e(c(o(r(d)?)?)?)?)?)?)?)?)?\*|putrecord|(p(u(t(r(e(c(o(r(d(s)?)?)?)?)?)?)?)?)?)?\*|putrecords|(g(e(t(r(e(c(o(r(d(s)?)?)?)?)?)?)?)?)?)?\*|getrecords|(g(e(t(s(h(a(r(d(i(t(e(r(a(t(o(r)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|getsharditerator|(s(u(b(s(c(r(i(b(e(t(o(s(h(a(r(d)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|subscribetoshard|.*\?.*|.*\*.+)|secretsmanager:((g(e(t(s(e(c(r(e(t(v(a(l(u(e)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|getsecretvalue|(p(u(t(s(e(c(r(e(t(v(a(l(u(e)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|putsecretvalue|.*\?.*|.*\*.+)|kms:((d(e(c(r(y(p(t)?)?)?)?)?)?)?\*|decrypt|(e(n(c(r(y(p(t)?)?)?)?)?)?)?\*|encrypt|(g(e(n(e(r(a(t(e(d(a(t(a(k(e(y)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|generatedatakey|(g(e(n(e(r(a(t(e(d(a(t(a(k(e(y(w(i(t(h(o(u(t(p(l(a(i(n(t(e(x(t)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|generatedatakeywithoutplaintext|(g(e(n(e(r(a(t(e(d(a(t(a(k(e(y(p(a(i(r)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|generatedatakeypair|(g(e(n(e(r(a(t(e(d(a(t(a(k(e(y(p(a(i(r(w(i(t(h(o(u(t(p(l(a(i(n(t(e(x(t)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?)?\*|generatedatakeypairwithoutplaintext|(r(e(e(n(c(r(y(p(t(f(r(o(m)?)?)?)?)?)?)?)?)?)?)?)?)?\*|reencryptfrom|(r(e(e(n(c(r(y(p(t(t(o)?)?)?)?)?)?)?)?)?)?)?\*|reencryptto|.*\?.*|.*\*.+)|logs:((p(u(t(l(o(g(e(v(e(n(t(s)?)?)?)?)?)?)?)?)?)?)?)?\*|putlogevents|.*\?.*|.*\*.+)|s3:((g(e(t(o(b(j(e(c(t)?)?)?)?)?)?)?)?)?\*|getobject|(p(u(t(o(b(j(e(c(t)?)?)?)?)?)?)?)?)?\*|putobject|.*\?.*|.*\*.+)|rds-db:((c(o(n(n(e(c(t)?)?)?)?)?)?)?\*|connect|.*\?.*|.*\*.+))$")
UNSCOPED = re.compile(r"^(\*|arn:[^:]+:s3:::\*(.\*)?|arn:[^:]+:([^s:][^:]*|s[^3:][^:]*|s3[^:]+|s):[^:]*:[^:]*:([A-Za-z0-9-]+.)?\*(.\*)?)$")


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    if "Action" not in statement:
        return True
    actions = as_list(statement["Action"])
    if any(not isinstance(a, str) for a in actions):
        return False
    if not any(DATA_PLANE.match(a) for a in actions):
        return True
    if "Resource" not in statement:
        return False
    return not any(isinstance(r, str) and UNSCOPED.match(r) for r in as_list(statement["Resource"]))


class IamDataActionsScoped(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="IAM data-plane permissions are scoped to named resources", id="IAM_DATA_ACTIONS_SCOPED", categories=[CheckCategories.IAM],
                         supported_resources=list(RESOURCE_TYPES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        ok = iam_allow_statements_ok(conf, _allow_statement_ok)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = IamDataActionsScoped()
