"""MONITORING_ALARMS_COVER_PIPELINE: alarms watch every stream's lag and throttling and every DB's storage and CPU.

Cross-resource: the failing resource is the stream or DB instance no alarm watches (never the alarm).
"""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import own_logical_id, properties, resources_of_type, scanned_template

# resource type -> (namespace, dimension, property holding the resource's name, [(metric, exempt if present)])
REQUIRED_ALARMS: dict[str, tuple[str, str, str, list[tuple[str, str | None]]]] = {
    "AWS::Kinesis::Stream": ("AWS/Kinesis", "StreamName", "Name",
                             [("GetRecords.IteratorAgeMilliseconds", None),
                              ("WriteProvisionedThroughputExceeded", None)]),
    "AWS::RDS::DBInstance": ("AWS/RDS", "DBInstanceIdentifier", "DBInstanceIdentifier",
                             [("FreeStorageSpace", "DBClusterIdentifier"), ("CPUUtilization", None)]),
}


def _covered(alarms: list[dict[str, Any]], namespace: str, metric: str, dimension: str,
             logical_id: str, own: dict[str, Any], name_property: str) -> bool:
    for alarm in alarms:
        props = alarm.get("Properties")
        if not isinstance(props, dict) or props.get("Namespace") != namespace or props.get("MetricName") != metric:
            continue
        dims = props.get("Dimensions")
        for dim in dims if isinstance(dims, list) else []:
            if not isinstance(dim, dict) or dim.get("Name") != dimension:
                continue
            value = dim.get("Value")
            if value == {"Ref": logical_id} or (name_property in own and value == own[name_property]):
                return True
    return False


class MonitoringAlarmsCoverPipeline(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Alarms watch every stream's lag and throttling and every database's storage and CPU",
                         id="MONITORING_ALARMS_COVER_PIPELINE", categories=[CheckCategories.LOGGING],
                         supported_resources=list(REQUIRED_ALARMS))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template, logical_id = scanned_template(self, conf), own_logical_id(self)
        if template is None or not logical_id:
            return CheckResult.FAILED
        own = properties(conf)
        alarms = list(resources_of_type(template, "AWS::CloudWatch::Alarm").values())
        namespace, dimension, name_property, metrics = REQUIRED_ALARMS[str(conf.get("Type"))]
        for metric, exempt_if in metrics:
            if exempt_if and exempt_if in own:
                continue
            if not _covered(alarms, namespace, metric, dimension, logical_id, own, name_property):
                return CheckResult.FAILED
        return CheckResult.PASSED


check = MonitoringAlarmsCoverPipeline()
