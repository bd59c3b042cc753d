"""Loader: which files are templates, one-line errors for bad ones, source lines, native suppressions."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.errors import TemplateError, UsageError
from checker.loader import NOT_A_TEMPLATE, discover, load, native_suppressions

FIXTURES = Path(__file__).parent / "fixtures" / "scenarios"
LOADER = FIXTURES / "loader"


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    """The fixture tree plus a `.venv` folder (which git would not keep)."""
    root = tmp_path / "tree"
    shutil.copytree(LOADER / "tree", root)
    (root / ".venv").mkdir()
    (root / ".venv" / "t.yaml").write_text("Resources:\n  X:\n    Type: AWS::S3::Bucket\n", encoding="utf-8")
    return root


def test_discover_walks_folders_sorted_and_skips_non_templates(tree: Path) -> None:
    templates, skipped = discover([str(tree)])
    rel = [Path(t).relative_to(tree).as_posix() for t in templates]
    assert rel == ["b.yaml", "broken.yaml", "nested/a.yml", "nested/c.template", "nested/indented.yaml"]
    reasons = {Path(p).relative_to(tree).as_posix(): r for p, r in skipped}
    assert reasons == {"package.json": NOT_A_TEMPLATE, "pre-commit-config.yaml": NOT_A_TEMPLATE}


def test_discover_keeps_paths_as_given_and_dedupes(tree: Path) -> None:
    templates, skipped = discover([str(tree / "b.yaml"), str(tree), str(tree / "package.json")])
    assert templates[0] == (tree / "b.yaml").as_posix()
    assert templates.count((tree / "b.yaml").as_posix()) == 1
    assert [p for p, _ in skipped].count((tree / "package.json").as_posix()) == 1


def test_discover_explicit_non_template_is_skipped_with_a_reason() -> None:
    templates, skipped = discover([str(LOADER / "empty.yaml"), str(LOADER / "tree" / "notes.txt")])
    assert templates == []
    assert dict(skipped) == {(LOADER / "empty.yaml").as_posix(): "empty file",
                             (LOADER / "tree" / "notes.txt").as_posix(): NOT_A_TEMPLATE}


def test_discover_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no-such.yaml"):
        discover([str(tmp_path / "no-such.yaml")])


def test_discover_treats_broken_templates_as_templates_so_load_reports_them() -> None:
    """Discover judges by the text (a top-level template key), so a template with a syntax error or a
    duplicate key is still a template, and `load` names the problem; a JSON list is not a template."""
    templates, skipped = discover([str(LOADER / "malformed.yaml"), str(LOADER / "duplicate.yaml"),
                                   str(LOADER / "no_resources.yaml"), str(LOADER / "array.json")])
    assert [Path(t).name for t in templates] == ["malformed.yaml", "duplicate.yaml", "no_resources.yaml"]
    assert [(Path(p).name, r) for p, r in skipped] == [("array.json", NOT_A_TEMPLATE)]


@pytest.mark.parametrize(("name", "reason"), [
    ("malformed.yaml", "malformed YAML/JSON: "),
    ("empty.yaml", "empty file"),
    ("array.json", "not a CloudFormation template: the document is a list, not a mapping"),
    ("duplicate.yaml", "duplicate key 'Topic' (lines 2, 4)"),
    ("no_resources.yaml", "not a CloudFormation template: no Resources section"),
    ("resources_list.yaml", "Resources must be a mapping of logical ids to resources, found a list"),
    ("rain_module.yaml", ("Resources/Network/Type must be a literal string, found a mapping (!Rain::Module: a "
                          "preprocessor directive; package the template first)")),
])
def test_load_errors_are_one_line_naming_the_file(name: str, reason: str) -> None:
    path = (LOADER / name).as_posix()
    with pytest.raises(TemplateError) as info:
        load(path)
    message = info.value.message
    assert message.startswith(f"{path}: ") and reason in message
    assert "\n" not in message and "Traceback" not in message
    assert info.value.exit_code == 2


def test_load_missing_file_is_a_template_error(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="cannot be read"):
        load(str(tmp_path / "gone.yaml"))


def test_load_keeps_path_and_hashes_bytes() -> None:
    import hashlib

    path = LOADER / "template.json"
    loaded = load(str(path))
    assert loaded.path == path.as_posix()
    assert loaded.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert loaded.data["Resources"]["Db"]["Type"] == "AWS::RDS::DBInstance"


def test_line_of_json() -> None:
    loaded = load(str(LOADER / "template.json"))
    assert loaded.line_of("Resources/Db/Properties/StorageEncrypted") == 7
    assert loaded.line_of("/Resources/Db/Properties/VPCSecurityGroups/1") == 10
    assert loaded.line_of("/Resources/Db/Properties/VPCSecurityGroups/1/Ref") == 10
    assert loaded.line_of("Resources/Db/Properties/Missing/Deeper") == 6  # deepest existing: Properties
    assert loaded.resource_line("Sg") == 14
    assert loaded.resource_line("Nope") == 3


def test_line_of_yaml() -> None:
    loaded = load(str(FIXTURES / "cidr_if.yaml"))
    assert loaded.resource_line("AdminSg") == 10
    assert loaded.line_of("Resources/AdminSg/Properties/SecurityGroupIngress/0/CidrIp") == 18
    assert loaded.line_of("/Resources/AdminSg/Properties/SecurityGroupIngress/0") == 15
    assert loaded.line_of("Resources/AdminSg/Properties/SecurityGroupIngress/0/CidrIp/Fn::If/2") == 18
    assert loaded.line_of("Resources/AdminSg/Properties/SecurityGroupIngress/7") == 14
    assert loaded.line_of("Conditions/IsProd") == 8


def test_line_of_indented_yaml() -> None:
    loaded = load(str(LOADER / "tree" / "nested" / "indented.yaml"))
    assert loaded.resource_line("T") == 3


def test_native_suppressions_template_and_resource_level() -> None:
    loaded = load(str(LOADER / "suppressions.yaml"))
    found = [(s.resource, s.tool, s.rules, s.comment) for s in native_suppressions(loaded)]
    assert found == [
        (None, "cfn-lint", ("W3005",), ""),
        ("Bucket", "guard", ("S3_BUCKET_LOGGING_ENABLED", "S3_BUCKET_VERSIONING_ENABLED"), ""),
        ("Bucket", "checkov", ("CKV_AWS_18",), "access logs go elsewhere"),
        ("Bucket", "checkov", ("CKV_AWS_21",), ""),
        ("Bucket", "cfn_nag", ("W35",), "legacy bucket"),
        ("Queue", "cfn_nag", ("W48",), "typo in the key"),
    ]
    assert all(s.template == loaded.path for s in native_suppressions(loaded))


def test_no_suppressions() -> None:
    assert native_suppressions(load(str(FIXTURES / "cidr_if.yaml"))) == []


def test_discover_survives_a_symlink_loop(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    templates, _ = discover([str(tmp_path)])
    assert templates == [(tmp_path / "t.yaml").as_posix()]


def test_malformed_json_with_tabs_is_one_error_and_nothing_on_stderr(tmp_path: Path,
                                                                    capfd: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tabs.json"
    path.write_text('{\n\t"Resources": {\n\t\t"Q": {"Type": "AWS::SQS::Queue" "X": 1}\n\t}\n}\n', encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        load(str(path))
    assert info.value.message.startswith(f"{path.as_posix()}: malformed YAML/JSON: ")
    assert "\n" not in info.value.message
    assert capfd.readouterr().err == ""
