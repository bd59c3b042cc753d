"""RDS_NOT_PUBLIC: RDS DB instances are not publicly accessible (PubliclyAccessible literally false)."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class RdsNotPublic(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS DB instances are not publicly accessible", id="RDS_NOT_PUBLIC",
                         categories=[CheckCategories.NETWORKING], supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        value = properties(conf).get("PubliclyAccessible")
        literal_false = value is False or (isinstance(value, str) and value in ("false", "False"))
        return CheckResult.PASSED if literal_false else CheckResult.FAILED


check = RdsNotPublic()
