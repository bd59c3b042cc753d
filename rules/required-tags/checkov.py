"""REQUIRED_TAGS: data-bearing and network resources carry the owner and classification tags."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, properties

# The same list as rule.yaml resource_types and rule.guard required_tags_types.
TAGGED_TYPES = [
    "AWS::ApiGateway::RestApi",
    "AWS::ApiGateway::Stage",
    "AWS::DynamoDB::Table",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::Subnet",
    "AWS::EC2::VPC",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::ECS::TaskDefinition",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::RDS::DBInstance",
    "AWS::S3::Bucket",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
]


def _tags_ok(tags: Any, required: list[Any]) -> bool:
    if not isinstance(tags, list) or not tags:
        return False
    present = set()
    for tag in tags:
        if not isinstance(tag, dict) or not isinstance(tag.get("Key"), str):
            return False
        if tag["Key"] in required:
            value = tag.get("Value")
            if not isinstance(value, str) or not value.strip():
                return False
        present.add(tag["Key"])
    return all(key in present for key in required)


class RequiredTags(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Data-bearing and network resources carry the owner and classification tags",
                         id="REQUIRED_TAGS", categories=[CheckCategories.CONVENTION],
                         supported_resources=TAGGED_TYPES)

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        required = list(parameter("required_tags"))
        return CheckResult.PASSED if _tags_ok(properties(conf).get("Tags"), required) else CheckResult.FAILED


check = RequiredTags()
