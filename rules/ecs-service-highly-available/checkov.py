"""ECS_SERVICE_HIGHLY_AVAILABLE: replica services run >= min_service_tasks tasks across >= 2 subnets."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import literal_port, parameter, properties


class EcsServiceHighlyAvailable(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS services run several tasks across at least two subnets",
                         id="ECS_SERVICE_HIGHLY_AVAILABLE", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::Service"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if props.get("SchedulingStrategy") == "DAEMON":
            return CheckResult.PASSED
        desired = literal_port(props.get("DesiredCount"))  # an int or a digit string
        if desired is None or desired < int(parameter("min_service_tasks")):
            return CheckResult.FAILED
        if "NetworkConfiguration" in props:
            network = props["NetworkConfiguration"]
            awsvpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
            subnets = awsvpc.get("Subnets") if isinstance(awsvpc, dict) else None
            if not isinstance(subnets, list) or len(subnets) < 2:
                return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsServiceHighlyAvailable()
