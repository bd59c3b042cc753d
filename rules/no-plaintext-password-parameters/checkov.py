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

# Credential words in lower, Capitalised or UPPER case, as the Guard rule spells them (it avoids (?i): cost).
CREDENTIAL_NAME = re.compile(r"(password|Password|PASSWORD|passwd|Passwd|PASSWD|secret|Secret|SECRET|token|Token|TOKEN|(api|Api|API)_?(key|Key|KEY)|(private|Private|PRIVATE)_?(key|Key|KEY)|credential|Credential|CREDENTIAL)")
POINTER_NAME = re.compile(r"(arn|Arn|ARN|id|Id|ID|name|Name|NAME)$")


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
