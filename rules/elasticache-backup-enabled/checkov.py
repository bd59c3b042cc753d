"""ELASTICACHE_BACKUP_ENABLED: ElastiCache replication groups take automatic daily snapshots."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class ElasticacheBackupEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache replication groups take automatic daily snapshots",
                         id="ELASTICACHE_BACKUP_ENABLED", categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        value = properties(conf).get("SnapshotRetentionLimit")
        ok = (isinstance(value, int) and not isinstance(value, bool) and value >= 1) or (
            isinstance(value, str) and re.fullmatch(r"[1-9][0-9]*", value) is not None)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = ElasticacheBackupEnabled()
