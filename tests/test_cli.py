"""The `cfn-iso27001` command: subcommands and help, exit codes, stdout discipline, reports, inputs that are not
templates. Runs the real command (real engines) in subprocesses."""
from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from clirun import FIXTURES, ROOT, TIMESTAMP, findings, run_cli

from checker.cli import build_parser, main

REFERENCE = ROOT / "template" / "iot-platform.yaml"
RDS = "RDS_STORAGE_ENCRYPTED_CMK"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_every_subcommand_has_help() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert set(_subcommands()) == {"check", "verify", "rules"}
    for name, sub in _subcommands().items():
        assert helps.get(name), f"subcommand {name!r} has no help line"
        assert sub.description, f"subcommand {name!r} has no description"
        for option in sub._actions:
            assert option.help, f"{name} {option.option_strings or option.dest} has no help"


@pytest.mark.parametrize("command", ["check", "verify", "rules"])
def test_help_exits_zero(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, "--help"]) == 0
    assert "usage: cfn-iso27001 " + command in capsys.readouterr().out


def test_version_and_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("cfn-iso27001 ")
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert RDS in out and "high" in out and "A.8.24" in out


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


@pytest.mark.parametrize("argv", [
    ["check", "--fail-on", "severe"],
    ["check", "--parameter", "NoEquals"],
    ["check", "--rule", "NO_SUCH_RULE", str(FIXTURES / "rds-unencrypted.yaml")],
    ["check", "--format", "json", "--format", "sarif", str(FIXTURES / "rds-unencrypted.yaml")],
    ["check", "--max-scenarios", "0"],
    ["check", "--timestamp", "yesterday", str(FIXTURES / "rds-unencrypted.yaml")],
    ["check", str(FIXTURES / "no-such-file.yaml")],
    ["frobnicate"],
])
def test_usage_errors_are_one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cfn-iso27001: "), captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_reference_template_passes() -> None:
    done = run_cli("check", REFERENCE, "--format", "json", "--timestamp", TIMESTAMP)
    assert done.code == 0, [f["message"] for f in done.report()["findings"] if f["status"] in ("FAIL", "ERROR")]


def test_default_path_is_template_folder_of_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "template").mkdir()
    shutil.copy(FIXTURES / "rds-unencrypted.yaml", tmp_path / "template" / "app.yaml")
    done = run_cli("check", "--format", "json", "--rule", RDS, cwd=tmp_path)
    assert done.code == 1
    assert [i["path"] for i in done.report()["inputs"]["templates"]] == ["template/app.yaml"]


def test_fail_case_exits_1_with_the_finding_and_only_json_on_stdout() -> None:
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--format", "json", "--timestamp", TIMESTAMP)
    assert done.code == 1, done.stderr
    report = done.report()  # stdout is exactly one JSON document: nothing else
    (finding,) = findings(report, RDS)
    assert finding["status"] == "FAIL" and finding["resource"] == "SensorDb"
    assert finding["message"].startswith("SensorDb: RDS instance storage must be encrypted")
    assert finding["line"] == 6 and finding["severity"] == "high"  # StorageEncrypted is missing: its Properties
    assert {e: v["status"] for e, v in finding["engines"].items()} == {"guard": "FAIL", "checkov": "FAIL"}
    assert report["generated_at"] == TIMESTAMP
    assert "exit 1" in done.stderr  # the terminal summary goes to stderr when the report takes stdout


def test_compliant_exits_0_and_fail_on_gates_by_severity() -> None:
    assert run_cli("check", FIXTURES / "rds-encrypted.yaml", "--rule", RDS, "-q").code == 0
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--rule", RDS, "--fail-on", "critical")
    assert done.code == 0 and "exit 0" in done.stdout


@pytest.mark.parametrize(("name", "reason"), [
    ("malformed.yaml", "malformed YAML/JSON"),
    ("empty.yaml", "empty file"),
    ("array.json", "not a CloudFormation template"),
    ("duplicate-keys.yaml", "duplicate key 'SensorDb'"),
    ("not-a-template.yaml", "not a CloudFormation template"),
])
def test_unreadable_template_exits_2_with_one_line_naming_it(name: str, reason: str) -> None:
    for extra in ((), ("--format", "json")):
        done = run_cli("check", FIXTURES / name, *extra)
        assert done.code == 2, done.stderr
        assert len(done.stderr_lines) == 1, done.stderr
        line = done.stderr_lines[0]
        assert line.startswith("cfn-iso27001: ") and name in line and reason in line, line
        assert "Traceback" not in done.stderr and done.stdout == ""


def test_named_bad_file_among_good_ones_is_reported_and_exits_2(tmp_path: Path) -> None:
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", FIXTURES / "malformed.yaml", "--format", "json",
                   "--output-dir", tmp_path)
    assert done.code == 2
    assert [line for line in done.stderr_lines if "malformed.yaml" in line]
    report = json.loads((tmp_path / "cfn-iso27001.json").read_text(encoding="utf-8"))
    assert findings(report, RDS, "FAIL")  # the good template was still checked
    assert any("malformed.yaml" in s["path"] and s["reason"].startswith("error:") for s in report["skipped_files"])


def test_bad_file_inside_a_folder_is_noted_not_fatal(tmp_path: Path) -> None:
    for name in ("rds-unencrypted.yaml", "malformed.yaml", "not-a-template.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    done = run_cli("check", tmp_path, "--format", "json", "--rule", RDS)
    assert done.code == 1
    report = done.report()
    assert any("malformed.yaml" in n and n.startswith("not checked") for n in report["notes"])
    skipped = {Path(s["path"]).name: s["reason"] for s in report["skipped_files"]}
    assert skipped["not-a-template.yaml"].startswith("not a CloudFormation template")


def test_skip_non_templates_for_pre_commit() -> None:
    done = run_cli("check", FIXTURES / "not-a-template.yaml", FIXTURES / "rds-encrypted.yaml", "--rule", RDS,
                   "--format", "json", PRE_COMMIT="1")
    assert done.code == 0, done.stderr
    assert [Path(s["path"]).name for s in done.report()["skipped_files"]] == ["not-a-template.yaml"]
    assert run_cli("check", FIXTURES / "not-a-template.yaml", "--skip-non-templates").code == 0


def test_output_dir_writes_every_format_and_a_manifest_that_verifies(tmp_path: Path) -> None:
    out = tmp_path / "evidence"
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--output-dir", out, "--timestamp", TIMESTAMP)
    assert done.code == 1
    assert "exit 1" in done.stdout  # the summary goes to stdout when reports go to files
    names = sorted(p.name for p in out.iterdir())
    assert [n for n in names if n.startswith("cfn-iso27001.")] and len(names) >= 6, names
    assert run_cli("verify", out).code == 0
    report = out / "cfn-iso27001.json"
    report.write_text(report.read_text(encoding="utf-8").replace("SensorDb", "SensorDB"), encoding="utf-8")
    tampered = run_cli("verify", out)
    assert tampered.code == 1 and "cfn-iso27001.json" in tampered.stderr


def test_reports_are_reproducible_with_a_fixed_timestamp(tmp_path: Path) -> None:
    first = run_cli("check", FIXTURES / "sg-ssh-if.yaml", "--format", "json", SOURCE_DATE_EPOCH="1800000000")
    second = run_cli("check", FIXTURES / "sg-ssh-if.yaml", "--format", "json", SOURCE_DATE_EPOCH="1800000000")
    assert first.stdout == second.stdout
    assert first.report()["generated_at"] == "2027-01-15T08:00:00Z"


def test_one_engine_only_is_recorded() -> None:
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--format", "json", "--engine", "guard")
    assert done.code == 1
    report = done.report()
    assert report["engines_run"] == ["guard"]
    assert any("only guard ran" in n for n in report["notes"])
    assert list(findings(report, RDS)[0]["engines"]) == ["guard"]


def test_quiet_prints_nothing_on_success() -> None:
    done = run_cli("check", FIXTURES / "rds-encrypted.yaml", "--rule", RDS, "-q")
    assert (done.code, done.stdout, done.stderr) == (0, "", "")


def test_no_color_and_no_tty_means_plain_text() -> None:
    done = run_cli("check", FIXTURES / "rds-unencrypted.yaml", "--rule", RDS, NO_COLOR="1")
    assert "\x1b[" not in done.stdout and "Control" in done.stdout


def test_unwritable_output_dir_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code = main(["check", str(FIXTURES / "rds-encrypted.yaml"), "--rule", RDS, "--output-dir", str(blocker / "out"),
                 "-q"])
    assert code == 2
    assert capsys.readouterr().err.startswith(f"cfn-iso27001: {blocker / 'out'}: cannot write the reports")


def test_unexpected_exception_is_one_line_with_a_debug_hint(monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import checker.evaluate

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(checker.evaluate, "evaluate", explode)  # the only way to reach the last-resort handler
    assert main(["check", str(FIXTURES / "rds-encrypted.yaml")]) == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [("cfn-iso27001: internal error: RuntimeError: boom "
                                        "(re-run with --debug for the traceback)")]
    assert main(["check", str(FIXTURES / "rds-encrypted.yaml"), "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err
