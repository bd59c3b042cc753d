"""APIGW_STAGE_EXECUTION_LOGGING: API Gateway stages log execution of every method at INFO or ERROR."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

LEVELS = ("INFO", "ERROR")


def _covers_all_methods(setting: Any) -> bool:
    return (isinstance(setting, dict) and setting.get("HttpMethod") == "*" and setting.get("ResourcePath") == "/*"
            and setting.get("LoggingLevel") in LEVELS)


class ApigwStageExecutionLogging(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway stages log execution of every method at INFO or ERROR",
                         id="APIGW_STAGE_EXECUTION_LOGGING", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ApiGateway::Stage"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = properties(conf).get("MethodSettings")
        if not isinstance(settings, list) or not any(_covers_all_methods(s) for s in settings):
            return CheckResult.FAILED
        for setting in settings:
            if isinstance(setting, dict) and "LoggingLevel" in setting and setting["LoggingLevel"] not in LEVELS:
                return CheckResult.FAILED
        return CheckResult.PASSED


check = ApigwStageExecutionLogging()
