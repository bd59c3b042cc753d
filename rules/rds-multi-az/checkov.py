"""RDS_MULTI_AZ: RDS DB instances run Multi-AZ."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class RdsMultiAz(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS DB instances run Multi-AZ", id="RDS_MULTI_AZ",
                         categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        engine = props.get("Engine")
        if ("DBClusterIdentifier" in props or "SourceDBInstanceIdentifier" in props
                or (isinstance(engine, str) and engine.startswith("aurora"))):
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(props.get("MultiAZ")) else CheckResult.FAILED


check = RdsMultiAz()
