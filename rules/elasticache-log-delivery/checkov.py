"""ELASTICACHE_LOG_DELIVERY: ElastiCache replication groups deliver their slow and engine logs."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties


class ElasticacheLogDelivery(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache replication groups deliver their slow and engine logs",
                         id="ELASTICACHE_LOG_DELIVERY", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        entries = as_list(properties(conf).get("LogDeliveryConfigurations"))
        types = {e.get("LogType") for e in entries if isinstance(e, dict)}
        return CheckResult.PASSED if {"slow-log", "engine-log"} <= types else CheckResult.FAILED


check = ElasticacheLogDelivery()
