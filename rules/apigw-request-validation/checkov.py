"""APIGW_REQUEST_VALIDATION: API Gateway methods that accept a body validate it against a model."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties, scanned_template

BODYLESS = ("GET", "HEAD", "OPTIONS", "DELETE")
VALIDATOR = "AWS::ApiGateway::RequestValidator"


def _validates_body(resources: dict[str, Any], logical_id: Any) -> bool:
    target = resources.get(logical_id) if isinstance(logical_id, str) else None
    props = target.get("Properties") if isinstance(target, dict) else None
    return (isinstance(target, dict) and target.get("Type") == VALIDATOR and isinstance(props, dict)
            and is_true(props.get("ValidateRequestBody")))


def _validator_ok(validator: Any, resources: dict[str, Any]) -> bool:
    if isinstance(validator, str):
        return True  # a literal id cannot be inspected
    if not isinstance(validator, dict) or len(validator) != 1:
        return False
    if "Ref" in validator:
        if validator["Ref"] not in resources:
            return True  # a parameter: cannot be inspected
        return _validates_body(resources, validator["Ref"])
    att = validator.get("Fn::GetAtt")
    return isinstance(att, list) and bool(att) and _validates_body(resources, att[0])


class ApigwRequestValidation(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway methods that accept a body validate it against a model",
                         id="APIGW_REQUEST_VALIDATION", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ApiGateway::Method"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if props.get("HttpMethod") in BODYLESS:
            return CheckResult.PASSED
        models = props.get("RequestModels")
        if "RequestValidatorId" not in props or not isinstance(models, dict) or not models:
            return CheckResult.FAILED
        template = scanned_template(self, conf)
        resources = template.get("Resources") if template else None
        if not isinstance(resources, dict):
            return CheckResult.FAILED
        return CheckResult.PASSED if _validator_ok(props["RequestValidatorId"], resources) else CheckResult.FAILED


check = ApigwRequestValidation()
