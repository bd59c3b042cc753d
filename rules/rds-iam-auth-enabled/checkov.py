"""RDS_IAM_AUTH_ENABLED: RDS databases that support it have IAM database authentication enabled."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties

SUPPORTED = {
    "AWS::RDS::DBInstance": re.compile(r"(?i)^(postgres|mysql|mariadb)$"),
    "AWS::RDS::DBCluster": re.compile(r"(?i)^(aurora|aurora-mysql|aurora-postgresql|mysql|postgres)$"),
}


class RdsIamAuthEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS databases that support it have IAM database authentication enabled",
                         id="RDS_IAM_AUTH_ENABLED", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        resource_type = str(conf.get("Type"))
        props = properties(conf)
        if resource_type == "AWS::RDS::DBInstance" and "DBClusterIdentifier" in props:
            return CheckResult.PASSED  # cluster member: the cluster carries the setting
        engine = props.get("Engine")
        applies = not isinstance(engine, str) or SUPPORTED[resource_type].match(engine) is not None
        if applies and not is_true(props.get("EnableIAMDatabaseAuthentication")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsIamAuthEnabled()
