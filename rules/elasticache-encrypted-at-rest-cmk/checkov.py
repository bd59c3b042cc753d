"""ELASTICACHE_ENCRYPTED_AT_REST_CMK: ElastiCache data at rest is encrypted with a customer-managed KMS key."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


def _customer_key(value: Any) -> bool:
    """A Ref/GetAtt (or other intrinsic) passes; a literal must be non-empty and not an alias/aws/... key."""
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip() != "" and "alias/aws/" not in value
    return True


class ElasticacheEncryptedAtRestCmk(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache replication groups encrypt data at rest with a customer-managed KMS key",
                         id="ELASTICACHE_ENCRYPTED_AT_REST_CMK", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if conf.get("Type") == "AWS::ElastiCache::CacheCluster":
            return CheckResult.PASSED if "ReplicationGroupId" in props else CheckResult.FAILED
        if not is_true(props.get("AtRestEncryptionEnabled")):
            return CheckResult.FAILED
        return CheckResult.PASSED if _customer_key(props.get("KmsKeyId")) else CheckResult.FAILED


check = ElasticacheEncryptedAtRestCmk()
