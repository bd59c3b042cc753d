"""RDS_LOG_EXPORTS: RDS databases export their audit and error logs to CloudWatch Logs."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties

_REQUIRED = {  # resource type -> engine -> logs that must be exported (mirrors rule.guard)
    "AWS::RDS::DBInstance": {"postgres": {"postgresql"}, "mysql": {"error", "audit"}, "mariadb": {"error", "audit"}},
    "AWS::RDS::DBCluster": {"aurora-postgresql": {"postgresql"}, "postgres": {"postgresql"},
                            "aurora-mysql": {"error", "audit"}, "aurora": {"error", "audit"},
                            "mysql": {"error", "audit"}},
}


class RdsLogExports(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS databases export their audit and error logs to CloudWatch Logs",
                         id="RDS_LOG_EXPORTS", categories=[CheckCategories.LOGGING],
                         supported_resources=list(_REQUIRED))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        kind = str(conf.get("Type"))
        engine = props.get("Engine")
        if kind == "AWS::RDS::DBInstance" and (
                "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))):
            return CheckResult.PASSED
        required = _REQUIRED[kind].get(engine) if isinstance(engine, str) else None
        if required is None:
            return CheckResult.FAILED
        exported = {e for e in as_list(props.get("EnableCloudwatchLogsExports")) if isinstance(e, str)}
        return CheckResult.PASSED if required <= exported else CheckResult.FAILED


check = RdsLogExports()
