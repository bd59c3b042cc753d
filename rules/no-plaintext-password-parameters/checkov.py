"""NO_PLAINTEXT_PASSWORD_PARAMETERS: credential-named template parameters are NoEcho and have no Default.

Template scope: the verdict is about the template's Parameters; Checkov hangs it on every AWS:: resource, which
all pass or all fail together.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, scanned_template

CREDENTIAL_NAME = re.compile(r"(?i)(password|passwd|secret|token|api_?key|private_?key|credential)")
POINTER_NAME = re.compile(r"(?i)(arn|id|name)$")


class NoPlaintextPasswordParameters(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Credential parameters are NoEcho and have no Default",
                         id="NO_PLAINTEXT_PASSWORD_PARAMETERS", categories=[CheckCategories.SECRETS],
                         supported_resources=["AWS::*"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED  # cannot see the Parameters: fail closed
        parameters = template.get("Parameters")
        if not isinstance(parameters, dict):
            return CheckResult.PASSED
        for name, spec in parameters.items():
            if not CREDENTIAL_NAME.search(name) or POINTER_NAME.search(name):
                continue
            if not isinstance(spec, dict) or not is_true(spec.get("NoEcho")) or "Default" in spec:
                return CheckResult.FAILED
        return CheckResult.PASSED


check = NoPlaintextPasswordParameters()
