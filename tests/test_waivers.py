"""Waivers: validated when loaded (who, why, until when), FAIL -> WAIVED, ERROR never waived, unused reported."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from checker.errors import WaiverError
from checker.model import EngineVerdict, Finding, Severity, Status, Waiver
from checker.waivers import apply_waivers, load_waivers, matches

TODAY = date(2026, 11, 26)
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
    base: dict[str, object] = dict(rule="RDS_STORAGE_ENCRYPTED_CMK", resources=("LegacyDb",), reason="r",
                                   approved_by="a", expires=date(2027, 1, 1), template=None, index=0)
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
