"""APIGW_STAGE_TRACING: API Gateway stages have X-Ray tracing enabled."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class ApigwStageTracing(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway stages have X-Ray tracing enabled", id="APIGW_STAGE_TRACING",
                         categories=[CheckCategories.LOGGING], supported_resources=["AWS::ApiGateway::Stage"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if is_true(properties(conf).get("TracingEnabled")) else CheckResult.FAILED


check = ApigwStageTracing()
