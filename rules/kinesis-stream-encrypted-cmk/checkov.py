"""KINESIS_STREAM_ENCRYPTED_CMK: Kinesis data streams are encrypted with a customer-managed KMS key."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class KinesisStreamEncryptedCmk(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Kinesis data streams are encrypted with a customer-managed KMS key",
                         id="KINESIS_STREAM_ENCRYPTED_CMK", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::Kinesis::Stream"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        encryption = properties(conf).get("StreamEncryption")
        if not isinstance(encryption, dict) or encryption.get("EncryptionType") != "KMS":
            return CheckResult.FAILED
        key = encryption.get("KeyId")
        if key is None:
            return CheckResult.FAILED
        if isinstance(key, str) and (key.strip() == "" or "alias/aws/" in key):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KinesisStreamEncryptedCmk()
