"""NACL_NO_WORLD_ADMIN_PORTS: no inbound NACL allow entry from the internet reaches SSH/RDP."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_world_cidr, parameter, properties, tcp_udp_port_range


def _is_inbound_allow_from_internet(props: dict[str, Any]) -> bool:
    egress = props.get("Egress")
    if egress is True or egress in ("true", "True"):
        return False
    if props.get("RuleAction") == "deny":
        return False
    cidrs = {"CidrIp": props.get("CidrBlock"), "CidrIpv6": props.get("Ipv6CidrBlock")}
    return is_world_cidr(cidrs) or isinstance(cidrs["CidrIp"], dict) or isinstance(cidrs["CidrIpv6"], dict)


class NaclNoWorldAdminPorts(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Network ACLs do not allow SSH or RDP in from the internet",
                         id="NACL_NO_WORLD_ADMIN_PORTS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::NetworkAclEntry"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if not _is_inbound_allow_from_internet(props):
            return CheckResult.PASSED
        protocol = props.get("Protocol")
        if protocol is None or isinstance(protocol, (dict, bool)) or protocol in (-1, "-1"):
            return CheckResult.FAILED
        if protocol not in (6, 17, "6", "17"):
            return CheckResult.PASSED
        port_range = props.get("PortRange")
        port_range = port_range if isinstance(port_range, dict) else {}
        ports = tcp_udp_port_range({"FromPort": port_range.get("From"), "ToPort": port_range.get("To")})
        if ports is None:
            return CheckResult.FAILED
        low, high = ports
        admin = [p for p in parameter("nacl_admin_ports") if isinstance(p, int)]
        return CheckResult.FAILED if any(low <= p <= high for p in admin) else CheckResult.PASSED


check = NaclNoWorldAdminPorts()
