"""ECS_CONTAINER_MEMORY_LIMITS: every container runs under a hard memory limit (task-level or its own)."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

_TASK_MEMORY = re.compile(r"^[1-9][0-9]*( ?[Gg][Bb])?\Z")
_CONTAINER_MEMORY = re.compile(r"^[1-9][0-9]*\Z")


def _positive(value: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value > 0
    return isinstance(value, str) and bool(pattern.search(value))


class EcsContainerMemoryLimits(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS containers run under a hard memory limit",
                         id="ECS_CONTAINER_MEMORY_LIMITS", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::TaskDefinition"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        containers = props.get("ContainerDefinitions")
        if not isinstance(containers, list) or not containers:
            return CheckResult.FAILED
        task_memory = props.get("Memory")
        if task_memory is not None and not isinstance(task_memory, dict):
            return CheckResult.PASSED if _positive(task_memory, _TASK_MEMORY) else CheckResult.FAILED
        for container in containers:
            if not isinstance(container, dict) or not _positive(container.get("Memory"), _CONTAINER_MEMORY):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsContainerMemoryLimits()
