"""VPC_SUBNETS_SPAN_AZS: every subnet has a sibling (same VPC) in a different Availability Zone."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties, resources_of_type, scanned_template


def _vpc_key(props: dict[str, Any]) -> tuple[str, str] | None:
    vpc = props.get("VpcId")
    if isinstance(vpc, dict) and isinstance(vpc.get("Ref"), str):
        return "ref", vpc["Ref"]
    if isinstance(vpc, str):
        return "literal", vpc
    return None


def _az_key(props: dict[str, Any]) -> tuple[str, Any] | None:
    """The subnet's AZ in one comparable form: a literal name, a Select index over GetAZs, a literal AZ id."""
    zone = props.get("AvailabilityZone")
    if isinstance(zone, str):
        return "name", zone
    select = zone.get("Fn::Select") if isinstance(zone, dict) else None
    if isinstance(select, list) and len(select) > 1 and isinstance(select[1], dict) and "Fn::GetAZs" in select[1]:
        index = select[0]
        return ("index", index) if isinstance(index, int) and not isinstance(index, bool) else None
    if zone is None and isinstance(props.get("AvailabilityZoneId"), str):
        return "id", props["AvailabilityZoneId"]
    return None


class VpcSubnetsSpanAzs(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Each VPC's subnets span at least two Availability Zones",
                         id="VPC_SUBNETS_SPAN_AZS", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::EC2::Subnet"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        props = properties(conf)
        vpc, zone = _vpc_key(props), _az_key(props)
        if vpc is None or zone is None:
            return CheckResult.FAILED
        for sibling in resources_of_type(template, "AWS::EC2::Subnet").values():
            sibling_props = sibling.get("Properties") if isinstance(sibling.get("Properties"), dict) else {}
            other = _az_key(sibling_props)
            if _vpc_key(sibling_props) == vpc and other is not None and other[0] == zone[0] and other != zone:
                return CheckResult.PASSED
        return CheckResult.FAILED


check = VpcSubnetsSpanAzs()
