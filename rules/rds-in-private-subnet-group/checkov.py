"""RDS_IN_PRIVATE_SUBNET_GROUP: RDS databases sit in a subnet group of the template without public-IP subnets."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties, resources_of_type, whole_template


def _referenced_id(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"] if isinstance(value["Ref"], str) else None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return att[0] if isinstance(att, list) and att and isinstance(att[0], str) else None
    return None


def _props(resource: Any) -> dict[str, Any]:
    value = resource.get("Properties") if isinstance(resource, dict) else None
    return value if isinstance(value, dict) else {}


def _public_subnet(template: dict[str, Any], entry: Any) -> bool:
    """A Ref to a template subnet whose MapPublicIpOnLaunch is present and not literally false."""
    if not isinstance(entry, dict) or "Ref" not in entry:
        return False
    subnet = resources_of_type(template, "AWS::EC2::Subnet").get(entry["Ref"])
    if subnet is None:
        return False
    props = _props(subnet)
    if "MapPublicIpOnLaunch" not in props:
        return False
    value = props["MapPublicIpOnLaunch"]
    return not (value is False or value in ("false", "False"))


def private_subnet_group(conf: dict[str, Any], group_property: str, group_type: str) -> bool:
    """The referenced group is a template DB subnet group with no public-IP subnet."""
    group_id = _referenced_id(properties(conf).get(group_property))
    template = whole_template(conf)
    if group_id is None or template is None:
        return False
    group = resources_of_type(template, group_type).get(group_id)
    if group is None:
        return False
    return not any(_public_subnet(template, e) for e in as_list(_props(group).get("SubnetIds")))


class RdsInPrivateSubnetGroup(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS databases sit in a subnet group of the template without public subnets",
                         id="RDS_IN_PRIVATE_SUBNET_GROUP", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        engine = props.get("Engine")
        if conf.get("Type") == "AWS::RDS::DBInstance" and (
                "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))):
            return CheckResult.PASSED
        ok = private_subnet_group(conf, "DBSubnetGroupName", "AWS::RDS::DBSubnetGroup")
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = RdsInPrivateSubnetGroup()
