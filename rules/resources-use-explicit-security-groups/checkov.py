"""RESOURCES_USE_EXPLICIT_SECURITY_GROUPS: nothing that puts an interface in the VPC falls back to the default SG."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

_REFERENCE_KEYS = ("Ref", "Fn::GetAtt", "Fn::ImportValue")


def _names_groups(value: Any) -> bool:
    """A non-empty list, or a single Ref / GetAtt / ImportValue (e.g. a List<SecurityGroup::Id> parameter)."""
    if isinstance(value, list):
        return bool(value)
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _REFERENCE_KEYS


def _groups(resource_type: str, props: dict[str, Any]) -> tuple[bool, Any]:
    """(does the rule apply, the security-group value) for one resource."""
    if resource_type == "AWS::RDS::DBInstance":
        return "DBClusterIdentifier" not in props, props.get("VPCSecurityGroups")
    if resource_type in ("AWS::RDS::DBCluster", "AWS::ElastiCache::CacheCluster"):
        return True, props.get("VpcSecurityGroupIds")
    if resource_type == "AWS::ElastiCache::ReplicationGroup":
        return True, props.get("SecurityGroupIds")
    if resource_type == "AWS::ECS::Service":
        network = props.get("NetworkConfiguration")
        awsvpc = network.get("AwsvpcConfiguration") if isinstance(network, dict) else None
        return "NetworkConfiguration" in props, awsvpc.get("SecurityGroups") if isinstance(awsvpc, dict) else None
    if resource_type == "AWS::Lambda::Function":
        vpc = props.get("VpcConfig")
        if not isinstance(vpc, dict):
            return False, None
        subnets = vpc.get("SubnetIds")
        return subnets is not None and subnets != [] and subnets != {}, vpc.get("SecurityGroupIds")
    if resource_type == "AWS::EC2::VPCEndpoint":
        kind = props.get("VpcEndpointType")
        return kind is not None and kind not in ("Gateway", "GatewayLoadBalancer"), props.get("SecurityGroupIds")
    if resource_type == "AWS::ElasticLoadBalancingV2::LoadBalancer":
        kind = props.get("Type")
        return kind is None or kind not in ("network", "gateway"), props.get("SecurityGroups")
    raise ValueError(f"unsupported resource type {resource_type}")


class ResourcesUseExplicitSecurityGroups(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Resources in the VPC name their security groups (no default security group)",
                         id="RESOURCES_USE_EXPLICIT_SECURITY_GROUPS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster",
                                              "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster",
                                              "AWS::ECS::Service", "AWS::Lambda::Function", "AWS::EC2::VPCEndpoint",
                                              "AWS::ElasticLoadBalancingV2::LoadBalancer"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        applies, value = _groups(str(conf.get("Type")), properties(conf))
        if not applies:
            return CheckResult.PASSED
        return CheckResult.PASSED if _names_groups(value) else CheckResult.FAILED


check = ResourcesUseExplicitSecurityGroups()
