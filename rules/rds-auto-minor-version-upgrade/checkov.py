"""RDS_AUTO_MINOR_VERSION_UPGRADE: RDS DB instances take automatic minor version upgrades."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class RdsAutoMinorVersionUpgrade(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS DB instances take automatic minor version upgrades",
                         id="RDS_AUTO_MINOR_VERSION_UPGRADE", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "AutoMinorVersionUpgrade" not in props:
            return CheckResult.PASSED
        return CheckResult.PASSED if is_true(props["AutoMinorVersionUpgrade"]) else CheckResult.FAILED


check = RdsAutoMinorVersionUpgrade()
