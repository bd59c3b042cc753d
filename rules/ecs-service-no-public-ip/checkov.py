"""ECS_SERVICE_NO_PUBLIC_IP: ECS tasks get no public IP addresses."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class EcsServiceNoPublicIp(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS services assign no public IP addresses to their tasks",
                         id="ECS_SERVICE_NO_PUBLIC_IP", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::ECS::Service"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "NetworkConfiguration" not in props:
            return CheckResult.PASSED
        network = props["NetworkConfiguration"]
        awsvpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
        if not isinstance(awsvpc, dict) or "Subnets" not in awsvpc:
            return CheckResult.FAILED
        if "AssignPublicIp" in awsvpc and awsvpc["AssignPublicIp"] != "DISABLED":
            return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsServiceNoPublicIp()
