"""SNS_TOPIC_ENCRYPTED_CMK: SNS topics are encrypted with a customer-managed KMS key."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class SnsTopicEncryptedCmk(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="SNS topics are encrypted with a customer-managed KMS key",
                         id="SNS_TOPIC_ENCRYPTED_CMK", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::SNS::Topic"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        key = properties(conf).get("KmsMasterKeyId")
        if key is None:
            return CheckResult.FAILED
        if isinstance(key, str) and (key.strip() == "" or "alias/aws/" in key):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = SnsTopicEncryptedCmk()
