"""APIGW_STAGE_THROTTLING_SIZED: stage throttling admits the target load and stays within the account limit."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties

DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def _number(value: Any) -> float | None:
    """A literal number (int, float or decimal string), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and DECIMAL.match(value):
        return float(value)
    return None


def _within_bounds(setting: dict[str, Any], low: float, high: float) -> bool:
    if "ThrottlingRateLimit" in setting:
        rate = _number(setting["ThrottlingRateLimit"])
        if rate is None or not low <= rate <= high:
            return False
    if "ThrottlingBurstLimit" in setting:
        burst = as_int(setting["ThrottlingBurstLimit"])
        if burst is None or burst < low:
            return False
    return True


class ApigwStageThrottlingSized(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway stage throttling admits the target load and stays within the account limit",
                         id="APIGW_STAGE_THROTTLING_SIZED", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ApiGateway::Stage"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = properties(conf).get("MethodSettings")
        if not isinstance(settings, list):
            return CheckResult.FAILED
        entries = [s for s in settings if isinstance(s, dict)]
        low, high = float(parameter("min_api_rate_limit_rps")), float(parameter("max_api_rate_limit_rps"))
        if not any(s.get("HttpMethod") == "*" and s.get("ResourcePath") == "/*" and "ThrottlingRateLimit" in s
                   and "ThrottlingBurstLimit" in s for s in entries):
            return CheckResult.FAILED
        return CheckResult.PASSED if all(_within_bounds(s, low, high) for s in entries) else CheckResult.FAILED


check = ApigwStageThrottlingSized()
