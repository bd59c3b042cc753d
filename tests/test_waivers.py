"""Waivers: validated when loaded (who, why, until when), FAIL -> WAIVED, ERROR never waived, unused reported."""
from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from clirun import FIXTURES, TIMESTAMP, findings, run_cli

from checker.errors import WaiverError
from checker.model import EngineVerdict, Finding, Severity, Status, Waiver
from checker.waivers import apply_waivers, load_waivers, matches

TODAY = date(2026, 11, 26)
RDS = "RDS_STORAGE_ENCRYPTED_CMK"
RULES = {"RDS_STORAGE_ENCRYPTED_CMK", "SG_NO_WORLD_INGRESS"}
VALID = """\
waivers:
  - rule: RDS_STORAGE_ENCRYPTED_CMK
    template: "template/*.yaml"
    resources: [LegacyDb, "Tmp*"]
    reason: Decommissioned in Q1, see CHG-1234
    approved_by: security@example.com
    expires: 2027-03-31
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _finding(rule: str = "RDS_STORAGE_ENCRYPTED_CMK", resource: str | None = "LegacyDb",
             status: Status = Status.FAIL, template: str = "template/app.yaml") -> Finding:
    return Finding(rule_id=rule, controls=("A.8.24",), severity=Severity.HIGH, template=template, resource=resource,
                   resource_type="AWS::RDS::DBInstance", path="", line=None, status=status,
                   engines=(EngineVerdict("guard", status),), scenario="defaults", message="m")


def _waiver(**changes: object) -> Waiver:
    base: dict[str, object] = {"rule": "RDS_STORAGE_ENCRYPTED_CMK", "resources": ("LegacyDb",), "reason": "r",
                                   "approved_by": "a", "expires": date(2027, 1, 1), "template": None, "index": 0}
    base.update(changes)
    return Waiver(**base)  # type: ignore[arg-type]


def test_valid_file_loads_every_field(tmp_path: Path) -> None:
    (waiver,) = load_waivers(_file(tmp_path, VALID), RULES, TODAY)
    assert waiver == Waiver(rule="RDS_STORAGE_ENCRYPTED_CMK", resources=("LegacyDb", "Tmp*"),
                            reason="Decommissioned in Q1, see CHG-1234", approved_by="security@example.com",
                            expires=date(2027, 3, 31), template="template/*.yaml", index=0)


def test_expiring_today_is_still_valid(tmp_path: Path) -> None:
    assert load_waivers(_file(tmp_path, VALID.replace("2027-03-31", "2026-11-26")), RULES, TODAY)


@pytest.mark.parametrize(("text", "expected"), [
    (VALID.replace("2027-03-31", "2026-11-25"), "waivers[0]: waiver for RDS_STORAGE_ENCRYPTED_CMK expired on 2026-11-25"),
    (VALID.replace("2027-03-31", "next spring"), "waivers[0]: expires 'next spring' is not an ISO date"),
    (VALID.replace("2027-03-31", "2027-02-30"), "waivers[0]: expires '2027-02-30' is not an ISO date"),
    (VALID.replace("    reason: Decommissioned in Q1, see CHG-1234\n", ""), "waivers[0]: 'reason' is required"),
    (VALID.replace("Decommissioned in Q1, see CHG-1234", '""'), "waivers[0]: 'reason' is required"),
    (VALID.replace("    approved_by: security@example.com\n", ""), "waivers[0]: 'approved_by' is required"),
    (VALID.replace('[LegacyDb, "Tmp*"]', "[]"), "waivers[0]: 'resources' is required"),
    (VALID.replace("RDS_STORAGE_ENCRYPTED_CMK", "RDS_TYPO"), "waivers[0]: unknown rule id 'RDS_TYPO'"),
    (VALID.replace("approved_by:", "aproved_by:"), "waivers[0]: unknown key 'aproved_by'"),
    ("waivers: {rule: X}\n", "expected a top-level 'waivers:' list"),
    ("- rule: X\n", "expected a top-level 'waivers:' list"),
    ("waivers: [\n", "is not valid YAML"),
    (VALID + "  - just a string\n", "waivers[1]: expected a mapping"),
])
def test_defects_name_the_file_and_the_entry(tmp_path: Path, text: str, expected: str) -> None:
    path = _file(tmp_path, text)
    with pytest.raises(WaiverError) as caught:
        load_waivers(path, RULES, TODAY)
    assert caught.value.message.startswith(str(path))
    assert expected in caught.value.message
    assert caught.value.exit_code == 2


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(WaiverError, match="cannot be read"):
        load_waivers(tmp_path / "absent.yaml", RULES, TODAY)


def test_empty_file_means_no_waivers(tmp_path: Path) -> None:
    assert load_waivers(_file(tmp_path, "waivers: []\n"), RULES, TODAY) == ()
    assert load_waivers(_file(tmp_path, ""), RULES, TODAY) == ()


def test_matching_by_rule_template_glob_and_resource_glob() -> None:
    waiver = _waiver(resources=("Legacy*",), template="template/*.yaml")
    assert matches(waiver, _finding(resource="LegacyDb"))
    assert not matches(waiver, _finding(resource="SensorDb"))
    assert not matches(waiver, _finding(template="other/app.yaml"))
    assert not matches(waiver, _finding(rule="SG_NO_WORLD_INGRESS"))


def test_template_level_findings_need_a_star() -> None:
    assert not matches(_waiver(resources=("LegacyDb",)), _finding(resource=None))
    assert matches(_waiver(resources=("*",)), _finding(resource=None))


def test_fail_becomes_waived_with_the_waiver_attached() -> None:
    waiver = _waiver()
    (finding,), unused = apply_waivers((_finding(),), (waiver,))
    assert finding.status is Status.WAIVED and finding.waiver == waiver
    assert unused == ()


def test_error_and_pass_are_never_waived_and_a_waiver_matching_no_fail_is_unused() -> None:
    findings = (_finding(status=Status.ERROR), _finding(resource="Other", status=Status.PASS))
    out, unused = apply_waivers(findings, (_waiver(resources=("*",)),))
    assert [f.status for f in out] == [Status.ERROR, Status.PASS]
    assert all(f.waiver is None for f in out)
    assert len(unused) == 1


def test_unused_waivers_are_returned_in_file_order() -> None:
    used, stale = _waiver(index=0), _waiver(index=1, resources=("Gone",))
    _, unused = apply_waivers((_finding(),), (used, stale))
    assert unused == (stale,)


# --- Through the command, real engines ---

def _waivers_file(folder: Path, expires: str = "2027-03-31", resources: str = "[SensorDb]", extra: str = "") -> Path:
    path = folder / ".cfn-iso27001-waivers.yaml"
    path.write_text(f"""\
waivers:
  - rule: RDS_STORAGE_ENCRYPTED_CMK
    resources: {resources}
    reason: Legacy instance, replaced by CHG-1234
    approved_by: ciso@example.com
    expires: {expires}
{extra}""", encoding="utf-8")
    return path


def test_valid_waiver_turns_the_fail_into_waived_and_exit_0(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "rds-unencrypted.yaml", tmp_path / "db.yaml")
    _waivers_file(tmp_path)  # found in the working directory by its default name
    done = run_cli("check", "db.yaml", "--rule", RDS, "--format", "json", "--timestamp", TIMESTAMP, cwd=tmp_path)
    assert done.code == 0, done.stderr
    report = done.report()
    (finding,) = findings(report, RDS)
    assert finding["status"] == "WAIVED"
    assert finding["waiver"]["approved_by"] == "ciso@example.com"
    assert report["inputs"]["waivers_file"]["path"] == ".cfn-iso27001-waivers.yaml"
    assert len(report["inputs"]["waivers_file"]["sha256"]) == 64


def test_expired_waiver_exits_2_naming_it(tmp_path: Path) -> None:
    waivers = _waivers_file(tmp_path, expires="2026-01-01")
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--waivers", waivers, "--timestamp", TIMESTAMP)
    assert done.code == 2
    assert done.stderr_lines == [(f"cfn-iso27001: {waivers}: waivers[0]: waiver for {RDS} expired on 2026-01-01 "
                                 "(today is 2026-11-26)")]


def test_incomplete_waiver_exits_2(tmp_path: Path) -> None:
    waivers = _waivers_file(tmp_path)
    waivers.write_text(waivers.read_text(encoding="utf-8").replace("    approved_by: ciso@example.com\n", ""),
                       encoding="utf-8")
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--waivers", waivers)
    assert done.code == 2
    assert len(done.stderr_lines) == 1 and "waivers[0]: 'approved_by' is required" in done.stderr


def test_waiver_matching_nothing_is_reported(tmp_path: Path) -> None:
    waivers = _waivers_file(tmp_path, resources="[SensorDb]", extra="""\
  - rule: RDS_STORAGE_ENCRYPTED_CMK
    resources: [DecommissionedDb]
    reason: Old
    approved_by: ciso@example.com
    expires: 2027-01-01
""")
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--rule", RDS, "--waivers", waivers,
                   "--format", "json", "--timestamp", TIMESTAMP)
    assert done.code == 0
    report = done.report()
    assert [w["resources"] for w in report["waivers"]["unused"]] == [["DecommissionedDb"]]
    assert any("waiver 1" in n and "matched no failing finding" in n for n in report["notes"])


def test_missing_waivers_file_given_explicitly_exits_2(tmp_path: Path) -> None:
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--waivers", tmp_path / "absent.yaml")
    assert done.code == 2 and "absent.yaml: cannot be read" in done.stderr
