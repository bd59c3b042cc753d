"""SECRET_ROTATION_ENABLED: every Secrets Manager secret has a rotation schedule within the policy maximum.

Cross-resource: the check runs on each AWS::SecretsManager::Secret and reads the whole template to find the
AWS::SecretsManager::RotationSchedule resources that point at it. Same matching as rule.guard: SecretId is
`Ref` to the secret, `Fn::GetAtt [secret, Id]`, or `Ref` to a SecretTargetAttachment of the secret; when the
secret has attachments, each of them must be covered by a compliant schedule.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, own_logical_id, parameter, resources_of_type, scanned_template

RATE_DAYS = re.compile(r"^rate\(([0-9]+) days?\)$")
RATE_HOURS = re.compile(r"^rate\(([1-9]|1[0-9]|2[0-4]) hours?\)$")


def _points_at(secret_id: Any, names: set[str]) -> bool:
    if not isinstance(secret_id, dict) or len(secret_id) != 1:
        return False
    if isinstance(secret_id.get("Ref"), str):
        return secret_id["Ref"] in names
    target = secret_id.get("Fn::GetAtt")
    return isinstance(target, list) and len(target) == 2 and target[0] in names and target[1] == "Id"


def _rotates_in_time(props: dict[str, Any], max_days: int) -> bool:
    hosted = props.get("HostedRotationLambda")
    has_function = (isinstance(hosted, dict) and "RotationType" in hosted) or "RotationLambdaARN" in props
    rules = props.get("RotationRules")
    if not has_function or not isinstance(rules, dict):
        return False
    days, expression = rules.get("AutomaticallyAfterDays"), rules.get("ScheduleExpression")
    if days is not None and expression is None:
        value = as_int(days)
        return value is not None and value <= max_days
    if expression is not None and days is None and isinstance(expression, str):
        match = RATE_DAYS.match(expression)
        if match:
            return int(match.group(1)) <= max_days
        return RATE_HOURS.match(expression) is not None
    return False


class SecretRotationEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Secrets Manager secrets are rotated automatically within the policy maximum",
                         id="SECRET_ROTATION_ENABLED", categories=[CheckCategories.SECRETS],
                         supported_resources=["AWS::SecretsManager::Secret"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        name = own_logical_id(self)
        if template is None or name not in (template.get("Resources") or {}):
            return CheckResult.FAILED  # cannot see the other resources: fail closed
        max_days = int(parameter("max_rotation_days"))
        schedules = [s.get("Properties") for s in
                     resources_of_type(template, "AWS::SecretsManager::RotationSchedule").values()]
        good = [p for p in schedules if isinstance(p, dict) and _rotates_in_time(p, max_days)]
        attachments = [k for k, v in resources_of_type(template, "AWS::SecretsManager::SecretTargetAttachment").items()
                       if isinstance(v.get("Properties"), dict) and v["Properties"].get("SecretId") == {"Ref": name}]
        if not attachments:
            covered = any(_points_at(p.get("SecretId"), {name}) for p in good)
        else:
            covered = all(any(_points_at(p.get("SecretId"), {name, a}) for p in good) for a in attachments)
        return CheckResult.PASSED if covered else CheckResult.FAILED


check = SecretRotationEnabled()
