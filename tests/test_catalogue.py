"""Catalogue invariants: 93 controls, unique ids, names that match, controls that exist, coverage, fresh docs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from checker import docs
from checker.catalogue import RULES_DIR, load_controls, load_rules
from checker.errors import RuleDefinitionError

SHARED_CONTROLS = RULES_DIR.parent.parent / "shared" / "data" / "iso27001-2022-annex-a.yaml"
EXAMPLE = RULES_DIR / "rds-storage-encrypted-cmk"


def test_exactly_93_controls_with_assessability() -> None:
    controls = load_controls()
    assert len(controls) == 93
    assert len({c.id for c in controls}) == 93
    assert all(c.note for c in controls), "every control carries a note"


def test_controls_match_the_shared_annex_a_list() -> None:
    if not SHARED_CONTROLS.is_file():
        pytest.skip("shared/data is not beside this checkout")
    shared = yaml.safe_load(SHARED_CONTROLS.read_text(encoding="utf-8"))["controls"]
    assert [(c["id"], c["theme"]) for c in shared] == [(c.id, c.theme) for c in load_controls()]


def test_rule_ids_unique_and_named_consistently() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert Path(rule.folder).name == rule.id.lower().replace("_", "-")
        assert rule.guard_file.endswith("/rule.guard")


def test_every_rule_control_exists() -> None:
    ids = {c.id for c in load_controls()}
    for rule in load_rules():
        assert set(rule.controls) <= ids, rule.id


def test_every_assessable_control_has_a_rule_or_a_reason() -> None:
    data = yaml.safe_load((RULES_DIR / "controls" / "iso27001-2022.yaml").read_text(encoding="utf-8"))
    reasons = {c["id"]: c.get("no_rule_reason") for c in data["controls"]}
    covered = {control for rule in load_rules() for control in rule.controls}
    missing = [c.id for c in load_controls() if c.assessable and c.id not in covered and not reasons.get(c.id)]
    assert not missing, f"assessable controls with neither a rule nor a no_rule_reason: {missing}"


def test_non_assessable_controls_have_no_rules() -> None:
    not_assessable = {c.id for c in load_controls() if not c.assessable}
    for rule in load_rules():
        assert not set(rule.controls) & not_assessable, f"{rule.id} maps to a control marked not assessable"


def test_both_packs_present_and_selectable() -> None:
    all_rules = load_rules()
    iso = load_rules(packs=("iso27001",))
    assert iso and all(r.pack == "iso27001" for r in iso)
    assert len(iso) <= len(all_rules)


@pytest.mark.parametrize("mutation, message", [
    (lambda d: (d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace("A.8.24", "A.8.99")),
     "'A.8.99' is not an Annex A control"),
    (lambda d: (d / "rule.guard").write_text((d / "rule.guard").read_text().replace(
        "rule RDS_STORAGE_ENCRYPTED_CMK", "rule SOMETHING_ELSE")), "exactly one rule block named"),
    (lambda d: (d / "checkov.py").write_text((d / "checkov.py").read_text().replace(
        'id="RDS_STORAGE_ENCRYPTED_CMK"', 'id="CKV_AWS_16"')), "Checkov policy id must be"),
    (lambda d: (d / "tests.yaml").unlink(), "tests.yaml is missing"),
    (lambda d: (d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace("severity: high", "severity: HIGH")),
     "severity 'HIGH'"),
    (lambda d: (d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace("reads: own", "reads: everything")),
     "reads must be own, template or a list of resource types"),
    (lambda d: (d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace("reads: own", "reads: [S3 bucket]")),
     "reads must be own, template or a list of resource types"),
    (lambda d: (d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace(
        "resource_types: [AWS::RDS::DBInstance", "resource_types: [AWS::RDS::*")),
     "resource type pattern must read the template"),
    (lambda d: ((d / "rule.yaml").write_text((d / "rule.yaml").read_text().replace("reads: own", "reads: []")),
                (d / "rule.guard").write_text("# Parameters in a comment, and <<Parameters: in a message>>\n"
                                              "let declared = Parameters.DbPassword\n" + (d / "rule.guard").read_text())),
     "the Guard rule queries Parameters: add it to reads"),
])
def test_defective_rule_folders_are_rejected(tmp_path: Path, mutation, message: str) -> None:  # type: ignore[no-untyped-def]
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR / "controls", rules_dir / "controls")
    shutil.copy(RULES_DIR / "policy-parameters.yaml", rules_dir / "policy-parameters.yaml")
    shutil.copytree(EXAMPLE, rules_dir / EXAMPLE.name)
    mutation(rules_dir / EXAMPLE.name)
    with pytest.raises(RuleDefinitionError, match=message):
        load_rules(rules_dir)


def test_duplicate_rule_ids_are_rejected(tmp_path: Path) -> None:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES_DIR / "controls", rules_dir / "controls")
    shutil.copy(RULES_DIR / "policy-parameters.yaml", rules_dir / "policy-parameters.yaml")
    shutil.copytree(EXAMPLE, rules_dir / EXAMPLE.name)
    (rules_dir / "copy").mkdir()
    for name in ("rule.yaml", "rule.guard", "checkov.py", "tests.yaml"):
        shutil.copy(EXAMPLE / name, rules_dir / "copy" / name)
    with pytest.raises(RuleDefinitionError):
        load_rules(rules_dir)


def test_generated_docs_are_fresh() -> None:
    stale = [path.name for path, text in docs.generated().items()
             if not path.is_file() or path.read_text(encoding="utf-8") != text]
    assert not stale, f"regenerate with `python -m checker.docs`: stale {stale}"


def test_sections_a_guard_rule_queries_are_found_outside_comments_messages_and_properties() -> None:
    from checker.catalogue import _undeclared_sections

    text = """# reads Parameters and Rules (a comment)
let groups = Resources.*[ Properties.Parameters.'rds.force_ssl' exists ]
let policy = PolicyParameters.allowed_regions
rule X {
    Rules.*.Assertions exists
    <<
        Violation: Parameters: no suffix (a message)
    >>
    let p = Parameters
}
"""
    assert _undeclared_sections(text, ()) == ["Parameters", "Rules"]
    assert _undeclared_sections(text, ("Parameters", "Rules")) == []
    assert _undeclared_sections("let g = Resources.*[ Properties.Parameters exists ]", ()) == []
