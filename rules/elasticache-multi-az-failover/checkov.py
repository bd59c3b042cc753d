"""ELASTICACHE_MULTI_AZ_FAILOVER: replication groups have replicas in several AZs with automatic failover."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, as_list, is_true, properties


def _at_least(value: Any, minimum: int) -> bool:
    """A literal integer (int, or a digit string without sign, spaces or leading zero) of at least `minimum`."""
    if isinstance(value, str) and not re.fullmatch(r"[1-9][0-9]*", value):
        return False
    number = as_int(value)
    return number is not None and number >= minimum


class ElasticacheMultiAzFailover(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache replication groups have replicas in several AZs with automatic failover",
                         id="ELASTICACHE_MULTI_AZ_FAILOVER", categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if not (is_true(props.get("AutomaticFailoverEnabled")) and is_true(props.get("MultiAZEnabled"))):
            return CheckResult.FAILED
        if "NumCacheClusters" in props or "ReplicasPerNodeGroup" in props:
            ok = _at_least(props.get("NumCacheClusters"), 2) or _at_least(props.get("ReplicasPerNodeGroup"), 1)
        else:
            groups = as_list(props.get("NodeGroupConfiguration"))
            ok = bool(groups) and all(isinstance(g, dict) and _at_least(g.get("ReplicaCount"), 1) for g in groups)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = ElasticacheMultiAzFailover()
