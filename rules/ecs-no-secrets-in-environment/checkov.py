"""ECS_NO_SECRETS_IN_ENVIRONMENT: ECS containers get credentials from Secrets, never from plain Environment."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties

CREDENTIAL_NAMES = re.compile(r"(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL)")
POINTER = re.compile(r"(?i)_ARN$")


class EcsNoSecretsInEnvironment(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS containers get credentials from Secrets, never from plain Environment",
                         id="ECS_NO_SECRETS_IN_ENVIRONMENT", categories=[CheckCategories.SECRETS],
                         supported_resources=["AWS::ECS::TaskDefinition"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        for container in as_list(properties(conf).get("ContainerDefinitions")):
            if not isinstance(container, dict) or "Environment" not in container:
                continue
            for entry in as_list(container["Environment"]):
                name = entry.get("Name") if isinstance(entry, dict) else None
                if not isinstance(name, str):
                    return CheckResult.FAILED
                if CREDENTIAL_NAMES.search(name) and not POINTER.search(name):
                    return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsNoSecretsInEnvironment()
