"""KMS_KEY_DELETION_WINDOW: KMS keys keep a deletion waiting period of at least the policy minimum."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_int, parameter, properties


class KmsKeyDeletionWindow(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="KMS keys keep a deletion waiting period of at least the policy minimum",
                         id="KMS_KEY_DELETION_WINDOW", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::KMS::Key", "AWS::KMS::ReplicaKey"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if "PendingWindowInDays" not in props:
            return CheckResult.PASSED  # KMS default: 30 days
        days = as_int(props["PendingWindowInDays"])
        if days is None or days < int(parameter("min_kms_pending_window_days")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KmsKeyDeletionWindow()
