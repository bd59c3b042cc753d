"""APIGW_STAGE_ACCESS_LOGGING: API Gateway stages write access logs to a log destination."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_reference, properties

DESTINATION_ARN = re.compile(r"^arn:aws[a-z-]*:(logs|firehose):")
SUB_DESTINATION_ARN = re.compile(r"^arn:(aws[a-z-]*|\$\{AWS::Partition\}):(logs|firehose):")


def _sub_builds_log_arn(value: object) -> bool:
    """A Fn::Sub (string or [string, vars]) building a CloudWatch Logs / Firehose ARN from references."""
    if not isinstance(value, dict) or len(value) != 1 or "Fn::Sub" not in value:
        return False
    sub = value["Fn::Sub"]
    text = sub[0] if isinstance(sub, list) and sub else sub
    return isinstance(text, str) and SUB_DESTINATION_ARN.search(text) is not None


class ApigwStageAccessLogging(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway stages write access logs to a log destination",
                         id="APIGW_STAGE_ACCESS_LOGGING", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ApiGateway::Stage"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        setting = properties(conf).get("AccessLogSetting")
        if not isinstance(setting, dict):
            return CheckResult.FAILED
        destination = setting.get("DestinationArn")
        if isinstance(destination, str):
            if not DESTINATION_ARN.search(destination):
                return CheckResult.FAILED
        elif not (is_reference(destination) or _sub_builds_log_arn(destination)):
            return CheckResult.FAILED
        log_format = setting.get("Format")
        if not isinstance(log_format, str) or not log_format.strip():
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApigwStageAccessLogging()
