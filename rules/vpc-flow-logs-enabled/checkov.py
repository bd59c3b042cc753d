"""VPC_FLOW_LOGS_ENABLED: every VPC has a flow log of all traffic (cross-resource, template scope).

Template scope: when any VPC of the template lacks a flow log, every VPC fails (the checker reports one
template-level finding); when all have one, every VPC passes.
"""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import resources_of_type, scanned_template


def _logged_vpc_ids(template: dict[str, Any]) -> set[str]:
    """Logical ids of VPCs referenced (`ResourceId: !Ref`) by a flow log of type VPC capturing ALL traffic."""
    logged = set()
    for flow_log in resources_of_type(template, "AWS::EC2::FlowLog").values():
        props = flow_log.get("Properties")
        if not isinstance(props, dict):
            continue
        target = props.get("ResourceId")
        if (props.get("ResourceType") == "VPC" and props.get("TrafficType") == "ALL"
                and isinstance(target, dict) and isinstance(target.get("Ref"), str)):
            logged.add(target["Ref"])
    return logged


class VpcFlowLogsEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Every VPC has a flow log of all traffic",
                         id="VPC_FLOW_LOGS_ENABLED", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::EC2::VPC"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        vpcs = set(resources_of_type(template, "AWS::EC2::VPC"))
        return CheckResult.PASSED if vpcs and vpcs <= _logged_vpc_ids(template) else CheckResult.FAILED


check = VpcFlowLogsEnabled()
