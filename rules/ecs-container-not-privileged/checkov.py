"""ECS_CONTAINER_NOT_PRIVILEGED: no privileged containers, no host PID/IPC namespace."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


def _is_literal_false(value: Any) -> bool:
    return value is False or value in ("false", "False")


def _task_ok(props: dict[str, Any]) -> bool:
    pid_ok = "PidMode" not in props or props["PidMode"] == "task"
    ipc_ok = "IpcMode" not in props or props["IpcMode"] in ("task", "none")
    return pid_ok and ipc_ok


def _container_ok(container: dict[str, Any]) -> bool:
    return "Privileged" not in container or _is_literal_false(container["Privileged"])


class EcsContainerNotPrivileged(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS containers are not privileged and share no host namespace",
                         id="ECS_CONTAINER_NOT_PRIVILEGED", categories=[CheckCategories.GENERAL_SECURITY],
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


check = EcsContainerNotPrivileged()
