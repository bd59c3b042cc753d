"""LOG_GROUPS_REFERENCED_ARE_DEFINED: every log group the stack writes to is a log group the template defines.

Mirrors rule.guard exactly (same reference forms, same exemptions); see its header for what is covered.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, properties, resources_of_type, whole_template

_LOG_GROUP = "AWS::Logs::LogGroup"
_FIREHOSE = "AWS::KinesisFirehose::DeliveryStream"
_ARN_NAME = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:*]+)(:\*)?")
_SUB_ID = re.compile(r"arn:.*:logs:.*:log-group:\$\{([A-Za-z0-9]+)\}(:\*)?|\$\{([A-Za-z0-9]+)\.Arn\}")
_FIREHOSE_ARN = re.compile(r"^arn:[^:]+:firehose:")


class _Template:
    def __init__(self, template: dict[str, Any]) -> None:
        resources = template.get("Resources")
        self.types = {k: v.get("Type") for k, v in resources.items() if isinstance(v, dict)} \
            if isinstance(resources, dict) else {}
        self.names = set()
        for group in resources_of_type(template, _LOG_GROUP).values():
            props = group.get("Properties")
            name = props.get("LogGroupName") if isinstance(props, dict) else None
            if isinstance(name, str):
                self.names.add(name)

    def is_type(self, logical_id: Any, *types: str) -> bool:
        return isinstance(logical_id, str) and self.types.get(logical_id) in types

    def name_ok(self, value: Any) -> bool:
        """A log group *name*: a Ref to a log group of the template, or a literal equal to one's LogGroupName."""
        if isinstance(value, dict) and "Ref" in value:
            return self.is_type(value["Ref"], _LOG_GROUP)
        if isinstance(value, str):
            return value != "" and "\n" not in value and value in self.names
        return False

    def arn_ok(self, value: Any, firehose_allowed: bool) -> bool:
        """A log group *ARN*: GetAtt of one, a literal ARN of a defined name, or a Fn::Sub naming one."""
        if isinstance(value, dict) and "Fn::GetAtt" in value:
            att = value["Fn::GetAtt"]
            target = att[0] if isinstance(att, list) and att else None
            return self.is_type(target, _LOG_GROUP, *((_FIREHOSE,) if firehose_allowed else ()))
        if isinstance(value, str):
            if firehose_allowed and _FIREHOSE_ARN.search(value):
                return True
            match = _ARN_NAME.fullmatch(value)
            return bool(match) and match.group(1) in self.names  # type: ignore[union-attr]
        if isinstance(value, dict) and isinstance(value.get("Fn::Sub"), str):
            match = _SUB_ID.fullmatch(value["Fn::Sub"])
            target = (match.group(1) or match.group(3)) if match else None
            return self.is_type(target, _LOG_GROUP)
        return False


def _task_ok(props: dict[str, Any], tpl: _Template) -> bool:
    if "ContainerDefinitions" not in props:
        return True
    containers = props["ContainerDefinitions"]
    if not isinstance(containers, list):
        return False
    for container in containers:
        config = container.get("LogConfiguration") if isinstance(container, dict) else None
        if config is None:
            continue
        driver = config.get("LogDriver") if isinstance(config, dict) else None
        if not isinstance(driver, str):
            return False
        if driver == "awslogs":
            options = config.get("Options")
            if not tpl.name_ok(options.get("awslogs-group") if isinstance(options, dict) else None):
                return False
    return True


def _stage_ok(props: dict[str, Any], tpl: _Template, setting: str) -> bool:
    access = props.get(setting)
    if not isinstance(access, dict) or "DestinationArn" not in access:
        return True
    return tpl.arn_ok(access["DestinationArn"], firehose_allowed=True)


def _flow_log_ok(props: dict[str, Any], tpl: _Template) -> bool:
    kind = props.get("LogDestinationType", "cloud-watch-logs")
    if kind not in ("cloud-watch-logs", "s3", "kinesis-data-firehose"):
        return False
    if kind != "cloud-watch-logs":
        return True
    if "LogGroupName" not in props and "LogDestination" not in props:
        return False
    if "LogGroupName" in props and not tpl.name_ok(props["LogGroupName"]):
        return False
    return "LogDestination" not in props or tpl.arn_ok(props["LogDestination"], firehose_allowed=False)


def _cache_ok(props: dict[str, Any], tpl: _Template) -> bool:
    if "LogDeliveryConfigurations" not in props:
        return True
    for delivery in as_list(props["LogDeliveryConfigurations"]):
        kind = delivery.get("DestinationType") if isinstance(delivery, dict) else None
        if kind not in ("cloudwatch-logs", "kinesis-firehose"):
            return False
        if kind == "cloudwatch-logs":
            details = delivery.get("DestinationDetails")
            cw = details.get("CloudWatchLogsDetails") if isinstance(details, dict) else None
            if not tpl.name_ok(cw.get("LogGroup") if isinstance(cw, dict) else None):
                return False
    return True


def _exports_ok(props: dict[str, Any], tpl: _Template, identifier_key: str, prefix: str) -> bool:
    exports = props.get("EnableCloudwatchLogsExports")
    if exports is None or exports == [] or exports == {}:
        return True
    logs = as_list(exports)
    identifier = props.get(identifier_key)
    if not all(isinstance(log, str) for log in logs) or not isinstance(identifier, str):
        return False
    return all(f"{prefix}/{identifier.lower()}/{log}" in tpl.names for log in logs)


class LogGroupsReferencedAreDefined(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="Every log group the stack writes to is a log group the template defines",
                         id="LOG_GROUPS_REFERENCED_ARE_DEFINED", categories=[CheckCategories.LOGGING],
                         supported_resources=["AWS::ECS::TaskDefinition", "AWS::ApiGateway::Stage",
                                              "AWS::ApiGatewayV2::Stage", "AWS::EC2::FlowLog",
                                              "AWS::ElastiCache::ReplicationGroup", "AWS::RDS::DBInstance",
                                              "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = whole_template(conf)
        if template is None:
            return CheckResult.FAILED
        tpl, props, kind = _Template(template), properties(conf), conf.get("Type")
        if kind == "AWS::ECS::TaskDefinition":
            ok = _task_ok(props, tpl)
        elif kind == "AWS::ApiGateway::Stage":
            ok = _stage_ok(props, tpl, "AccessLogSetting")
        elif kind == "AWS::ApiGatewayV2::Stage":
            ok = _stage_ok(props, tpl, "AccessLogSettings")
        elif kind == "AWS::EC2::FlowLog":
            ok = _flow_log_ok(props, tpl)
        elif kind == "AWS::ElastiCache::ReplicationGroup":
            ok = _cache_ok(props, tpl)
        elif kind == "AWS::RDS::DBInstance":
            ok = _exports_ok(props, tpl, "DBInstanceIdentifier", "/aws/rds/instance")
        else:
            ok = _exports_ok(props, tpl, "DBClusterIdentifier", "/aws/rds/cluster")
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = LogGroupsReferencedAreDefined()
