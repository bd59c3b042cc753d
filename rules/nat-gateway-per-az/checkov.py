"""NAT_GATEWAY_PER_AZ: each NAT route serves only subnets in its NAT gateway's Availability Zone (template scope).

Template scope: every route fails when any NAT route serves a subnet in another AZ (or cannot be followed), every
route passes otherwise.
"""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import resources_of_type, scanned_template

_MISSING = object()


def _props(resource: Any) -> dict[str, Any]:
    props = resource.get("Properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


def _ref(value: Any) -> str | None:
    return value["Ref"] if isinstance(value, dict) and isinstance(value.get("Ref"), str) else None


def _zone_of_subnet(resources: dict[str, Any], subnet_id: str | None) -> Any:
    subnet = resources.get(subnet_id) if subnet_id is not None else None
    return _props(subnet).get("AvailabilityZone", _MISSING) if isinstance(subnet, dict) else _MISSING


def _route_ok(resources: dict[str, Any], associations: list[dict[str, Any]], props: dict[str, Any]) -> bool:
    nat_id, table_id = _ref(props.get("NatGatewayId")), _ref(props.get("RouteTableId"))
    if nat_id is None or table_id is None:
        return False
    served = [_ref(_props(a).get("SubnetId")) for a in associations if _ref(_props(a).get("RouteTableId")) == table_id]
    if not served:
        return True  # a table that serves no subnet
    nat_zone = _zone_of_subnet(resources, _ref(_props(resources.get(nat_id)).get("SubnetId")))
    if nat_zone is _MISSING:
        return False
    return all(_zone_of_subnet(resources, s) == nat_zone for s in served)


class NatGatewayPerAz(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Private route tables use the NAT gateway of their own Availability Zone",
                         id="NAT_GATEWAY_PER_AZ", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::Route"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        resources = template.get("Resources") if isinstance(template.get("Resources"), dict) else {}
        associations = list(resources_of_type(template, "AWS::EC2::SubnetRouteTableAssociation").values())
        for route in resources_of_type(template, "AWS::EC2::Route").values():
            props = _props(route)
            if "NatGatewayId" in props and not _route_ok(resources, associations, props):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = NatGatewayPerAz()
