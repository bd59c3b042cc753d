"""RDS_IN_BACKUP_PLAN: every RDS database is selected by an AWS Backup plan that keeps recovery points long enough.

Mirrors rule.guard exactly, including which selection forms are recognised (see its header).
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, parameter, properties, resources_of_type, whole_template

_NAMED = re.compile(r"^arn:.*:rds:.*:(db|cluster):\$\{([A-Za-z0-9]+)\}$"
                    r"|^\$\{([A-Za-z0-9]+)\.(DBInstanceArn|DBClusterArn)\}$"
                    r"|^([A-Za-z0-9]+)$")
_WILDCARD = {"AWS::RDS::DBInstance": re.compile(r"^(\*|arn:[^:]+:rds:[^:]*:[^:]*:db:\*)$"),
             "AWS::RDS::DBCluster": re.compile(r"^(\*|arn:[^:]+:rds:[^:]*:[^:]*:cluster:\*)$")}
_LITERAL_ARN = {"AWS::RDS::DBInstance": re.compile(r"^arn:[^:]+:rds:[^:]*:[^:]*:db:([^*:]+)$"),
                "AWS::RDS::DBCluster": re.compile(r"^arn:[^:]+:rds:[^:]*:[^:]*:cluster:([^*:]+)$")}
_IDENTIFIER = {"AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::RDS::DBCluster": "DBClusterIdentifier"}


def _props(resource: Any) -> dict[str, Any]:
    value = resource.get("Properties") if isinstance(resource, dict) else None
    return value if isinstance(value, dict) else {}


def _keeps_long_enough(plan: dict[str, Any], min_days: int) -> bool:
    body = _props(plan).get("BackupPlan")
    rules = body.get("BackupPlanRule") if isinstance(body, dict) else None
    for rule in as_list(rules):
        lifecycle = rule.get("Lifecycle") if isinstance(rule, dict) else None
        days = lifecycle.get("DeleteAfterDays") if isinstance(lifecycle, dict) else None
        if isinstance(days, int) and not isinstance(days, bool) and days >= min_days:
            return True
    return False


def _plan_id(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "Ref" in value:
            return value["Ref"]
        att = value.get("Fn::GetAtt")
        if isinstance(att, list) and att:
            return att[0]
    return None


def _selection_entries(template: dict[str, Any], min_days: int) -> list[Any] | None:
    """Resources entries of selections whose plan keeps recovery points long enough; None if no such plan."""
    plans = {k for k, v in resources_of_type(template, "AWS::Backup::BackupPlan").items()
             if _keeps_long_enough(v, min_days)}
    if not plans:
        return None
    entries: list[Any] = []
    for selection in resources_of_type(template, "AWS::Backup::BackupSelection").values():
        props = _props(selection)
        if _plan_id(props.get("BackupPlanId")) in plans:
            body = props.get("BackupSelection")
            entries += as_list(body.get("Resources") if isinstance(body, dict) else None)
    return entries


def _named_ids(entries: list[Any]) -> set[str]:
    strings: list[str] = []
    for entry in entries:
        if not isinstance(entry, dict) or len(entry) != 1:
            continue
        if "Fn::GetAtt" in entry:
            strings += [s for s in as_list(entry["Fn::GetAtt"]) if isinstance(s, str)]
        elif isinstance(entry.get("Fn::Sub"), str):
            strings.append(entry["Fn::Sub"])
    names = set()
    for text in strings:
        match = _NAMED.match(text)
        names.add((match.group(2) or match.group(3) or match.group(5) or "") if match else "")
    return names


class RdsInBackupPlan(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="RDS databases are selected by an AWS Backup plan that keeps recovery points long enough",
                         id="RDS_IN_BACKUP_PLAN", categories=[CheckCategories.BACKUP_AND_RECOVERY],
                         supported_resources=["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        kind = str(conf.get("Type"))
        engine = props.get("Engine")
        if kind == "AWS::RDS::DBInstance" and (
                "DBClusterIdentifier" in props or (isinstance(engine, str) and engine.startswith("aurora"))):
            return CheckResult.PASSED
        template = whole_template(conf)
        if template is None:
            return CheckResult.FAILED
        entries = _selection_entries(template, int(parameter("min_retention_days")))
        if entries is None:
            return CheckResult.FAILED
        logical_id = self.entity_path.rsplit(":", 1)[-1]  # set by Checkov: "<file>:<type>:<logical id>"
        if logical_id in resources_of_type(template, kind) and logical_id in _named_ids(entries):
            return CheckResult.PASSED
        literals = [e for e in entries if isinstance(e, str)]
        if any(_WILDCARD[kind].match(e) for e in literals):
            return CheckResult.PASSED
        identifier = props.get(_IDENTIFIER[kind])
        named = {m.group(1) for m in (_LITERAL_ARN[kind].match(e) for e in literals) if m}
        if isinstance(identifier, str) and identifier in named:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = RdsInBackupPlan()
