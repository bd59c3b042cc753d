"""RDS_STORAGE_ENCRYPTED_CMK: RDS instances encrypt storage with a customer-managed KMS key."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class RdsStorageEncryptedCmk(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS instances encrypt storage with a customer-managed KMS key",
                         id="RDS_STORAGE_ENCRYPTED_CMK", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::RDS::DBInstance"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if not is_true(props.get("StorageEncrypted")):
            return CheckResult.FAILED
        key = props.get("KmsKeyId")
        if key is None or (isinstance(key, str) and "alias/aws/" in key):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsStorageEncryptedCmk()
