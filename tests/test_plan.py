"""The planned run (checker/plan.py: pools for `reads: own` rules, projections for `reads: [types]` rules) must
give exactly the findings of running every rule on every variant document as it is (`project=False`).

This is what makes a rule's `reads` declaration trustworthy: a rule that reads more than it declares gives a
different finding on some case. The inputs are every case of every rule's tests.yaml (each a template, expanded
into its scenarios like any other), the reference template, and a sample of the shared corpus."""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.catalogue import RULES_DIR, load_parameters, load_rules
from checker.engines import EngineRun, RuleOutcome
from checker.evaluate import Options, evaluate
from checker.model import Rule, Status
from checker.plan import make_plan, unit_results

ROOT = RULES_DIR.parent
CORPUS = Path(os.environ.get("CFN_ISO27001_CORPUS") or ROOT.parent / "shared" / "corpus")
CORPUS_SAMPLE = 25  # every n-th corpus template, sorted by path (the whole corpus twice takes minutes)


def _findings(options: Options) -> list[dict[str, Any]]:
    return [dataclasses.asdict(f) for f in evaluate(options).findings]


def _same(paths: tuple[str, ...], **settings: Any) -> None:
    planned = _findings(Options(paths=paths, skip_non_templates=True, **settings))
    plain = _findings(Options(paths=paths, skip_non_templates=True, project=False, **settings))
    assert len(planned) == len(plain)
    differences = [(a, b) for a, b in zip(planned, plain) if a != b]
    assert not differences, "planned run differs from the plain run:\n" + "\n".join(
        f"planned {json.dumps(a, default=str)[:400]}\nplain   {json.dumps(b, default=str)[:400]}"
        for a, b in differences[:5])


def test_every_rule_case_gives_the_same_findings_planned_and_plain(tmp_path: Path) -> None:
    defaults = load_parameters()
    groups: dict[str, list[str]] = {}
    for rule in load_rules():
        cases = yaml.safe_load((ROOT / rule.folder / "tests.yaml").read_text(encoding="utf-8"))
        for index, case in enumerate(cases):
            data = dict(case.get("input") or {})
            params = {**defaults, **(data.pop("PolicyParameters", None) or {})}
            if not isinstance(data.get("Resources"), dict) or not data["Resources"]:
                continue  # not a template (the SKIP case of a template-level rule): nothing to plan
            key = json.dumps(params, sort_keys=True)
            path = tmp_path / f"g{len(groups) if key not in groups else list(groups).index(key)}"
            path.mkdir(exist_ok=True)
            case_file = path / f"{rule.id.lower()}--{index:02d}.json"
            case_file.write_text(json.dumps(data, indent=1), encoding="utf-8")
            groups.setdefault(key, []).append(str(case_file))
    assert sum(len(v) for v in groups.values()) > 200
    for number, (key, files) in enumerate(sorted(groups.items())):
        params_file = tmp_path / f"params-{number}.yaml"
        params_file.write_text(yaml.safe_dump({"PolicyParameters": json.loads(key)}), encoding="utf-8")
        _same(tuple(sorted(files)), policy_parameters=str(params_file))


def test_the_reference_template_gives_the_same_findings_planned_and_plain() -> None:
    _same((str(ROOT / "template" / "iot-platform.yaml"),))


def test_a_corpus_sample_gives_the_same_findings_planned_and_plain() -> None:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS}: the shared corpus is required in CI")
        pytest.skip(f"{CORPUS}: the shared corpus is not beside this checkout")
    files = sorted(str(p) for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template"))
    sample = tuple(files[::CORPUS_SAMPLE])
    assert len(sample) >= 5
    _same(sample)


def _rule(rule_id: str, reads: str, types: tuple[str, ...]) -> Rule:
    return Rule(id=rule_id, title=rule_id, severity=load_rules()[0].severity, pack="iso27001", resource_types=types,
                controls=("A.8.24",), rationale="", remediation="", references=(), folder="", guard_file="",
                checkov_file="", reads=reads, read_types=types if reads == "types" else ())


def test_identical_resources_are_pooled_once_and_results_come_back_under_their_own_names(tmp_path: Path) -> None:
    db: dict[str, Any] = {"Type": "AWS::RDS::DBInstance", "Properties": {"StorageEncrypted": False}}
    other: dict[str, Any] = {"Type": "AWS::RDS::DBInstance", "Properties": {"StorageEncrypted": True}}
    documents: dict[str, dict[str, Any]] = {str(tmp_path / "a"): {"Resources": {"Db": db, "Topic": {"Type": "AWS::SNS::Topic"}}},
                 str(tmp_path / "b"): {"Resources": {"Main": dict(db), "Replica": other}}}
    own = _rule("RDS_X", "own", ("AWS::RDS::DBInstance",))
    plan = make_plan(documents, (own,), tmp_path, "t-")
    (job,) = plan.jobs
    (pool_file,) = job.files
    pool = json.loads(Path(pool_file).read_text(encoding="utf-8"))["Resources"]
    assert len(pool) == 2  # Db and Main share one definition
    failing = next(k for k, v in pool.items() if v == db)
    run = EngineRun("guard", results={os.path.abspath(pool_file): {"RDS_X": RuleOutcome(
        Status.FAIL, failed={failing: [f"/Resources/{failing}/Properties/StorageEncrypted"]},
        messages={failing: "not encrypted"})}})
    mapped = unit_results(plan, (own,), run).results
    a, b = mapped[str(tmp_path / "a")]["RDS_X"], mapped[str(tmp_path / "b")]["RDS_X"]
    assert a.failed == {"Db": ["/Resources/Db/Properties/StorageEncrypted"]} and a.messages == {"Db": "not encrypted"}
    assert b.failed == {"Main": ["/Resources/Main/Properties/StorageEncrypted"]} and b.status is Status.FAIL


def test_a_projection_keeps_read_types_whole_and_only_the_type_of_others(tmp_path: Path) -> None:
    documents = {str(tmp_path / "a"): {
        "Parameters": {"P": {"Type": "String"}}, "Outputs": {"O": {"Value": "x"}},
        "Resources": {"Db": {"Type": "AWS::RDS::DBInstance", "Properties": {"DBParameterGroupName": {"Ref": "Pg"}}},
                      "Pg": {"Type": "AWS::RDS::DBParameterGroup", "Properties": {"Parameters": {"rds.force_ssl": 1}}},
                      "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "b"}}}}}
    rule = _rule("RDS_Y", "types", ("AWS::RDS::DBInstance", "AWS::RDS::DBParameterGroup"))
    with_parameters = dataclasses.replace(rule, id="RDS_Z", read_sections=("Parameters",))
    plan = make_plan(documents, (rule, with_parameters), tmp_path, "t-")
    projections = {job.rules[0].id: json.loads(Path(job.files[0]).read_text(encoding="utf-8")) for job in plan.jobs}
    projected = projections["RDS_Y"]
    assert "Parameters" not in projected and "Outputs" not in projected  # sections only when declared
    assert projected["Resources"]["Bucket"] == {"Type": "AWS::S3::Bucket"}
    assert projected["Resources"]["Pg"]["Properties"] == {"Parameters": {"rds.force_ssl": 1}}
    assert projections["RDS_Z"]["Parameters"] == {"P": {"Type": "String"}} and "Outputs" not in projections["RDS_Z"]
    assert projections["RDS_Z"]["Resources"] == projected["Resources"]


def test_a_rule_is_not_run_on_a_document_without_its_types_and_is_skip_there(tmp_path: Path) -> None:
    documents = {str(tmp_path / "a"): {"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}}
    rules = (_rule("RDS_X", "own", ("AWS::RDS::DBInstance",)), _rule("RDS_Y", "types", ("AWS::RDS::DBInstance",)))
    plan = make_plan(documents, rules, tmp_path, "t-")
    assert plan.jobs == []
    mapped = unit_results(plan, rules, EngineRun("checkov")).results[str(tmp_path / "a")]
    assert {o.status for o in mapped.values()} == {Status.SKIP}


def test_an_unattributed_failure_in_a_pool_is_an_error_not_a_shared_fail(tmp_path: Path) -> None:
    documents = {str(tmp_path / "a"): {"Resources": {"Db": {"Type": "AWS::RDS::DBInstance"}}}}
    own = _rule("RDS_X", "own", ("AWS::RDS::DBInstance",))
    plan = make_plan(documents, (own,), tmp_path, "t-")
    run = EngineRun("guard", results={os.path.abspath(plan.jobs[0].files[0]): {"RDS_X": RuleOutcome(
        Status.FAIL, failed={"": []}, messages={"": "failed"})}})
    assert unit_results(plan, (own,), run).results[str(tmp_path / "a")]["RDS_X"].status is Status.ERROR


def test_pool_ids_are_renamed_only_where_they_end() -> None:
    from checker.plan import _rename

    text = "Violation at /Resources/P1/Properties/Port; see /Resources/P12/Properties/Port and /Resources/P1"
    assert _rename(text, "P1", "Db") == ("Violation at /Resources/Db/Properties/Port; see /Resources/P12/Properties/Port"
                                         " and /Resources/Db")
    assert _rename("/Resources/P1_x", "P1", "Db") == "/Resources/Db_x"  # only a letter or digit continues an id
    assert _rename("no pointer here", "P1", "Db") == "no pointer here"
