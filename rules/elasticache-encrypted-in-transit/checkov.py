"""ELASTICACHE_ENCRYPTED_IN_TRANSIT: ElastiCache requires TLS for every client connection."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class ElasticacheEncryptedInTransit(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache requires TLS for every client connection",
                         id="ELASTICACHE_ENCRYPTED_IN_TRANSIT", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if conf.get("Type") == "AWS::ElastiCache::CacheCluster" and "ReplicationGroupId" in props:
            return CheckResult.PASSED
        if not is_true(props.get("TransitEncryptionEnabled")):
            return CheckResult.FAILED
        if (conf.get("Type") == "AWS::ElastiCache::ReplicationGroup" and "TransitEncryptionMode" in props
                and props["TransitEncryptionMode"] != "required"):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ElasticacheEncryptedInTransit()
