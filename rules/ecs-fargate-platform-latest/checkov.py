"""ECS_FARGATE_PLATFORM_LATEST: ECS services run on the latest Fargate platform version."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class EcsFargatePlatformLatest(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS services run on the latest Fargate platform version",
                         id="ECS_FARGATE_PLATFORM_LATEST", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::Service"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "PlatformVersion" in props and props["PlatformVersion"] != "LATEST":
            return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsFargatePlatformLatest()
