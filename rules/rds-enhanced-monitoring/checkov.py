"""RDS_ENHANCED_MONITORING: RDS DB instances have Enhanced Monitoring (interval and role)."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

_INTERVALS = (1, 5, 10, 15, 30, 60)


class RdsEnhancedMonitoring(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS DB instances have Enhanced Monitoring", id="RDS_ENHANCED_MONITORING",
                         categories=[CheckCategories.LOGGING], supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        interval = props.get("MonitoringInterval")
        literal = (isinstance(interval, int) and not isinstance(interval, bool) and interval in _INTERVALS) or (
            isinstance(interval, str) and interval in {str(i) for i in _INTERVALS})
        role = props.get("MonitoringRoleArn")
        if not literal or role is None or (isinstance(role, str) and role.strip() == ""):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsEnhancedMonitoring()
