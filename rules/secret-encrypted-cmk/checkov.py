"""SECRET_ENCRYPTED_CMK: Secrets Manager secrets are encrypted with a customer-managed KMS key."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_reference, properties

AWS_MANAGED = re.compile(r"alias.aws.")


class SecretEncryptedCmk(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Secrets Manager secrets are encrypted with a customer-managed KMS key",
                         id="SECRET_ENCRYPTED_CMK", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::SecretsManager::Secret"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        key = properties(conf).get("KmsKeyId")
        if isinstance(key, str):
            return CheckResult.FAILED if AWS_MANAGED.search(key) else CheckResult.PASSED
        return CheckResult.PASSED if is_reference(key) else CheckResult.FAILED


check = SecretEncryptedCmk()
