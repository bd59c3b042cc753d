"""RDS_MASTER_PASSWORD_MANAGED: RDS master passwords are managed by Secrets Manager, never in the template."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_false, is_true, properties

DYNAMIC_SECRET = re.compile(r"^\{\{resolve:secretsmanager:.+\}\}$")
NO_OWN_PASSWORD = {  # replicas, restores and cluster members: the password belongs to the source or the cluster
    "AWS::RDS::DBInstance": ("SourceDBInstanceIdentifier", "SourceDBInstanceAutomatedBackupsArn", "SourceDbiResourceId",
                             "DBSnapshotIdentifier", "DBClusterSnapshotIdentifier", "DBClusterIdentifier",
                             "SourceDBClusterIdentifier"),
    "AWS::RDS::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier", "ReplicationSourceIdentifier"),
}


def _is_secret_reference(value: Any) -> bool:
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        value = value["Fn::Sub"]
        if isinstance(value, list) and value:
            value = value[0]
    return isinstance(value, str) and DYNAMIC_SECRET.match(value) is not None


class RdsMasterPasswordManaged(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS master passwords are managed by Secrets Manager, never in the template",
                         id="RDS_MASTER_PASSWORD_MANAGED", categories=[CheckCategories.SECRETS],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "MasterUserPassword" in props:
            managed_off = "ManageMasterUserPassword" not in props or is_false(props["ManageMasterUserPassword"])
            ok = _is_secret_reference(props["MasterUserPassword"]) and managed_off
            return CheckResult.PASSED if ok else CheckResult.FAILED
        if any(key in props for key in NO_OWN_PASSWORD.get(str(conf.get("Type")), ())):
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(props.get("ManageMasterUserPassword")) else CheckResult.FAILED


check = RdsMasterPasswordManaged()
