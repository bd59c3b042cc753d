"""ECS_TASK_AWSVPC_MODE: task definitions use the awsvpc network mode."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class EcsTaskAwsvpcMode(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS task definitions use the awsvpc network mode",
                         id="ECS_TASK_AWSVPC_MODE", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::ECS::TaskDefinition"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if properties(conf).get("NetworkMode") == "awsvpc" else CheckResult.FAILED


check = EcsTaskAwsvpcMode()
