"""ECS_CONTAINER_NON_ROOT: every container runs as a named non-root user."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

_ROOT_USER = re.compile(r"^(root|0)?(:.*)?\Z")  # the Guard rule's /^(root|0)?(:.*)?$/


def _task_ok(props: dict[str, Any]) -> bool:
    return True


def _container_ok(container: dict[str, Any]) -> bool:
    user = container.get("User")
    return isinstance(user, str) and not _ROOT_USER.search(user)


class EcsContainerNonRoot(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS containers run as a non-root user",
                         id="ECS_CONTAINER_NON_ROOT", categories=[CheckCategories.GENERAL_SECURITY],
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


check = EcsContainerNonRoot()
