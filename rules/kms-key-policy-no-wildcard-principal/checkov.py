"""KMS_KEY_POLICY_NO_WILDCARD_PRINCIPAL: key policies do not open the key to everyone or let anyone create grants."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, policy_statements, properties

CREATE_GRANT = re.compile(r"(?i)^(\*|\*:\*|kms:((c(r(e(a(t(e(g(r(a(n(t)?)?)?)?)?)?)?)?)?)?)?\*|creategrant|.*\?.*|.*\*.+))$")
ACCOUNT_ROOT = re.compile(r"^(arn:aws[a-z-]*:iam::[0-9]{12}:root|[0-9]{12})$")
ACCOUNT_PINNING_KEYS = re.compile(r"(?i)^(kms:CallerAccount|aws:PrincipalAccount|aws:PrincipalOrgID|aws:PrincipalOrgPaths"
                                  r"|aws:PrincipalArn|aws:SourceAccount|aws:SourceArn|aws:SourceOwner)$")
GRANT_FOR_AWS_RESOURCE = re.compile(r"(?i)^kms:GrantIsForAWSResource$")


def _condition_keys(condition: Any, operator: str | None = None) -> dict[str, Any]:
    """Condition key -> value, over every operator block (or only `operator`)."""
    found: dict[str, Any] = {}
    if isinstance(condition, dict):
        for op, block in condition.items():
            if isinstance(block, dict) and (operator is None or op == operator):
                found.update({str(k): v for k, v in block.items()})
    return found


def _is_account_root(value: Any) -> bool:
    if isinstance(value, str):
        return ACCOUNT_ROOT.match(value) is not None
    if value == {"Ref": "AWS::AccountId"}:
        return True
    sub = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None
    return isinstance(sub, str) and sub.endswith(":root")


def _wildcard_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    aws = principal.get("AWS") if isinstance(principal, dict) else None
    return any(isinstance(v, str) and "*" in v for v in as_list(aws))


def _allow_statement_ok(statement: dict[str, Any]) -> bool:
    if "NotPrincipal" in statement:
        return False
    principal = statement.get("Principal")
    if _wildcard_principal(principal) and \
            not any(ACCOUNT_PINNING_KEYS.match(k) for k in _condition_keys(statement.get("Condition"))):
        return False
    actions = as_list(statement.get("Action"))
    if any(not isinstance(a, str) for a in actions):
        return False
    if not any(CREATE_GRANT.match(a) for a in actions):
        return True
    bool_keys = _condition_keys(statement.get("Condition"), "Bool")
    if any(GRANT_FOR_AWS_RESOURCE.match(k) and v in (True, "true", "True") for k, v in bool_keys.items()):
        return True
    if not isinstance(principal, dict) or "Federated" in principal or "CanonicalUser" in principal:
        return False
    return all(_is_account_root(v) for v in as_list(principal.get("AWS")))


class KmsKeyPolicyNoWildcardPrincipal(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="KMS key policies do not open the key to everyone or let any principal create grants",
                         id="KMS_KEY_POLICY_NO_WILDCARD_PRINCIPAL", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::KMS::Key", "AWS::KMS::ReplicaKey"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "KeyPolicy" not in props:
            return CheckResult.PASSED  # the default key policy delegates to the account's IAM policies
        statements = policy_statements(props["KeyPolicy"])
        if statements is None:
            return CheckResult.FAILED
        for statement in statements:
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                return CheckResult.FAILED
            if statement["Effect"] == "Allow" and not _allow_statement_ok(statement):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = KmsKeyPolicyNoWildcardPrincipal()
