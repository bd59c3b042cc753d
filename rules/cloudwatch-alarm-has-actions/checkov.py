"""CLOUDWATCH_ALARM_HAS_ACTIONS: CloudWatch alarms notify an SNS topic when they fire (cross-resource)."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties, whole_template

SNS_ARN = re.compile(r"^arn:aws[a-z-]*:sns:")
TOPIC = "AWS::SNS::Topic"


def _is_topic(template: dict[str, Any], logical_id: Any) -> bool:
    resources = template.get("Resources")
    target = resources.get(logical_id) if isinstance(resources, dict) and isinstance(logical_id, str) else None
    return isinstance(target, dict) and target.get("Type") == TOPIC


def _notifies_topic(action: Any, template: dict[str, Any]) -> bool:
    if isinstance(action, str):
        return bool(SNS_ARN.search(action))
    if not isinstance(action, dict) or len(action) != 1:
        return False
    if "Ref" in action:
        parameters = template.get("Parameters")
        is_parameter = isinstance(parameters, dict) and isinstance(action["Ref"], str) and action["Ref"] in parameters
        return _is_topic(template, action["Ref"]) or is_parameter
    att = action.get("Fn::GetAtt")
    return isinstance(att, list) and len(att) == 2 and att[1] == "TopicArn" and _is_topic(template, att[0])


class CloudwatchAlarmHasActions(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="CloudWatch alarms notify an SNS topic when they fire",
                         id="CLOUDWATCH_ALARM_HAS_ACTIONS", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::CloudWatch::Alarm"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        actions = props.get("AlarmActions")
        if not isinstance(actions, list) or not actions:
            return CheckResult.FAILED
        if "ActionsEnabled" in props and not is_true(props["ActionsEnabled"]):
            return CheckResult.FAILED
        template = whole_template(conf)
        if template is None:
            return CheckResult.FAILED
        return CheckResult.PASSED if all(_notifies_topic(a, template) for a in actions) else CheckResult.FAILED


check = CloudwatchAlarmHasActions()
