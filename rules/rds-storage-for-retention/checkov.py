"""RDS_STORAGE_FOR_RETENTION: RDS storage holds the retained readings and can grow automatically."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


def _gib(value: Any) -> int | None:
    """A non-negative integer literal (int or digit string), as the Guard rule accepts."""
    number = as_int(value)
    return number if number is not None and number >= 0 and not (isinstance(value, str) and "-" in value) else None


class RdsStorageForRetention(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS storage holds the retained readings and can grow automatically",
                         id="RDS_STORAGE_FOR_RETENTION", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "DBClusterIdentifier" in props:
            return CheckResult.PASSED
        allocated, ceiling = _gib(props.get("AllocatedStorage")), _gib(props.get("MaxAllocatedStorage"))
        if allocated is None or allocated < int(parameter("min_db_storage_gib")):
            return CheckResult.FAILED
        if ceiling is None or ceiling <= allocated:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsStorageForRetention()
