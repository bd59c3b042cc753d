"""KINESIS_STREAM_CAPACITY: Kinesis streams are on-demand or provisioned with enough shards for the target load."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


class KinesisStreamCapacity(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Kinesis streams are on-demand or provisioned with enough shards for the target load",
                         id="KINESIS_STREAM_CAPACITY", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::Kinesis::Stream"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        details = props.get("StreamModeDetails")
        mode = details.get("StreamMode", "PROVISIONED") if isinstance(details, dict) else "PROVISIONED"
        if "StreamModeDetails" in props and not isinstance(details, dict):
            return CheckResult.FAILED
        if mode == "ON_DEMAND":
            return CheckResult.PASSED
        if mode != "PROVISIONED":
            return CheckResult.FAILED
        shards = as_int(props.get("ShardCount"))
        if shards is None or shards < int(parameter("min_stream_shards")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KinesisStreamCapacity()
