"""RDS_PGAUDIT_ENABLED: PostgreSQL databases load pgaudit and log the required statement classes."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, properties, resources_of_type, whole_template

_LIBRARIES = re.compile(r"(^|,)\s*pgaudit\s*(,|$)")
# The same split rule.guard applies with regex_replace: up to 12 items, the rest in a 13th; all "" when it fails.
_ITEMS = re.compile(r'^\s*([^,\s"\\]*)\s*(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,\s*([^,\s"\\]*)\s*)?(?:,([^"\\]*))?$|^[\s\S]*$')
_KINDS = {  # resource type -> (group property, group type, PostgreSQL engines)
    "AWS::RDS::DBInstance": ("DBParameterGroupName", "AWS::RDS::DBParameterGroup", ("postgres",)),
    "AWS::RDS::DBCluster": ("DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup",
                            ("aurora-postgresql", "postgres")),
}


def _classes(value: str) -> list[str]:
    match = _ITEMS.match(value.lower())
    return [(match.group(i) or "") if match else "" for i in range(1, 14)]


def _referenced_id(value: Any) -> str | None:
    if isinstance(value, dict) and "Ref" in value:
        return value["Ref"] if isinstance(value["Ref"], str) else None
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        att = value["Fn::GetAtt"]
        return att[0] if isinstance(att, list) and att and isinstance(att[0], str) else None
    return None


def _group_logs_required(parameters: Any, required: list[str]) -> bool:
    if not isinstance(parameters, dict):
        return False
    libraries = parameters.get("shared_preload_libraries")
    if not isinstance(libraries, str) or not _LIBRARIES.search(libraries):
        return False
    log = parameters.get("pgaudit.log")
    if not isinstance(log, str):
        return False
    classes = _classes(log)
    missing = [c for c in required if c not in classes]
    if not missing:
        return True
    return "all" in classes and not any(f"-{c}" in classes for c in missing)


class RdsPgauditEnabled(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="PostgreSQL databases load pgaudit and log the required statement classes",
                         id="RDS_PGAUDIT_ENABLED", categories=[CheckCategories.LOGGING],
                         supported_resources=list(_KINDS))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        kind = str(conf.get("Type"))
        engine = props.get("Engine")
        if kind == "AWS::RDS::DBInstance" and (
                "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))):
            return CheckResult.PASSED
        group_property, group_type, engines = _KINDS[kind]
        if not isinstance(engine, str):
            return CheckResult.FAILED
        if engine not in engines:
            return CheckResult.PASSED
        group_id = _referenced_id(props.get(group_property))
        template = whole_template(conf)
        if group_id is None or template is None:
            return CheckResult.FAILED
        group = resources_of_type(template, group_type).get(group_id)
        group_props = group.get("Properties") if isinstance(group, dict) else None
        parameters = group_props.get("Parameters") if isinstance(group_props, dict) else None
        required = [str(c) for c in parameter("pgaudit_required_classes")]
        return CheckResult.PASSED if _group_logs_required(parameters, required) else CheckResult.FAILED


check = RdsPgauditEnabled()
