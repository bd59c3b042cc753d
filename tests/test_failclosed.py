"""Fail closed: a missing, crashing, hanging or babbling engine, a policy that raises, or engines that disagree
give ERROR findings and exit 3, never a pass. Real subprocesses that misbehave, no mocks."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from clirun import ENGINES, FIXTURES, ROOT, findings, run_cli

from checker.engines.guard import find_binary

RDS = "RDS_STORAGE_ENCRYPTED_CMK"
TEMPLATE = FIXTURES / "rds-unencrypted.yaml"


def _assert_all_errors(report: dict[str, object], text: str) -> None:
    found = findings(report)  # type: ignore[arg-type]
    assert found, "an engine failure must still produce findings"
    assert all(f["status"] == "ERROR" for f in found), [f["status"] for f in found]
    assert all(text in f["message"] for f in found), found[0]["message"]


@pytest.mark.parametrize(("guard", "text"), [
    (str(ENGINES / "no-such-guard"), "is not an executable file"),
    (str(ENGINES / "guard-crash"), "exit 139"),
    (str(ENGINES / "guard-garbage"), "output is not JSON"),
])
def test_broken_guard_gives_error_findings_and_exit_3(guard: str, text: str) -> None:
    done = run_cli("check", TEMPLATE, "--format", "json", CFN_GUARD_BIN=guard)
    assert done.code == 3, done.stderr
    report = done.report()
    _assert_all_errors(report, text)
    rds = findings(report, RDS)[0]
    assert rds["engines"]["guard"]["status"] == "ERROR"
    assert rds["engines"]["checkov"]["status"] == "FAIL"  # checkov's verdict is kept, the finding is still ERROR
    assert dict(report["tools"])["cfn-guard"] == "unavailable"  # type: ignore[call-overload]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("how", ["env", "option"])
def test_hanging_guard_is_stopped_by_the_timeout(how: str) -> None:
    start = time.monotonic()
    if how == "env":
        done = run_cli("check", TEMPLATE, "--format", "json", CFN_GUARD_BIN=str(ENGINES / "guard-hang"),
                       CFN_ISO27001_GUARD_TIMEOUT="2")
    else:
        done = run_cli("check", TEMPLATE, "--format", "json", "--engine-timeout", "2",
                       CFN_GUARD_BIN=str(ENGINES / "guard-hang"))
    elapsed = time.monotonic() - start
    assert done.code == 3
    _assert_all_errors(done.report(), "timed out after 2 s")
    assert elapsed < 40, f"the hung engine was not killed in time ({elapsed:.0f} s)"


def test_quiet_still_prints_the_errors() -> None:
    done = run_cli("check", TEMPLATE, "-q", CFN_GUARD_BIN=str(ENGINES / "guard-crash"))
    assert done.code == 3 and done.stdout == ""
    assert any("exit 139" in line for line in done.stderr_lines)


def test_one_template_crashing_the_engine_does_not_hide_the_others(tmp_path: Path) -> None:
    crash = tmp_path / "crash.yaml"
    # the marker in the DB's logical id and in its definition (rules that read a resource alone see pool ids)
    crash.write_text(TEMPLATE.read_text(encoding="utf-8").replace("SensorDb", "CrashMe")
                     .replace("MultiAZ: true", "MultiAZ: true\n      DBName: CrashMe"), encoding="utf-8")
    good = tmp_path / "good.yaml"
    shutil.copy(TEMPLATE, good)
    done = run_cli("check", tmp_path, "--format", "json", "--rule", RDS,
                   CFN_GUARD_BIN=str(ENGINES / "guard-crash-on-marker"), REAL_CFN_GUARD=find_binary())
    assert done.code == 3
    report = done.report()
    by_template = {Path(f["template"]).name: f for f in findings(report, RDS)}
    assert by_template["crash.yaml"]["status"] == "ERROR" and "exit 139" in by_template["crash.yaml"]["message"]
    assert by_template["good.yaml"]["status"] == "FAIL"  # real verdicts of both engines
    assert any("crash.yaml: guard failed on this template" in n for n in report["notes"])


def _rules_copy(tmp_path: Path, checkov_policy: str) -> Path:
    """A copy of rules/ with only RDS_STORAGE_ENCRYPTED_CMK, whose Checkov policy is replaced."""
    root = tmp_path / "catalogue"
    (root / "rules").mkdir(parents=True)
    shutil.copytree(ROOT / "rules" / "controls", root / "rules" / "controls")
    shutil.copy(ROOT / "rules" / "policy-parameters.yaml", root / "rules" / "policy-parameters.yaml")
    folder = root / "rules" / "rds-storage-encrypted-cmk"
    shutil.copytree(ROOT / "rules" / "rds-storage-encrypted-cmk", folder)
    original = (folder / "checkov.py").read_text(encoding="utf-8")
    start = original.index("    def scan_resource_conf")
    end = original.index("\n\ncheck = ")
    (folder / "checkov.py").write_text(original[:start] + checkov_policy + original[end:], encoding="utf-8")
    return root / "rules"


def test_a_policy_that_raises_is_an_error_not_a_pass(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path, "    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:\n"
                                  "        raise RuntimeError('policy bug')\n")
    done = run_cli("check", FIXTURES / "rds-encrypted.yaml", "--rules-dir", rules, "--format", "json")
    assert done.code == 3
    (finding,) = findings(done.report(), RDS)
    assert finding["status"] == "ERROR" and finding["engines"]["checkov"]["status"] == "ERROR"


def test_engines_that_disagree_give_an_error_naming_both(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path, "    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:\n"
                                  "        return CheckResult.PASSED\n")
    done = run_cli("check", TEMPLATE, "--rules-dir", rules, "--format", "json")
    assert done.code == 3
    (finding,) = findings(done.report(), RDS)
    assert finding["status"] == "ERROR"
    assert "engines disagree: cfn-guard FAIL" in finding["message"] and "checkov PASS" in finding["message"]


def test_a_second_run_in_one_process_uses_the_new_policy_code(tmp_path: Path) -> None:
    """Checkov's registry is process-global: the adapter must not keep evaluating the previous policy."""
    import json

    from checker.catalogue import load_parameters, load_rules
    from checker.engines.checkov_engine import CheckovEngine

    data = tmp_path / "t.json"
    data.write_text(json.dumps({"Resources": {"SensorDb": {"Type": "AWS::RDS::DBInstance", "Properties": {}}}}),
                    encoding="utf-8")
    params = tmp_path / "p.json"
    params.write_text(json.dumps({"PolicyParameters": load_parameters()}), encoding="utf-8")
    real = tuple(r for r in load_rules() if r.id == RDS)
    assert CheckovEngine().run(real, [str(data)], str(params))[str(data)][RDS].status.value == "FAIL"
    lenient_dir = _rules_copy(tmp_path, "    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:\n"
                                        "        return CheckResult.PASSED\n")
    lenient = load_rules(lenient_dir)
    outcome = CheckovEngine(root=lenient_dir.parent).run(lenient, [str(data)], str(params))[str(data)][RDS]
    assert outcome.status.value == "PASS"
    assert CheckovEngine().run(real, [str(data)], str(params))[str(data)][RDS].status.value == "FAIL"


def test_a_policy_that_cannot_be_loaded_is_an_error_not_a_pass(tmp_path: Path) -> None:
    rules = _rules_copy(tmp_path, "    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:\n"
                                  "        return CheckResult.PASSED\n")
    policy = rules / "rds-storage-encrypted-cmk" / "checkov.py"
    policy.write_text(policy.read_text(encoding="utf-8") + "\ndef broken(:\n", encoding="utf-8")  # a SyntaxError
    done = run_cli("check", FIXTURES / "rds-encrypted.yaml", "--rules-dir", rules, "--format", "json")
    assert done.code == 3
    (finding,) = findings(done.report(), RDS)
    assert finding["status"] == "ERROR" and finding["engines"]["checkov"]["status"] == "ERROR"
