"""KINESIS_STREAM_RETENTION: Kinesis streams keep records for at least the policy retention period."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


class KinesisStreamRetention(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Kinesis data streams keep records for at least the policy retention period",
                         id="KINESIS_STREAM_RETENTION", categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::Kinesis::Stream"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        hours = as_int(properties(conf).get("RetentionPeriodHours"))
        if hours is None or hours < int(parameter("min_stream_retention_hours")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KinesisStreamRetention()
