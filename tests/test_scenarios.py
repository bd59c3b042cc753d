"""Scenario expansion: every deployment a template allows, as distinct plain documents.

Each test loads a real template from tests/fixtures/scenarios/ (small inline templates only for edge cases),
expands it, and checks what would deploy in which named scenario.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from checker.errors import TemplateError
from checker.loader import discover, load
from checker.scenarios import Expansion, Variant, expand

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"  # ../shared beside the clone
PLAIN_TYPES = (dict, list, str, int, float, bool, type(None))


def _expand(name: str, pins: dict[str, str] | None = None, **kwargs: Any) -> Expansion:
    return expand(load(str(FIXTURES / name)).data, pins or {}, **kwargs)


def _by_scenario(expansion: Expansion) -> dict[str, Variant]:
    return {s.name: v for v in expansion.variants for s in v.scenarios}


def _assert_plain(node: Any, where: str = "") -> None:
    """Exactly the plain JSON types: no cfn-lint node classes, no marks, no sentinels."""
    assert type(node) in PLAIN_TYPES, f"{where}: {type(node).__name__}"
    if isinstance(node, dict):
        for key, value in node.items():
            assert type(key) is str, f"{where}: key {key!r}"
            _assert_plain(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _assert_plain(value, f"{where}/{index}")


def _ingress_cidrs(variant: Variant) -> list[str]:
    rules = variant.document["Resources"]["AdminSg"]["Properties"]["SecurityGroupIngress"]
    return [r["CidrIp"] for r in rules]


def test_fn_if_cidr_yields_both_branches_with_named_scenarios() -> None:
    expansion = _expand("cidr_if.yaml")
    variants = _by_scenario(expansion)
    assert set(variants) == {"defaults", "Env=prod"}
    assert _ingress_cidrs(variants["defaults"]) == ["0.0.0.0/0"]
    assert _ingress_cidrs(variants["Env=prod"]) == ["10.0.0.0/8"]
    prod = variants["Env=prod"].scenarios[0]
    assert prod.parameters == (("Env", "prod"),) and prod.conditions == (("IsProd", True),)
    assert variants["defaults"].scenarios[0].conditions == (("IsProd", False),)
    assert not expansion.bound_hit and expansion.unresolved == ()
    for variant in expansion.variants:
        assert "Conditions" not in variant.document
        _assert_plain(variant.document)
        json.dumps(variant.document)


def test_resource_with_false_condition_appears_in_the_true_variant() -> None:
    variants = _by_scenario(_expand("conditional_rds.yaml"))
    defaults, prod = variants["defaults"].document, variants["Env=prod"].document
    assert list(defaults["Resources"]) == ["Logs"]
    assert list(defaults["Outputs"]) == ["LogsBucket"]
    db = prod["Resources"]["SensorDb"]
    assert "Condition" not in db and db["Properties"]["StorageEncrypted"] is False
    assert prod["Outputs"]["DbEndpoint"] == {"Value": {"Fn::GetAtt": ["SensorDb", "Endpoint.Address"]}}


def test_find_in_map_keyed_by_parameter_resolves_per_allowed_value() -> None:
    variants = _by_scenario(_expand("findinmap_env.yaml"))
    assert list(variants) == ["defaults", "Env=staging", "Env=prod"]
    props = {name: v.document["Resources"]["SensorDb"]["Properties"] for name, v in variants.items()}
    assert {n: p["StorageEncrypted"] for n, p in props.items()} == {
        "defaults": False, "Env=staging": True, "Env=prod": True}
    assert props["Env=prod"]["AllocatedStorage"] == "100"
    assert props["defaults"]["BackupRetentionPeriod"] == 7  # FindInMap DefaultValue for a missing key


def test_pinned_parameter_is_fixed_and_named() -> None:
    expansion = _expand("findinmap_env.yaml", {"Env": "prod"})
    assert len(expansion.variants) == 1
    (scenario,) = expansion.variants[0].scenarios
    assert scenario.name == "Env=prod" and scenario.parameters == (("Env", "prod"),)
    assert expansion.variants[0].document["Resources"]["SensorDb"]["Properties"]["StorageEncrypted"] is True


def test_pins_that_do_not_fit_are_noted() -> None:
    expansion = _expand("findinmap_env.yaml", {"Env": "qa", "Nope": "1"})
    assert "Pinned parameter 'Env=qa' is not one of its AllowedValues" in expansion.notes
    assert "Pinned parameter 'Nope' is not declared in the template; ignored" in expansion.notes


def test_allowed_values_produce_distinct_variants() -> None:
    expansion = _expand("allowed_values.yaml")
    variants = _by_scenario(expansion)
    assert set(variants) == {"defaults", "Encrypt=false", "Retention=0", "Retention=35",
                             "Encrypt=false, Retention=0", "Encrypt=false, Retention=35"}
    assert len(expansion.variants) == 6
    props = variants["Encrypt=false, Retention=0"].document["Resources"]["SensorDb"]["Properties"]
    assert props == {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "StorageEncrypted": "false",
                     "BackupRetentionPeriod": "0"}
    # `Unused` has AllowedValues but nothing references it: not a dimension, still listed
    assert dict(variants["defaults"].scenarios[0].parameters) == {"Encrypt": "true", "Retention": "7", "Unused": "a"}


def test_identical_documents_share_one_variant() -> None:
    expansion = _expand("dedupe.yaml")
    assert [[s.name for s in v.scenarios] for v in expansion.variants] == [["defaults", "Env=test"], ["Env=prod"]]
    status = [v.document["Resources"]["Bucket"]["Properties"]["VersioningConfiguration"]["Status"]
              for v in expansion.variants]
    assert status == ["Suspended", "Enabled"]


def test_bound_hit_with_twelve_independent_conditions() -> None:
    expansion = _expand("twelve_conditions.yaml", max_scenarios=64)
    assert expansion.bound_hit
    assert expansion.notes[0].startswith("Scenario bound hit: 4096 parameter combinations exceed the limit of 64")
    assert "12 single-parameter variations" in expansion.notes[0]
    names = [s.name for v in expansion.variants for s in v.scenarios]
    assert names == ["defaults"] + [f"Enable{i:02d}=yes" for i in range(1, 13)]
    seen = {(c, value) for v in expansion.variants for s in v.scenarios for c, value in s.conditions}
    assert seen == {(f"On{i:02d}", b) for i in range(1, 13) for b in (True, False)}
    assert "Queue05" in _by_scenario(expansion)["Enable05=yes"].document["Resources"]


def test_full_product_within_the_bound() -> None:
    expansion = _expand("twelve_conditions.yaml", max_scenarios=4096)
    assert not expansion.bound_hit and len(expansion.variants) == 4096


def test_unresolved_parameters_stay_raw_and_are_listed() -> None:
    expansion = _expand("intrinsics.yaml")
    assert expansion.unresolved == ("AmiId", "KmsKeyArn")  # no Default; SSM-typed (its Default is a path)
    (variant,) = expansion.variants
    resources = variant.document["Resources"]
    assert resources["Queue"]["Properties"]["KmsMasterKeyId"] == {"Ref": "KmsKeyArn"}
    assert resources["Instance"]["Properties"]["ImageId"] == {"Ref": "AmiId"}
    assert "Default" not in variant.document["Parameters"]["AmiId"]  # Checkov must not render the SSM path
    assert dict(variant.scenarios[0].parameters)["KmsKeyArn"] == "<unset>"


def test_intrinsics_resolved_where_inputs_are_known() -> None:
    (variant,) = _expand("intrinsics.yaml").variants
    bucket = variant.document["Resources"]["Bucket"]["Properties"]
    tags = {t["Key"]: t["Value"] for t in bucket["Tags"]}
    assert bucket["BucketName"] == "iot-eu-west-2-123456789012"
    assert tags["partial"] == {"Fn::Sub": "iot-${Queue.Arn}-${!Literal}"}
    assert tags["escaped"] == "iot-${Literal}"
    assert tags["vars"] == {"Fn::Sub": ["iot-${Other}", {"Other": {"Fn::GetAtt": ["Queue", "Arn"]}}]}
    assert tags["joined"] == "subnet-a/subnet-b"  # CommaDelimitedList items are trimmed
    assert tags["selected"] == "b" and tags["az"] == "eu-west-2a" and tags["port"] == "5432"
    assert tags["stack"] == "stack aws amazonaws.com"
    assert len(bucket["Tags"]) == 8 and "AccelerateConfiguration" not in bucket  # AWS::NoValue removed
    instance = variant.document["Resources"]["Instance"]["Properties"]
    assert instance["SubnetId"] == "subnet-a" and instance["SecurityGroupIds"] == ["sg-1", "sg-2"]
    assert instance["AvailabilityZone"] == "eu-west-2c"


def test_region_drives_pseudo_parameters() -> None:
    (variant,) = _expand("intrinsics.yaml", region="cn-north-1").variants
    tags = {t["Key"]: t["Value"] for t in variant.document["Resources"]["Bucket"]["Properties"]["Tags"]}
    assert tags["stack"] == "stack aws-cn amazonaws.com.cn" and tags["az"] == "cn-north-1a"


def test_native_suppression_metadata_is_stripped() -> None:
    (variant,) = expand(load(str(FIXTURES / "loader" / "suppressions.yaml")).data, {}).variants
    assert variant.document["Metadata"] == {"AWS::CloudFormation::Interface": {"ParameterGroups": []}}
    assert variant.document["Resources"]["Bucket"]["Metadata"] == {"Owner": "data-team"}
    assert "Metadata" not in variant.document["Resources"]["Queue"]


def test_other_value_when_the_default_is_a_compared_literal() -> None:
    data = {"Parameters": {"Mode": {"Type": "String", "Default": "strict"}},
            "Conditions": {"Strict": {"Fn::Equals": [{"Ref": "Mode"}, "strict"]},
                           "Lax": {"Fn::Equals": ["lax", {"Ref": "Mode"}]}},
            "Resources": {"Q": {"Type": "AWS::SQS::Queue",
                                "Properties": {"Name": {"Fn::If": ["Strict", "s", {"Fn::If": ["Lax", "l", "o"]}]}}}}}
    variants = _by_scenario(expand(data, {}))
    assert {n: v.document["Resources"]["Q"]["Properties"]["Name"] for n, v in variants.items()} == {
        "defaults": "s", "Mode=lax": "l", "Mode=<other>": "o"}
    assert "Default" not in variants["Mode=<other>"].document["Parameters"]["Mode"]


def test_parameter_without_default_compared_in_a_condition() -> None:
    data = {"Parameters": {"KeyArn": {"Type": "String"}},
            "Conditions": {"HasKey": {"Fn::Not": [{"Fn::Equals": [{"Ref": "KeyArn"}, ""]}]}},
            "Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {
                "KmsMasterKeyId": {"Fn::If": ["HasKey", {"Ref": "KeyArn"}, {"Ref": "AWS::NoValue"}]}}}}}
    expansion = expand(data, {})
    variants = _by_scenario(expansion)
    assert set(variants) == {"defaults", "KeyArn="}
    assert variants["defaults"].document["Resources"]["Q"]["Properties"] == {"KmsMasterKeyId": {"Ref": "KeyArn"}}
    assert variants["KeyArn="].document["Resources"]["Q"]["Properties"] == {}
    assert expansion.unresolved == ("KeyArn",)


def test_undefined_condition_keeps_the_resource_and_says_so() -> None:
    data = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Condition": "Missing",
                                "Properties": {"Name": {"Fn::If": ["Missing", "a", "b"]}}}}}
    expansion = expand(data, {})
    (variant,) = expansion.variants
    assert variant.document["Resources"]["Q"] == {"Type": "AWS::SQS::Queue",
                                                  "Properties": {"Name": {"Fn::If": ["Missing", "a", "b"]}}}
    assert any("Condition 'Missing' is undefined" in n for n in expansion.notes)


def test_resource_never_deployed_is_noted() -> None:
    data = {"Parameters": {"Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "test"]}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}},
            "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Condition": "IsProd"}}}
    expansion = expand(data, {})
    assert "Resource 'Db' is absent from every evaluated scenario (Condition 'IsProd' is never true)" in expansion.notes


def _chain(count: int) -> dict[str, Any]:
    """`count` parameters and Conditions, each Condition an Fn::And over the previous one: hard for a solver."""
    params = {f"P{i}": {"Type": "String", "Default": "no"} for i in range(count)}
    conditions: dict[str, Any] = {"C0": {"Fn::Equals": [{"Ref": "P0"}, "yes"]}}
    for i in range(1, count):
        conditions[f"C{i}"] = {"Fn::And": [{"Condition": f"C{i - 1}"}, {"Fn::Equals": [{"Ref": f"P{i}"}, "yes"]}]}
    resources = {f"R{i}": {"Type": "AWS::SQS::Queue", "Condition": f"C{i}"} for i in range(count)}
    return {"Parameters": params, "Conditions": conditions, "Resources": resources}


def test_hundreds_of_conditions_stay_bounded() -> None:
    expansion = expand(_chain(300), {}, max_scenarios=64)
    assert expansion.bound_hit
    names = [s.name for v in expansion.variants for s in v.scenarios]
    assert len(names) <= 1 + 300 + 2 * 300
    last = _by_scenario(expansion)
    assert any("R299" in v.document["Resources"] for v in last.values())  # the all-"yes" chain was found


def test_deterministic() -> None:
    first = _expand("allowed_values.yaml")
    second = _expand("allowed_values.yaml")
    assert first == second
    assert [v.document for v in first.variants] == [v.document for v in second.variants]


def test_corpus_expands_without_crashing() -> None:
    """Every real-world template: a TemplateError or an expansion, never anything else (CI needs ../shared)."""
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared corpus is missing at {CORPUS}")
        pytest.skip(f"shared corpus not found at {CORPUS} (it sits beside the clone in CI)")
    templates, _ = discover([str(CORPUS)])
    assert len(templates) >= 100
    started, expanded, errors = time.perf_counter(), 0, []
    for path in templates:
        try:
            expansion = expand(load(path).data, {})
        except TemplateError as exc:
            assert "\n" not in exc.message and exc.message.startswith(path)
            errors.append(exc.message)
            continue
        expanded += 1
        assert expansion.variants
        for variant in expansion.variants:
            json.dumps(variant.document)
    elapsed = time.perf_counter() - started
    print(f"corpus: {expanded} expanded, {len(errors)} template errors, {elapsed:.2f} s")
    assert expanded > len(errors)


def test_condition_use_that_cannot_be_enumerated_is_noted() -> None:
    data = {"Parameters": {"Env": {"Type": "String", "Default": "dev-1"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::Split": ["-", {"Ref": "Env"}]}]},
                                                     "prod"]}},
            "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Condition": "IsProd"}}}
    notes = expand(data, {}).notes
    assert ("Parameter 'Env' is used in Conditions but never compared directly with a literal; only the value "
            "'dev-1' was evaluated for those Conditions") in notes


def test_no_echo_values_are_masked_in_names_and_listings() -> None:
    data = {"Parameters": {"DbPassword": {"Type": "String", "NoEcho": True, "Default": "hunter2"}},
            "Conditions": {"HasPassword": {"Fn::Not": [{"Fn::Equals": [{"Ref": "DbPassword"}, ""]}]}},
            "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {
                "MasterUserPassword": {"Fn::If": ["HasPassword", {"Ref": "DbPassword"}, {"Ref": "AWS::NoValue"}]}}}}}
    expansion = expand(data, {})
    names = [s.name for v in expansion.variants for s in v.scenarios]
    assert names == ["defaults", "DbPassword="]
    listed = {p for v in expansion.variants for s in v.scenarios for p in s.parameters}
    assert ("DbPassword", "****") in listed and "hunter2" not in repr(listed)
    assert expansion.variants[0].document["Resources"]["Db"]["Properties"]["MasterUserPassword"] == "hunter2"


def test_allowed_values_feeding_no_inspected_resource_are_not_enumerated() -> None:
    data = {
        "Parameters": {
            "InstanceType": {"Type": "String", "Default": "t3.micro",
                             "AllowedValues": ["t3.micro", "t3.small", "m5.large", "c5.xlarge"]},
            "Encrypt": {"Type": "String", "Default": "true", "AllowedValues": ["true", "false"]},
        },
        "Resources": {
            "Host": {"Type": "AWS::EC2::Instance", "Properties": {"InstanceType": {"Ref": "InstanceType"}}},
            "Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"StorageEncrypted": {"Ref": "Encrypt"}}},
        },
    }
    everything = expand(data, {})
    assert len([s for v in everything.variants for s in v.scenarios]) == 8
    relevant = expand(data, {}, relevant_types=frozenset({"AWS::RDS::DBInstance"}))
    names = sorted(s.name for v in relevant.variants for s in v.scenarios)
    assert names == ["Encrypt=false", "defaults"]
    assert any("InstanceType" in note and "not enumerated" in note for note in relevant.notes)
    encrypted = {v.document["Resources"]["Db"]["Properties"]["StorageEncrypted"] for v in relevant.variants}
    assert encrypted == {"true", "false"}
