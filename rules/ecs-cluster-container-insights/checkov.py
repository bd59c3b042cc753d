"""ECS_CLUSTER_CONTAINER_INSIGHTS: ECS clusters enable CloudWatch Container Insights."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties


class EcsClusterContainerInsights(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="ECS clusters enable Container Insights",
                         id="ECS_CLUSTER_CONTAINER_INSIGHTS", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ECS::Cluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = properties(conf).get("ClusterSettings")
        if not isinstance(settings, list):
            return CheckResult.FAILED
        insights = [s for s in settings if isinstance(s, dict) and s.get("Name") == "containerInsights"]
        if insights and all(s.get("Value") in ("enabled", "enhanced") for s in insights):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = EcsClusterContainerInsights()
