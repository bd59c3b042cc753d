"""ECS_CONTAINER_READONLY_ROOT_FS: every container has a read-only root filesystem."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


def _task_ok(props: dict[str, Any]) -> bool:
    return True


def _container_ok(container: dict[str, Any]) -> bool:
    value = container.get("ReadonlyRootFilesystem")
    return value is True or value in ("true", "True")


class EcsContainerReadonlyRootFs(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS containers have a read-only root filesystem",
                         id="ECS_CONTAINER_READONLY_ROOT_FS", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::TaskDefinition"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        containers = props.get("ContainerDefinitions")
        if not isinstance(containers, list) or not containers:
            return CheckResult.FAILED
        if not _task_ok(props):
            return CheckResult.FAILED
        for container in containers:
            if not isinstance(container, dict) or "Image" not in container or not _container_ok(container):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsContainerReadonlyRootFs()
