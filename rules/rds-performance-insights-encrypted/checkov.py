"""RDS_PERFORMANCE_INSIGHTS_ENCRYPTED: Performance Insights data is encrypted with a customer-managed KMS key."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class RdsPerformanceInsightsEncrypted(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS Performance Insights data is encrypted with a customer-managed KMS key",
                         id="RDS_PERFORMANCE_INSIGHTS_ENCRYPTED", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        enabled = props.get("EnablePerformanceInsights", False)
        if enabled is False or (isinstance(enabled, str) and enabled in ("false", "False")):
            return CheckResult.PASSED
        key = props.get("PerformanceInsightsKMSKeyId")
        if key is None or (isinstance(key, str) and (key.strip() == "" or "alias/aws/" in key)):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsPerformanceInsightsEncrypted()
