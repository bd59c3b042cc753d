"""Writers: every format from fixture RunResults; schemas, GitHub's SARIF rules, JUnit counts, escaping, determinism."""
from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fixtures.writers import runs
from jsonschema import Draft4Validator, Draft202012Validator

from checker.catalogue import load_controls
from checker.controls import control_results
from checker.errors import UsageError
from checker.model import ControlStatus, RunResult, Status
from checker.writers import WRITERS, Writer, report_name
from checker.writers import files as files_module
from checker.writers._common import relative_uri
from checker.writers.html import CSP
from checker.writers.json_ import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[1]
SARIF_SCHEMA = REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
EVIDENCE_SCHEMA = REPO / "checker" / "schemas" / "evidence.schema.json"
SNAPSHOTS = Path(__file__).resolve().parent / "fixtures" / "writers" / "expected"
ALL_RUNS = sorted(runs.RUNS)


def render(fmt: str, run: str) -> str:
    return WRITERS[fmt].render(runs.RUNS[run]())


def test_writers_listed_with_names_extensions_and_media_types() -> None:
    assert list(WRITERS) == ["json", "sarif", "junit", "markdown", "html"]
    assert [report_name(w) for w in WRITERS.values()] == [
        "cfn-iso27001.json", "cfn-iso27001.sarif", "cfn-iso27001.junit.xml", "cfn-iso27001.md", "cfn-iso27001.html"]
    for name, writer in WRITERS.items():
        assert isinstance(writer, object) and writer.name == name and writer.media_type
        typed: Writer = writer
        assert typed.render(runs.passing_run()).endswith("\n")


def test_fixture_controls_match_the_catalogue() -> None:
    assert [c.id for c in runs.controls()] == [c.id for c in load_controls()]


# --- per-control status -------------------------------------------------------------------------------------


def _by_id(result: RunResult) -> dict[str, Any]:
    return {c.control.id: c for c in control_results(result)}


def test_control_status_precedence_and_counts() -> None:
    results = control_results(runs.failing_run())
    assert [c.control.id for c in results] == [c.id for c in runs.controls()]
    by_id = {c.control.id: c for c in results}
    assert by_id["A.8.24"].status is ControlStatus.ERROR  # RDS ERROR beats its PASS, and EFS SKIPs
    assert by_id["A.8.24"].rules == ("EFS_ENCRYPTED", "RDS_STORAGE_ENCRYPTED_CMK")
    assert by_id["A.8.24"].count(Status.ERROR) == 1 and by_id["A.8.24"].count(Status.SKIP) == 2
    assert by_id["A.8.3"].status is ControlStatus.FAIL
    assert by_id["A.8.13"].status is ControlStatus.FAIL  # a FAIL beats the WAIVED finding of the same rule
    assert by_id["A.8.15"].status is ControlStatus.FAIL


def test_control_waived_and_pass() -> None:
    run = runs.failing_run()
    waived_only = replace(run, findings=tuple(f for f in run.findings if f.status is Status.WAIVED))
    assert _by_id(waived_only)["A.8.13"].status is ControlStatus.WAIVED
    assert _by_id(runs.passing_run())["A.8.13"].status is ControlStatus.PASS


def test_not_assessed_always_says_why() -> None:
    run = runs.passing_run()
    by_id = _by_id(run)
    assert by_id["A.5.1"].status is ControlStatus.NOT_ASSESSED
    assert by_id["A.5.1"].reason == runs.controls()[0].note and not by_id["A.5.1"].applicable
    assert "No rule" in by_id["A.8.20"].reason  # assessable, nothing in the fixture rule set maps to it
    only_skip = replace(run, findings=tuple(f for f in run.findings if f.rule_id == "EFS_ENCRYPTED"))
    assert "SKIP" in _by_id(only_skip)["A.8.24"].reason
    nothing = replace(run, findings=())
    assert "No resource in the checked templates" in _by_id(nothing)["A.8.24"].reason
    assert all(c.reason for c in control_results(run))


# --- evidence JSON --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("run", ALL_RUNS)
def test_json_valid_against_the_evidence_schema(run: str) -> None:
    schema = json.loads(EVIDENCE_SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$id"].endswith(SCHEMA_VERSION)
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(json.loads(render("json", run)))]
    assert errors == []


def test_json_contract_for_ci_scripts() -> None:
    doc = json.loads(render("json", "failing"))
    assert doc["summary"]["by_status"] == {"PASS": 1, "FAIL": 3, "WAIVED": 1, "SKIP": 2, "ERROR": 1}
    assert doc["summary"]["by_severity"] == {"low": 1, "medium": 1, "high": 0, "critical": 1}
    assert doc["summary"]["exit_code"] == 1 and doc["summary"]["verdict"] == "FAIL"
    assert sum(doc["summary"]["controls"].values()) == 93 == len(doc["controls"])
    keys = [(f["template"], f["rule_id"], f["resource"] or "", f["path"]) for f in doc["findings"]]
    assert keys == sorted(keys)
    web = next(f for f in doc["findings"] if f["resource"] == "WebBucket" and f["status"] == "FAIL")
    assert web["controls"] == ["A.8.3", "A.5.15"] and web["severity"] == "critical" and web["line"] == 31
    assert web["engines"] == {"guard": {"status": "FAIL", "message": "guard says FAIL"},
                              "checkov": {"status": "FAIL", "message": "checkov says FAIL"}}
    waived = next(f for f in doc["findings"] if f["status"] == "WAIVED")
    assert waived["waiver"]["approved_by"] == "security@example.com" and waived["waiver"]["expires"] == "2027-03-31"
    assert [w["rule"] for w in doc["waivers"]["applied"]] == ["S3_BUCKET_VERSIONING_ENABLED"]
    assert doc["waivers"]["applied"][0]["findings"] == 1
    assert [w["rule"] for w in doc["waivers"]["unused"]] == ["LOG_GROUP_RETENTION_SET"]
    assert doc["suppressions"][0]["rules"] == ["CKV_AWS_20"]
    assert any(f["unresolved"] for f in doc["findings"])
    assert doc["tools"]["cfn-iso27001"] == "0.1.0" and doc["tools"]["cfn-guard"] == "3.1.1"
    assert doc["generated_at"] == runs.TIMESTAMP


# --- SARIF ----------------------------------------------------------------------------------------------------


def _sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the SARIF 2.1.0 schema is missing: {SARIF_SCHEMA}")
        pytest.skip("shared/schemas is not beside this checkout")
    schema: dict[str, Any] = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize("run", ALL_RUNS)
def test_sarif_valid_against_the_oasis_schema(run: str) -> None:
    validator = Draft4Validator(_sarif_schema())
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(json.loads(render("sarif", run)))]
    assert errors == []


@pytest.mark.parametrize("run", ALL_RUNS)
def test_sarif_meets_github_code_scanning_rules(run: str) -> None:
    log = json.loads(render("sarif", run))
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "cfn-iso27001"
    for rule in driver["rules"]:
        assert rule["properties"]["security-severity"] in ("2.0", "5.0", "7.5", "9.5")
        assert "security" in rule["properties"]["tags"] and rule["help"]["text"] and rule["fullDescription"]["text"]
    for result in log["runs"][0]["results"]:
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert not uri.startswith("/") and "://" not in uri and "//" not in uri and " " not in uri
        assert location["region"]["startLine"] >= 1
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["partialFingerprints"]["cfnIso27001/v1"]


@pytest.mark.parametrize(("path", "uri"), [
    ("template/iot-platform.yaml", "template/iot-platform.yaml"), ("./a/b.yaml", "a/b.yaml"),
    ("/abs/t.yaml", "abs/t.yaml"), ("dir\\t.json", "dir/t.json"), ("my stack#1.yaml", "my%20stack%231.yaml"),
])
def test_sarif_uris_are_relative_and_encoded(path: str, uri: str) -> None:
    assert relative_uri(path) == uri


def test_sarif_results_levels_and_suppressions() -> None:
    log = json.loads(render("sarif", "failing"))
    results = {(r["ruleId"], r["properties"]["status"]): r for r in log["runs"][0]["results"]}
    assert sorted(s for _, s in results) == ["ERROR", "FAIL", "FAIL", "FAIL", "WAIVED"]  # no PASS or SKIP
    assert results[("S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "FAIL")]["level"] == "error"
    assert results[("S3_BUCKET_VERSIONING_ENABLED", "FAIL")]["level"] == "warning"
    assert results[("S3_BUCKET_VERSIONING_ENABLED", "FAIL")]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1}  # line unknown
    assert results[("LOG_GROUP_RETENTION_SET", "FAIL")]["level"] == "note"
    assert results[("RDS_STORAGE_ENCRYPTED_CMK", "ERROR")]["level"] == "error"
    suppression = results[("S3_BUCKET_VERSIONING_ENABLED", "WAIVED")]["suppressions"]
    assert suppression[0]["kind"] == "external" and suppression[0]["status"] == "accepted"
    assert "CHG-1234" in suppression[0]["justification"]
    assert "suppressions" not in results[("S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "FAIL")]
    web = results[("S3_BUCKET_PUBLIC_ACCESS_BLOCKED", "FAIL")]
    assert web["locations"][0]["logicalLocations"][0] == {
        "name": "WebBucket", "kind": "resource", "fullyQualifiedName": "templates/app.yaml#WebBucket"}
    assert web["properties"]["controls"] == ["A.8.3", "A.5.15"]


# --- JUnit ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("run", ALL_RUNS)
def test_junit_counts_match_the_testcases(run: str) -> None:
    root = ET.fromstring(render("junit", run))
    assert root.tag == "testsuites"
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        counted = {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
                   "errors": sum(c.find("error") is not None for c in cases),
                   "skipped": sum(c.find("skipped") is not None for c in cases)}
        assert {k: int(suite.attrib[k]) for k in counted} == counted
        totals = {k: totals[k] + counted[k] for k in totals}
    assert {k: int(root.attrib[k]) for k in totals} == totals
    assert totals["tests"] == len(runs.RUNS[run]().findings)


def test_junit_failure_error_waived_and_skipped() -> None:
    root = ET.fromstring(render("junit", "failing"))
    suites = {s.attrib["name"]: s for s in root.findall("testsuite")}
    assert sorted(suites) == ["templates/app.yaml", "templates/data.json"]
    cases = {c.attrib["name"]: c for c in suites["templates/app.yaml"].findall("testcase")}
    failure = cases["S3_BUCKET_PUBLIC_ACCESS_BLOCKED[WebBucket]"].find("failure")
    assert failure is not None and failure.attrib["type"] == "critical"
    assert "templates/app.yaml:31" in (failure.text or "") and "remediation:" in (failure.text or "")
    assert cases["S3_BUCKET_PUBLIC_ACCESS_BLOCKED[WebBucket]"].attrib["classname"] == "S3_BUCKET_PUBLIC_ACCESS_BLOCKED"
    waived = cases["S3_BUCKET_VERSIONING_ENABLED[ScratchBucket]"].find("skipped")
    assert waived is not None
    assert waived.attrib["message"] == "waived: Scratch data, CHG-1234 (security@example.com, until 2027-03-31)"
    assert cases["EFS_ENCRYPTED[(template)]"].find("skipped") is not None
    error = suites["templates/data.json"].find("testcase/error")
    assert error is not None and "Engines disagree" in error.attrib["message"]
    props = {p.attrib["name"]: p.attrib["value"] for p in suites["templates/app.yaml"].iter("property")}
    assert "A.8.3" in props["controls"] and len(props["template.sha256"]) == 64


def test_junit_survives_hostile_and_control_characters() -> None:
    run = runs.hostile_run()
    bad = replace(run.findings[0], message="nul\x00 and bell\x07 chars")
    text = WRITERS["junit"].render(replace(run, findings=(bad, *run.findings[1:])))
    root = ET.fromstring(text)
    names = [c.attrib["name"] for c in root.iter("testcase")]
    assert any(runs.XSS_IMG in n for n in names)  # kept verbatim as data, escaped by the XML writer


# --- Markdown -------------------------------------------------------------------------------------------------


def _table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("|---")]


def test_markdown_is_short_and_links_rules() -> None:
    text = render("markdown", "failing")
    assert len(text.splitlines()) <= 60
    assert text.startswith("## ❌ cfn-iso27001: FAIL (exit 1")
    assert "[S3\\_BUCKET\\_PUBLIC\\_ACCESS\\_BLOCKED](docs/rules.md#s3_bucket_public_access_blocked)" in text
    assert "CHG-1234" in text and "Engines disagree" in text
    assert "1 unused waiver(s)" in text


def test_markdown_truncates_long_lists() -> None:
    run = runs.failing_run()
    many = tuple(runs.finding("S3_BUCKET_VERSIONING_ENABLED", "t.yaml", f"B{i:03}", Status.FAIL) for i in range(150))
    text = WRITERS["markdown"].render(replace(run, findings=run.findings + many))
    assert len(text.splitlines()) <= 60
    assert "…and 133 more failure(s)" in text


def test_markdown_escapes_pipes_and_html() -> None:
    text = render("markdown", "hostile")
    assert "<script" not in text and "<img" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # `\](` is escaped text, not a link
    rows = _table_rows(text)
    assert rows and {len(re.findall(r"(?<!\\)\|", row)) for row in rows} == {6}  # 5 columns, no extra cell


# --- HTML -----------------------------------------------------------------------------------------------------


def test_html_has_every_section_and_all_controls() -> None:
    text = render("html", "failing")
    for anchor in ("summary", "soa", "evidence", "waivers", "suppressions", "inputs"):
        assert f'id="{anchor}"' in text
    assert len(re.findall(r'<td class="mono">(?:<a href="#ctl-[A0-9-]+">)?A\.\d\.\d+', text)) == 93
    assert "Scratch data, CHG-1234" in text and "CKV_AWS_20" in text and "3.3.30" in text
    assert 'id="ctl-A-8-24"' in text and "Engines disagree" in text


@pytest.mark.parametrize("run", ALL_RUNS)
def test_html_is_self_contained(run: str) -> None:
    text = render("html", run)
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in text
    tags = {m.group(1).lower() for m in re.finditer(r"<([a-zA-Z][a-zA-Z0-9]*)", text)}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "base", "form", "svg", "math"}
    assert not re.search(r"<[^>]*\s(?:src|srcset|on[a-z]+)\s*=", text, re.IGNORECASE)
    style = text[text.index("<style>"):text.index("</style>")]
    assert "@import" not in style and "url(" not in style
    hrefs = re.findall(r'href="([^"]*)"', text)
    assert hrefs and all(h.startswith("#") for h in hrefs)


def test_html_escapes_everything_from_the_template() -> None:
    text = render("html", "hostile")
    assert "<script" not in text and "<img" not in text and 'onerror="' not in text
    assert "&lt;script&gt;document.title=&#39;PWNED&#39;" in text
    assert "javascript:" not in "".join(re.findall(r'(?:href|src)="[^"]*"', text))


# --- determinism ----------------------------------------------------------------------------------------------


def _shuffled(run: RunResult) -> RunResult:
    return replace(run, findings=run.findings[::-1], inputs=run.inputs[::-1], rules=run.rules[::-1],
                   suppressions=run.suppressions[::-1], waivers=run.waivers[::-1],
                   skipped_files=run.skipped_files[::-1], tools=run.tools[::-1], parameters=run.parameters[::-1])


@pytest.mark.parametrize("fmt", list(WRITERS))
@pytest.mark.parametrize("run", ALL_RUNS)
def test_output_is_byte_identical(fmt: str, run: str) -> None:
    build = runs.RUNS[run]
    first = WRITERS[fmt].render(build())
    assert WRITERS[fmt].render(build()) == first  # built twice
    result = build()
    assert WRITERS[fmt].render(result) == WRITERS[fmt].render(result)  # rendered twice
    assert WRITERS[fmt].render(_shuffled(result)) == first  # input order does not leak into the output


@pytest.mark.parametrize("fmt", list(WRITERS))
def test_snapshot(fmt: str) -> None:
    """The failing run's reports, byte for byte. Regenerate with UPDATE_SNAPSHOTS=1 after an intended change."""
    path = SNAPSHOTS / f"failing.{report_name(WRITERS[fmt])}"
    text = render(fmt, "failing")
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path.name}: no snapshot; run with UPDATE_SNAPSHOTS=1"
    assert path.read_text(encoding="utf-8") == text


# --- report files: forked writing --------------------------------------------------------------------------------


def _large(run: RunResult, copies: int) -> RunResult:
    """`run` with its findings repeated under distinct templates: enough findings to take the forked path."""
    findings = tuple(replace(f, template=f"t{n}/{f.template}") for n in range(copies) for f in run.findings)
    return replace(run, findings=findings)


@pytest.mark.skipif(not files_module._can_fork(), reason="forked writing needs fork and two cores")
def test_forked_writing_is_byte_identical_to_one_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _large(runs.RUNS["failing"](), 4)
    monkeypatch.setattr(files_module, "FORK_MIN_FINDINGS", 10**9)
    one = files_module.write_reports(result, list(WRITERS), tmp_path / "one")
    forks: list[int] = []
    real_fork = os.fork

    def counting_fork() -> int:
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    monkeypatch.setattr(files_module, "FORK_MIN_FINDINGS", 1)
    monkeypatch.setattr(files_module.os, "fork", counting_fork)
    two = files_module.write_reports(result, list(WRITERS), tmp_path / "two")
    assert len(forks) == 1 and one == two == [report_name(w) for w in WRITERS.values()]
    for name in one:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_writer_groups_balance_the_cost() -> None:
    mine, theirs = files_module._split(list(WRITERS))
    assert sorted(mine + theirs) == sorted(WRITERS) and not set(mine) & set(theirs)
    assert {"html", "junit"} not in ({*mine}, {*theirs})  # the two heaviest go to different processes


@pytest.mark.skipif(not files_module._can_fork(), reason="forked writing needs fork and two cores")
def test_a_failing_child_is_an_error_in_the_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = runs.RUNS["failing"]()
    monkeypatch.setattr(files_module, "FORK_MIN_FINDINGS", 1)
    _, theirs = files_module._split(list(WRITERS))

    class Broken:
        name, extension, media_type = WRITERS[theirs[0]].name, WRITERS[theirs[0]].extension, "text/plain"

        def render(self, run: RunResult) -> str:
            raise ValueError("renderer bug")

    monkeypatch.setitem(files_module.WRITERS, theirs[0], Broken())
    with pytest.raises(RuntimeError, match="renderer bug"):
        files_module.write_reports(result, list(WRITERS), tmp_path)


def test_an_unwritable_folder_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(UsageError, match="cannot write the reports"):
        files_module.write_reports(runs.RUNS["failing"](), list(WRITERS), blocker / "out")


def test_json_encoding_falls_back_for_what_orjson_cannot_encode() -> None:
    from checker.writers._common import indented_json as dumps

    plain = {"b": [1, {"z": "é", "a": None}], "a": 0.5}
    assert dumps(plain) == json.dumps(plain, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    for odd in ({"big": 2**70}, {"text": "lone \udc80 surrogate"}):
        assert dumps(odd) == json.dumps(odd, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
