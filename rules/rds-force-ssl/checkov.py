"""RDS_FORCE_SSL: RDS instances and clusters use a parameter group of the template that forces TLS."""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import properties, resources_of_type, whole_template

# engine -> (parameter that forces TLS, accepted values); mirrors rule.guard
_FORCE_SSL = ("rds.force_ssl", (1, "1"))
_SECURE_TRANSPORT = ("require_secure_transport", (1, "1", "ON", "on"))
_INSTANCE_ENGINES = [(re.compile(r"postgres|sqlserver-(ee|se|ex|web)"), _FORCE_SSL),
                     (re.compile(r"mysql|mariadb"), _SECURE_TRANSPORT)]
_CLUSTER_ENGINES = [(re.compile(r"aurora-postgresql|postgres"), _FORCE_SSL),
                    (re.compile(r"aurora-mysql|aurora|mysql"), _SECURE_TRANSPORT)]
_KINDS = {  # resource type -> (group property, group type, engine table)
    "AWS::RDS::DBInstance": ("DBParameterGroupName", "AWS::RDS::DBParameterGroup", _INSTANCE_ENGINES),
    "AWS::RDS::DBCluster": ("DBClusterParameterGroupName", "AWS::RDS::DBClusterParameterGroup", _CLUSTER_ENGINES),
}


def _referenced_id(value: Any) -> str | None:
    """The logical id a Ref or Fn::GetAtt names, else None (a literal or another intrinsic)."""
    if isinstance(value, dict) and len(value) == 1:
        if isinstance(value.get("Ref"), str):
            return str(value["Ref"])
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att and isinstance(att[0], str):
            return att[0]
    return None


def _aurora_member(props: dict[str, Any]) -> bool:
    engine = props.get("Engine")
    return "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))


class RdsForceSsl(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS instances and clusters use a parameter group that forces TLS",
                         id="RDS_FORCE_SSL", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=list(_KINDS))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        kind = str(conf.get("Type"))
        if kind == "AWS::RDS::DBInstance" and _aurora_member(props):
            return CheckResult.PASSED
        group_property, group_type, engines = _KINDS[kind]
        engine = props.get("Engine")
        setting = next((s for pattern, s in engines if isinstance(engine, str) and pattern.fullmatch(engine)), None)
        group_id = _referenced_id(props.get(group_property))
        if setting is None or group_id is None:
            return CheckResult.FAILED
        template = whole_template(conf)
        if template is None:
            return CheckResult.FAILED
        group = resources_of_type(template, group_type).get(group_id)
        group_props = group.get("Properties") if isinstance(group, dict) else None
        parameters = group_props.get("Parameters") if isinstance(group_props, dict) else None
        if not isinstance(parameters, dict):
            return CheckResult.FAILED
        name, accepted = setting
        value = parameters.get(name)
        if isinstance(value, bool) or value not in accepted:
            return CheckResult.FAILED
        return CheckResult.PASSED


check = RdsForceSsl()
