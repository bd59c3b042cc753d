"""KMS_KEY_ROTATION_ENABLED: symmetric KMS keys rotate their key material automatically."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties


class KmsKeyRotationEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Symmetric KMS keys rotate their key material automatically",
                         id="KMS_KEY_ROTATION_ENABLED", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=["AWS::KMS::Key"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        spec, origin = props.get("KeySpec"), props.get("Origin")
        symmetric = spec is None or not isinstance(spec, str) or spec == "SYMMETRIC_DEFAULT"
        generated = origin is None or not isinstance(origin, str) or origin == "AWS_KMS"
        if symmetric and generated and not is_true(props.get("EnableKeyRotation")):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = KmsKeyRotationEnabled()
