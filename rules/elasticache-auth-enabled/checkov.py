"""ELASTICACHE_AUTH_ENABLED: ElastiCache replication groups authenticate clients (AUTH token from Secrets Manager or RBAC) over TLS."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties

DYNAMIC_SECRET = re.compile(r"^\{\{resolve:secretsmanager:.+\}\}$")


def _is_secret_reference(value: Any) -> bool:
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        value = value["Fn::Sub"]
        if isinstance(value, list) and value:
            value = value[0]
    return isinstance(value, str) and DYNAMIC_SECRET.match(value) is not None


class ElasticacheAuthEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ElastiCache replication groups authenticate clients over TLS",
                         id="ELASTICACHE_AUTH_ENABLED", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::ElastiCache::ReplicationGroup"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if not is_true(props.get("TransitEncryptionEnabled")):
            return CheckResult.FAILED
        if "TransitEncryptionMode" in props and props["TransitEncryptionMode"] != "required":
            return CheckResult.FAILED
        user_groups = props.get("UserGroupIds")
        has_user_groups = user_groups is not None and user_groups not in ([], {}, "")
        if "AuthToken" not in props and not has_user_groups:
            return CheckResult.FAILED
        if "AuthToken" in props and not _is_secret_reference(props["AuthToken"]):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ElasticacheAuthEnabled()
