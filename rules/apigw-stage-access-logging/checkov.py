"""APIGW_STAGE_ACCESS_LOGGING: API Gateway stages write access logs to a log destination."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_reference, properties

DESTINATION_ARN = re.compile(r"^arn:aws[a-z-]*:(logs|firehose):")


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
        elif not is_reference(destination):
            return CheckResult.FAILED
        log_format = setting.get("Format")
        if not isinstance(log_format, str) or not log_format.strip():
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApigwStageAccessLogging()
