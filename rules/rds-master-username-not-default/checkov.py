"""RDS_MASTER_USERNAME_NOT_DEFAULT: RDS master user names are not well-known defaults."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties

DEFAULT_NAMES = re.compile(r"(?i)^(postgres|admin|root|sa|administrator|master|rdsadmin)$")


class RdsMasterUsernameNotDefault(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS master user names are not well-known defaults",
                         id="RDS_MASTER_USERNAME_NOT_DEFAULT", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "MasterUsername" not in props:
            return CheckResult.PASSED
        name = props["MasterUsername"]
        if not isinstance(name, str) or name.startswith("{{resolve:") or DEFAULT_NAMES.match(name):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsMasterUsernameNotDefault()
