"""SG_NO_WORLD_ADMIN_PORTS: no internet-wide ingress reaches SSH, RDP or another high-risk port."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import (
    has_raw_cidr,
    ingress_protocol,
    is_world_cidr,
    parameter,
    sg_ingress_entries,
    tcp_udp_port_range,
)


def _entry_ok(entry: Any, high_risk: list[Any]) -> bool:
    if not (is_world_cidr(entry) or has_raw_cidr(entry)):
        return True
    protocol = ingress_protocol(entry)
    if protocol == "icmp":
        return True
    if protocol == "all":
        return False
    ports = tcp_udp_port_range(entry)
    if ports is None:
        return False
    low, high = ports
    return not any(isinstance(p, int) and low <= p <= high for p in high_risk)


class SgNoWorldAdminPorts(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="No internet-wide ingress to SSH, RDP or other high-risk ports",
                         id="SG_NO_WORLD_ADMIN_PORTS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        entries = sg_ingress_entries(conf)
        if entries is None:
            return CheckResult.FAILED
        high_risk = list(parameter("high_risk_ports"))
        return CheckResult.PASSED if all(_entry_ok(e, high_risk) for e in entries) else CheckResult.FAILED


check = SgNoWorldAdminPorts()
