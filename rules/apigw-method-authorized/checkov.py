"""APIGW_METHOD_AUTHORIZED: API Gateway methods (except OPTIONS) require authentication."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_true, properties

AUTHORIZED = ("AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")


class ApigwMethodAuthorized(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway methods (except OPTIONS) require authentication",
                         id="APIGW_METHOD_AUTHORIZED", categories=[CheckCategories.IAM],
                         supported_resources=["AWS::ApiGateway::Method"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        auth = props.get("AuthorizationType")
        if not (props.get("HttpMethod") == "OPTIONS" or is_true(props.get("ApiKeyRequired")) or auth in AUTHORIZED):
            return CheckResult.FAILED
        if auth in ("CUSTOM", "COGNITO_USER_POOLS") and "AuthorizerId" not in props:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApigwMethodAuthorized()
