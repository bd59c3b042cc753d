"""SUBNET_NO_AUTO_PUBLIC_IP: subnets do not auto-assign public IPv4 addresses."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class SubnetNoAutoPublicIp(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Subnets do not assign public IP addresses automatically",
                         id="SUBNET_NO_AUTO_PUBLIC_IP", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::Subnet"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "MapPublicIpOnLaunch" not in props:
            return CheckResult.PASSED
        value = props["MapPublicIpOnLaunch"]
        return CheckResult.PASSED if value is False or value in ("false", "False") else CheckResult.FAILED


check = SubnetNoAutoPublicIp()
