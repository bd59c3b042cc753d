"""SG_NO_WORLD_INGRESS: internet-wide ingress only to the allowed ports (tcp/udp, one port each)."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import (
    has_raw_cidr,
    ingress_protocol,
    is_world_cidr,
    literal_port,
    parameter,
    sg_ingress_entries,
)


def _entry_ok(entry: Any, allowed: list[Any]) -> bool:
    if has_raw_cidr(entry):
        return False  # may be 0.0.0.0/0 in some deployment: fail closed
    if not is_world_cidr(entry):
        return True
    if ingress_protocol(entry) != "tcp_udp":
        return False
    low, high = literal_port(entry.get("FromPort")), literal_port(entry.get("ToPort"))
    return low is not None and low == high and low in allowed


class SgNoWorldIngress(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Security groups open only the allowed ports to the internet",
                         id="SG_NO_WORLD_INGRESS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        entries = sg_ingress_entries(conf)
        if entries is None:
            return CheckResult.FAILED
        allowed = list(parameter("world_ingress_allowed_ports"))
        return CheckResult.PASSED if all(_entry_ok(e, allowed) for e in entries) else CheckResult.FAILED


check = SgNoWorldIngress()
