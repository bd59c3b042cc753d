"""One realistic mistake at a time in the reference template: each must be caught, under the right control, by both
engines, on the right resource; the unmutated copy must pass. All copies are checked in one run of the CLI."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from checker.resolve import to_plain

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template" / "iot-platform.yaml"
Doc = dict[str, Any]


def props(doc: Doc, logical_id: str) -> Doc:
    return doc["Resources"][logical_id]["Properties"]  # type: ignore[no-any-return]


def _world_ssh(doc: Doc) -> None:
    props(doc, "AppSecurityGroup").setdefault("SecurityGroupIngress", []).append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "0.0.0.0/0", "Description": "debug"})


def _admin_statement(doc: Doc) -> None:
    policy = props(doc, "ApiIntegrationRole")["Policies"][0]["PolicyDocument"]
    policy["Statement"].append({"Effect": "Allow", "Action": "*", "Resource": "*"})


def _db_ingress_from_cidr(doc: Doc) -> None:
    rule = props(doc, "DbFromAppIngress")
    rule.pop("SourceSecurityGroupId", None)
    rule["CidrIp"] = "10.0.0.0/16"


def _conditional_encryption(doc: Doc) -> None:
    doc["Parameters"]["Tier"] = {"Type": "String", "Default": "prod", "AllowedValues": ["prod", "dev"]}
    doc.setdefault("Conditions", {})["IsDev"] = {"Fn::Equals": [{"Ref": "Tier"}, "dev"]}
    props(doc, "SensorDb")["StorageEncrypted"] = {"Fn::If": ["IsDev", False, True]}


def _set(logical_id: str, key: str, value: Any) -> Callable[[Doc], None]:
    return lambda doc: props(doc, logical_id).__setitem__(key, value)


def _drop(logical_id: str, key: str) -> Callable[[Doc], None]:
    return lambda doc: props(doc, logical_id).pop(key)


def _remove(logical_id: str) -> Callable[[Doc], None]:
    return lambda doc: doc["Resources"].pop(logical_id)


# name -> (mutation, rule expected to fail, control it must be filed under, failing resource or None)
MUTATIONS: dict[str, tuple[Callable[[Doc], None], str, str, str | None]] = {
    "db-unencrypted": (_set("SensorDb", "StorageEncrypted", False), "RDS_STORAGE_ENCRYPTED_CMK", "A.8.24", "SensorDb"),
    "db-single-az": (_set("SensorDb", "MultiAZ", False), "RDS_MULTI_AZ", "A.8.14", "SensorDb"),
    "db-public": (_set("SensorDb", "PubliclyAccessible", True), "RDS_NOT_PUBLIC", "A.8.20", "SensorDb"),
    "db-backups-1-day": (_set("SensorDb", "BackupRetentionPeriod", 1), "RDS_BACKUP_RETENTION", "A.8.13", "SensorDb"),
    "db-default-admin": (_set("SensorDb", "MasterUsername", "postgres"), "RDS_MASTER_USERNAME_NOT_DEFAULT",
                         "A.5.17", "SensorDb"),
    "db-tls-off": (lambda d: props(d, "DbParameterGroup")["Parameters"].__setitem__("rds.force_ssl", "0"),
                   "RDS_FORCE_SSL", "A.8.24", "SensorDb"),
    "db-retain": (lambda d: d["Resources"]["SensorDb"].__setitem__("DeletionPolicy", "Retain"),
                  "PLATFORM_NO_RETAIN_POLICY", "A.8.10", "SensorDb"),
    "db-encryption-off-in-dev": (_conditional_encryption, "RDS_STORAGE_ENCRYPTED_CMK", "A.8.24", "SensorDb"),
    "logs-30-days": (_set("FlowLogGroup", "RetentionInDays", 30), "LOG_GROUP_RETENTION", "A.8.15", "FlowLogGroup"),
    "logs-unencrypted": (_drop("FlowLogGroup", "KmsKeyId"), "LOG_GROUP_ENCRYPTED_CMK", "A.8.24", "FlowLogGroup"),
    "world-ssh": (_world_ssh, "SG_NO_WORLD_ADMIN_PORTS", "A.8.20", "AppSecurityGroup"),
    "db-ingress-cidr": (_db_ingress_from_cidr, "DATA_TIER_INGRESS_FROM_SG_ONLY", "A.8.22", "DbFromAppIngress"),
    "secret-not-rotated": (_remove("AppDbSecretRotation"), "SECRET_ROTATION_ENABLED", "A.5.17", "AppDbSecret"),
    "secret-aws-key": (_drop("AppDbSecret", "KmsKeyId"), "SECRET_ENCRYPTED_CMK", "A.8.24", "AppDbSecret"),
    "stream-24h": (_set("SensorStream", "RetentionPeriodHours", 24), "KINESIS_STREAM_RETENTION", "A.5.33",
                   "SensorStream"),
    "stream-unencrypted": (_drop("SensorStream", "StreamEncryption"), "KINESIS_STREAM_ENCRYPTED_CMK", "A.8.24",
                           "SensorStream"),
    "cache-plaintext": (_set("CacheReplicationGroup", "TransitEncryptionEnabled", False),
                        "ELASTICACHE_ENCRYPTED_IN_TRANSIT", "A.8.24", "CacheReplicationGroup"),
    "container-privileged": (lambda d: props(d, "IngestTaskDefinition")["ContainerDefinitions"][0].__setitem__(
        "Privileged", True), "ECS_CONTAINER_NOT_PRIVILEGED", "A.8.2", "IngestTaskDefinition"),
    "service-public-ip": (lambda d: props(d, "IngestService")["NetworkConfiguration"]["AwsvpcConfiguration"]
                          .__setitem__("AssignPublicIp", "ENABLED"), "ECS_SERVICE_NO_PUBLIC_IP", "A.8.22",
                          "IngestService"),
    "no-rollback": (lambda d: props(d, "IngestService")["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
                    .__setitem__("Rollback", False), "ECS_SERVICE_DEPLOYMENT_CIRCUIT_BREAKER", "A.8.32",
                    "IngestService"),
    "key-not-rotated": (_set("DataKey", "EnableKeyRotation", False), "KMS_KEY_ROTATION_ENABLED", "A.8.24", "DataKey"),
    "api-data-trace": (lambda d: props(d, "IngestApiStage")["MethodSettings"][0].__setitem__(
        "DataTraceEnabled", True), "APIGW_STAGE_NO_DATA_TRACE", "A.8.12", "IngestApiStage"),
    "admin-policy": (_admin_statement, "IAM_NO_ADMIN_POLICY", "A.8.2", "ApiIntegrationRole"),
    "silent-alarm": (_drop("Api4xxAlarm", "AlarmActions"), "CLOUDWATCH_ALARM_HAS_ACTIONS", "A.8.16", "Api4xxAlarm"),
    "public-subnet-ips": (_set("PublicSubnet1", "MapPublicIpOnLaunch", True), "SUBNET_NO_AUTO_PUBLIC_IP", "A.8.20",
                          "PublicSubnet1"),
    "no-flow-logs": (_remove("VpcFlowLog"), "VPC_FLOW_LOGS_ENABLED", "A.8.15", None),
    "any-region": (lambda d: d.pop("Rules"), "PLATFORM_REGION_RESTRICTED", "A.5.23", None),
}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    base, matches = decode(str(TEMPLATE))
    assert not matches
    plain = to_plain(base)
    folder = tmp_path_factory.mktemp("mutants")
    for name, (mutate, *_rest) in {"baseline": (lambda d: None, "", "", None), **MUTATIONS}.items():
        doc = copy.deepcopy(plain)
        mutate(doc)
        (folder / f"{name}.json").write_text(json.dumps(doc, indent=1), encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1", "SOURCE_DATE_EPOCH": "1767225600"}
    done = subprocess.run([sys.executable, "-m", "checker", "check", str(folder), "--format", "json", "-q",
                           "--parameter", "ContainerImage=registry.example/ingest:1.0"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode in (0, 1), done.stderr[-3000:]
    findings = json.loads(done.stdout)["findings"]
    by_template: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_template.setdefault(Path(finding["template"]).stem, []).append(finding)
    return by_template


def test_unmutated_copy_passes(run: dict[str, list[dict[str, Any]]]) -> None:
    bad = [(f["rule_id"], f["resource"], f["status"]) for f in run["baseline"] if f["status"] in ("FAIL", "ERROR")]
    assert not bad


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_mutation_caught_under_the_right_control(name: str, run: dict[str, list[dict[str, Any]]]) -> None:
    _, rule_id, control, resource = MUTATIONS[name]
    failing = [f for f in run[name] if f["rule_id"] == rule_id and f["status"] == "FAIL"]
    assert failing, f"{name}: {rule_id} did not fail; failures: " + str(
        sorted({(f['rule_id'], f['resource']) for f in run[name] if f['status'] != 'PASS'}))
    finding = failing[0]
    assert control in finding["controls"]
    if resource is not None:
        assert resource in {f["resource"] for f in failing}
    assert {e["status"] for e in finding["engines"].values()} == {"FAIL"}, finding["engines"]
    assert set(finding["engines"]) == {"guard", "checkov"}
    assert not [f for f in run[name] if f["status"] == "ERROR"], "no engine error or disagreement"
