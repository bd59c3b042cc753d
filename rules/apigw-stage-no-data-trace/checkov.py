"""APIGW_STAGE_NO_DATA_TRACE: API Gateway stages do not log full request and response data."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_false, properties


def _traces(settings: Any) -> bool:
    """True when a mapping sets DataTraceEnabled to anything but a literal false."""
    return isinstance(settings, dict) and "DataTraceEnabled" in settings and not is_false(settings["DataTraceEnabled"])


def _any_entry_traces(method_settings: Any) -> bool:
    return isinstance(method_settings, list) and any(_traces(s) for s in method_settings)


class ApigwStageNoDataTrace(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway stages do not log full request and response data",
                         id="APIGW_STAGE_NO_DATA_TRACE", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if conf.get("Type") == "AWS::ApiGateway::Deployment":
            stage = props.get("StageDescription")
            if not isinstance(stage, dict):
                return CheckResult.PASSED
            if _traces(stage) or _any_entry_traces(stage.get("MethodSettings")):
                return CheckResult.FAILED
            return CheckResult.PASSED
        return CheckResult.FAILED if _any_entry_traces(props.get("MethodSettings")) else CheckResult.PASSED


check = ApigwStageNoDataTrace()
