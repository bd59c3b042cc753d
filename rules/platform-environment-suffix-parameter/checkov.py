"""PLATFORM_ENVIRONMENT_SUFFIX_PARAMETER: the template declares a constrained environment-suffix parameter.

Template scope: Checkov hangs the verdict on every AWS:: resource, all passing or all failing with the template.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, scanned_template

POSITIVE = re.compile(r"^[1-9][0-9]*$")


def _positive_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 1
    return isinstance(value, str) and POSITIVE.match(value) is not None


def _non_empty_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def declared_well(template: dict[str, Any], name: str) -> bool:
    parameters = template.get("Parameters")
    declaration = parameters.get(name) if isinstance(parameters, dict) else None
    if not isinstance(declaration, dict) or declaration.get("Type") != "String":
        return False
    return (_non_empty_text(declaration.get("AllowedPattern")) and _positive_int(declaration.get("MinLength"))
            and _positive_int(declaration.get("MaxLength"))
            and _non_empty_text(declaration.get("ConstraintDescription")))


class PlatformEnvironmentSuffixParameter(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="The template declares a constrained environment-suffix parameter",
                         id="PLATFORM_ENVIRONMENT_SUFFIX_PARAMETER", categories=[CheckCategories.CONVENTION],
                         supported_resources=["AWS::*"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        name = str(parameter("name_suffix_parameter"))
        return CheckResult.PASSED if declared_well(template, name) else CheckResult.FAILED


check = PlatformEnvironmentSuffixParameter()
