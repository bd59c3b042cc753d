"""RDS_BACKUP_RETENTION: RDS automated backups are kept for at least the policy minimum."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


def _aurora_member(props: dict[str, Any]) -> bool:
    engine = props.get("Engine")
    return "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))


class RdsBackupRetention(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS automated backups are kept for at least the policy minimum",
                         id="RDS_BACKUP_RETENTION", categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if conf.get("Type") == "AWS::RDS::DBInstance" and _aurora_member(props):
            return CheckResult.PASSED
        days = as_int(props.get("BackupRetentionPeriod"))
        if days is None or days < int(parameter("min_backup_retention_days")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsBackupRetention()
