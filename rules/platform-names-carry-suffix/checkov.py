"""PLATFORM_NAMES_CARRY_SUFFIX: every explicit resource name carries the environment suffix.

Two forms pass: a resolved literal containing the scenario's suffix value (policy parameter name_suffix_value,
injected by the checker) and a raw Fn::Sub containing ${<name_suffix_parameter>}; in both the suffix must be a
part of its own, delimited by the start or end of the name or one of - _ / . : (as in rule.guard).
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, properties

# Resource type -> the property holding the resource's own name (the same table as rule.guard).
NAME_PROPERTIES = {
    "AWS::ApiGateway::ApiKey": "Name",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::ApiGateway::UsagePlan": "UsagePlanName",
    "AWS::AutoScaling::AutoScalingGroup": "AutoScalingGroupName",
    "AWS::Backup::BackupVault": "BackupVaultName",
    "AWS::CloudTrail::Trail": "TrailName",
    "AWS::CloudWatch::Alarm": "AlarmName",
    "AWS::CloudWatch::Dashboard": "DashboardName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::EC2::LaunchTemplate": "LaunchTemplateName",
    "AWS::EC2::SecurityGroup": "GroupName",
    "AWS::ECR::Repository": "RepositoryName",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::ECS::TaskDefinition": "Family",
    "AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId",
    "AWS::ElastiCache::SubnetGroup": "CacheSubnetGroupName",
    "AWS::ElastiCache::User": "UserId",
    "AWS::ElastiCache::UserGroup": "UserGroupId",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::Events::Rule": "Name",
    "AWS::IAM::InstanceProfile": "InstanceProfileName",
    "AWS::IAM::ManagedPolicy": "ManagedPolicyName",
    "AWS::IAM::Role": "RoleName",
    "AWS::KMS::Alias": "AliasName",
    "AWS::Kinesis::Stream": "Name",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::RDS::DBCluster": "DBClusterIdentifier",
    "AWS::RDS::DBClusterParameterGroup": "DBClusterParameterGroupName",
    "AWS::RDS::DBInstance": "DBInstanceIdentifier",
    "AWS::RDS::DBParameterGroup": "DBParameterGroupName",
    "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SSM::Parameter": "Name",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
    "AWS::WAFv2::WebACL": "Name",
}
DELIMITERS = "-_/.:"
BEFORE, AFTER = r"(^|[-_/.:])", r"($|[-_/.:])"


def _carries_value(name: str, suffix: str) -> bool:
    if not suffix or suffix[0] in DELIMITERS:
        return False  # unknown (or malformed) suffix: fail closed, as the Guard pattern does
    return re.search(BEFORE + re.escape(suffix) + AFTER, name) is not None


def _carries_parameter(template: Any, parameter_name: str) -> bool:
    return isinstance(template, str) and re.search(
        BEFORE + re.escape("${" + parameter_name + "}") + AFTER, template) is not None


def _name_ok(name: Any) -> bool:
    if isinstance(name, str):
        return _carries_value(name, str(parameter("name_suffix_value")))
    if not isinstance(name, dict) or len(name) != 1 or "Fn::Sub" not in name:
        return False
    sub, param = name["Fn::Sub"], str(parameter("name_suffix_parameter"))
    if isinstance(sub, list):
        variables = sub[1] if len(sub) > 1 else {}
        if isinstance(variables, dict) and param in variables:
            return False
        sub = sub[0] if sub else None
    # Raw (${EnvironmentSuffix}) or partly resolved by the checker (suffix value in, ${Resource} refs left).
    return isinstance(sub, str) and (_carries_parameter(sub, param)
                                     or _carries_value(sub, str(parameter("name_suffix_value"))))


class PlatformNamesCarrySuffix(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Every explicit resource name carries the environment suffix",
                         id="PLATFORM_NAMES_CARRY_SUFFIX", categories=[CheckCategories.CONVENTION],
                         supported_resources=list(NAME_PROPERTIES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        key = NAME_PROPERTIES[str(conf.get("Type"))]
        if key not in props:
            return CheckResult.PASSED
        return CheckResult.PASSED if _name_ok(props[key]) else CheckResult.FAILED


check = PlatformNamesCarrySuffix()
