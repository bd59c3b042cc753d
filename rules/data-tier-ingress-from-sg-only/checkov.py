"""DATA_TIER_INGRESS_FROM_SG_ONLY: database and cache ports are opened only to a source security group."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import ingress_protocol, parameter, sg_ingress_entries, tcp_udp_port_range

_NETWORK_SOURCES = ("CidrIp", "CidrIpv6", "SourcePrefixListId")
_GROUP_SOURCES = ("SourceSecurityGroupId", "SourceSecurityGroupName")


def _entry_ok(entry: Any, data_ports: list[Any]) -> bool:
    if not isinstance(entry, dict):
        return False
    from_group = any(k in entry for k in _GROUP_SOURCES) and not any(k in entry for k in _NETWORK_SOURCES)
    if from_group:
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
    return not any(isinstance(p, int) and low <= p <= high for p in data_ports)


class DataTierIngressFromSgOnly(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Database and cache ports are reachable only from a security group",
                         id="DATA_TIER_INGRESS_FROM_SG_ONLY", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        entries = sg_ingress_entries(conf)
        if entries is None:
            return CheckResult.FAILED
        data_ports = list(parameter("data_tier_ports"))
        return CheckResult.PASSED if all(_entry_ok(e, data_ports) for e in entries) else CheckResult.FAILED


check = DataTierIngressFromSgOnly()
