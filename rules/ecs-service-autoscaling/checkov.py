"""ECS_SERVICE_AUTOSCALING: every ECS service has a scalable target with a scaling policy (template scope).

Template scope: every service fails when any service is not scaled (or an ECS target has no policy), every service
passes otherwise. The matching mirrors the Guard rule, including its refusal of mixed Fn::Sub / Fn::Join targets.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import resources_of_type, scanned_template

# The Guard rule's regex_replace patterns; Guard's regex_replace yields "" for a string the pattern does not match.
_SUB_ID = re.compile(r"^.*[$][{]([A-Za-z0-9]+)[.]Name[}].*$")
_SUB_NAME = re.compile(r"^service/[^/]+/([^/$]+)$")
_LITERAL_NAME = re.compile(r"^service/[^/]+/(.*)$")
_POLICY_TYPES = ("TargetTrackingScaling", "StepScaling")


def _extract(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.match(text)
    return match.group(1) if match else ""


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    props = resource.get("Properties")
    return props if isinstance(props, dict) else {}


def _template_scaled(template: dict[str, Any]) -> bool:
    policy_targets = set()
    for policy in resources_of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy").values():
        props = _props(policy)
        target = props.get("ScalingTargetId")
        if props.get("PolicyType") in _POLICY_TYPES and isinstance(target, dict) and isinstance(target.get("Ref"), str):
            policy_targets.add(target["Ref"])
    targets = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    if any(_props(t).get("ServiceNamespace") == "ecs" and name not in policy_targets for name, t in targets.items()):
        return False
    subs, join_ids, literal_names = [], set(), set()
    for target in targets.values():
        props = _props(target)
        if props.get("ServiceNamespace") != "ecs" or props.get("ScalableDimension") != "ecs:service:DesiredCount":
            continue
        resource_id = props.get("ResourceId")
        if isinstance(resource_id, str):
            literal_names.add(_extract(_LITERAL_NAME, resource_id))
        elif isinstance(resource_id, dict) and isinstance(resource_id.get("Fn::Sub"), str):
            subs.append(resource_id["Fn::Sub"])
        elif isinstance(resource_id, dict) and isinstance(resource_id.get("Fn::Join"), list):
            parts = resource_id["Fn::Join"]
            items = parts[1] if len(parts) > 1 and isinstance(parts[1], list) else []
            join_ids |= {i["Fn::GetAtt"][0] for i in items
                         if isinstance(i, dict) and isinstance(i.get("Fn::GetAtt"), list) and i["Fn::GetAtt"]
                         and isinstance(i["Fn::GetAtt"][0], str)}
    if subs and join_ids:
        return False  # mixed forms: refused, as in the Guard rule
    sub_ids = {_extract(_SUB_ID, s) for s in subs}
    names = (literal_names | {_extract(_SUB_NAME, s) for s in subs}) - {""}
    ids = (join_ids if join_ids else sub_ids) - {""}
    for logical_id, service in resources_of_type(template, "AWS::ECS::Service").items():
        name = _props(service).get("ServiceName")
        if logical_id not in ids and not (isinstance(name, str) and name in names):
            return False
    return True


class EcsServiceAutoscaling(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS services are scaled by Application Auto Scaling",
                         id="ECS_SERVICE_AUTOSCALING", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::Service"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        return CheckResult.PASSED if _template_scaled(template) else CheckResult.FAILED


check = EcsServiceAutoscaling()
