"""PRIVATE_SUBNETS_NO_IGW_ROUTE: subnets hosting workloads or data stores are not on an internet-gateway route."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties, resources_of_type, scanned_template

_NOT_INTERNET = re.compile(r"^(local|vgw-.*)\Z")  # the Guard rule's /^(local|vgw-.*)$/


def _ref(value: Any) -> str | None:
    return value["Ref"] if isinstance(value, dict) and isinstance(value.get("Ref"), str) else None


def _props(resource: dict[str, Any]) -> dict[str, Any]:
    props = resource.get("Properties")
    return props if isinstance(props, dict) else {}


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _internet_route_tables(template: dict[str, Any]) -> set[str]:
    """Route tables (logical ids) holding a route whose GatewayId is not local, not a VPN gateway."""
    vpn_gateways = {_ref(_props(a).get("VpnGatewayId"))
                    for a in resources_of_type(template, "AWS::EC2::VPCGatewayAttachment").values()}
    tables = set()
    for route in resources_of_type(template, "AWS::EC2::Route").values():
        props = _props(route)
        if "GatewayId" not in props or _ref(props.get("RouteTableId")) is None:
            continue
        gateway = props["GatewayId"]
        if isinstance(gateway, str) and _NOT_INTERNET.search(gateway):
            continue
        if _ref(gateway) is not None and _ref(gateway) in vpn_gateways:
            continue
        tables.add(str(_ref(props["RouteTableId"])))
    return tables


def _private_subnets(template: dict[str, Any]) -> set[str]:
    """Subnets (logical ids) that DB/cache subnet groups, ECS services or Lambda functions place resources in."""
    sources = (("AWS::RDS::DBSubnetGroup", ("SubnetIds",)), ("AWS::ElastiCache::SubnetGroup", ("SubnetIds",)),
               ("AWS::ECS::Service", ("NetworkConfiguration", "AwsvpcConfiguration", "Subnets")),
               ("AWS::Lambda::Function", ("VpcConfig", "SubnetIds")))
    subnets = set()
    for resource_type, path in sources:
        for resource in resources_of_type(template, resource_type).values():
            listed = _dig(_props(resource), *path)
            if isinstance(listed, list):
                subnets |= {r for r in (_ref(item) for item in listed) if r is not None}
    return subnets


class PrivateSubnetsNoIgwRoute(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Subnets hosting workloads or data stores have no route to an internet gateway",
                         id="PRIVATE_SUBNETS_NO_IGW_ROUTE", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::SubnetRouteTableAssociation"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        props = properties(conf)
        subnet, table = _ref(props.get("SubnetId")), _ref(props.get("RouteTableId"))
        if subnet in _private_subnets(template) and table in _internet_route_tables(template):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = PrivateSubnetsNoIgwRoute()
