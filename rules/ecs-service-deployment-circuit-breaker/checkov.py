"""ECS_SERVICE_DEPLOYMENT_CIRCUIT_BREAKER: failed deployments stop and roll back; capacity kept during changes."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import literal_port, properties


def _literal_true(value: Any) -> bool:
    return value is True or value in ("true", "True")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class EcsServiceDeploymentCircuitBreaker(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS services roll back failed deployments automatically",
                         id="ECS_SERVICE_DEPLOYMENT_CIRCUIT_BREAKER", categories=[CheckCategories.GENERAL_SECURITY],
                         supported_resources=["AWS::ECS::Service"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        controller = _mapping(props.get("DeploymentController")).get("Type")
        if controller in ("CODE_DEPLOY", "EXTERNAL"):
            return CheckResult.PASSED
        deployment = _mapping(props.get("DeploymentConfiguration"))
        breaker = _mapping(deployment.get("DeploymentCircuitBreaker"))
        if not (_literal_true(breaker.get("Enable")) and _literal_true(breaker.get("Rollback"))):
            return CheckResult.FAILED
        if "MinimumHealthyPercent" in deployment:
            minimum = literal_port(deployment["MinimumHealthyPercent"])  # an int or a digit string
            if minimum is None or minimum < 100:
                return CheckResult.FAILED
        return CheckResult.PASSED


check = EcsServiceDeploymentCircuitBreaker()
