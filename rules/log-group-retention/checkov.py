"""LOG_GROUP_RETENTION: CloudWatch log groups keep logs for a bounded period of at least the policy minimum."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


class LogGroupRetention(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="CloudWatch log groups keep logs for a bounded period of at least the policy minimum",
                         id="LOG_GROUP_RETENTION", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::Logs::LogGroup"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        days = as_int(properties(conf).get("RetentionInDays"))
        if days is None or days < int(parameter("min_retention_days")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = LogGroupRetention()
