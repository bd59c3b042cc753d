"""Every rule, every case, both engines: discovered from rules/, no per-rule test code.

For each rule folder:
- `cfn-guard test` (the real CLI) passes on its tests.yaml;
- every case also runs through Checkov (our policies only, offline) and through `cfn-guard validate`, and the
  verdict of each engine equals the case's expectation; for resource-scoped rules the two engines must fail
  exactly the same set of logical ids. Any disagreement fails the build.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.catalogue import RULES_DIR, load_parameters, load_rules
from checker.engines import EngineResults
from checker.engines.checkov_engine import CheckovEngine
from checker.engines.guard import GuardEngine, find_binary
from checker.model import Rule, Status

ROOT = RULES_DIR.parent
RULES = load_rules()
RULE_IDS = [r.id for r in RULES]


def _cases(rule: Rule) -> list[dict[str, Any]]:
    cases = yaml.safe_load((ROOT / rule.folder / "tests.yaml").read_text(encoding="utf-8"))
    assert isinstance(cases, list) and cases, f"{rule.folder}/tests.yaml: expected a non-empty list of cases"
    return cases


def _expected(rule: Rule, case: dict[str, Any]) -> str:
    return str(case["expectations"]["rules"][rule.id])


@pytest.fixture(scope="session")
def case_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[EngineResults, EngineResults]]:
    """Write every case as a data file, then run each engine once per distinct set of policy parameters."""
    base = tmp_path_factory.mktemp("cases")
    defaults = load_parameters()
    groups: dict[str, list[tuple[Rule, str]]] = {}
    for rule in RULES:
        for index, case in enumerate(_cases(rule)):
            data = dict(case.get("input") or {})
            params = {**defaults, **(data.pop("PolicyParameters", None) or {})}
            key = json.dumps(params, sort_keys=True)
            path = base / f"{rule.id.lower()}--{index:02d}.json"
            path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
            groups.setdefault(key, []).append((rule, str(path)))
    runs: dict[str, tuple[EngineResults, EngineResults]] = {}
    for number, (key, members) in enumerate(sorted(groups.items())):
        params_file = base / f"params-{number}.json"
        params_file.write_text(json.dumps({"PolicyParameters": json.loads(key)}), encoding="utf-8")
        files = [p for _, p in members]
        rules = tuple({r.id: r for r, _ in members}.values())
        guard = GuardEngine().run(rules, files, str(params_file))
        checkov = CheckovEngine().run(rules, files, str(params_file))
        for _, path in members:
            runs[path] = (guard, checkov)
    return runs


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_cfn_guard_test_passes(rule: Rule) -> None:
    done = subprocess.run([find_binary(), "test", "-r", str(ROOT / rule.guard_file),
                           "-t", str(ROOT / rule.folder / "tests.yaml")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"cfn-guard test failed for {rule.id}:\n{done.stdout[-3000:]}{done.stderr[-1000:]}"


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_cases_cover_pass_fail_skip(rule: Rule) -> None:
    verdicts = {_expected(rule, case) for case in _cases(rule)}
    assert verdicts == {"PASS", "FAIL", "SKIP"}, f"{rule.id}: cases must include PASS, FAIL and SKIP"


@pytest.mark.parametrize("rule", RULES, ids=RULE_IDS)
def test_both_engines_agree_with_every_case(rule: Rule, case_runs: dict[str, Any], tmp_path: Path) -> None:
    problems = []
    for index, case in enumerate(_cases(rule)):
        path = next(p for p in case_runs if Path(p).name == f"{rule.id.lower()}--{index:02d}.json")
        guard_results, checkov_results = case_runs[path]
        guard = guard_results[path][rule.id]
        checkov = checkov_results[path][rule.id]
        expected = _expected(rule, case)
        name = case.get("name", index)
        if guard.status.value != expected:
            problems.append(f"case {name!r}: guard {guard.status.value}, expected {expected}")
        if checkov.status.value != expected:
            problems.append(f"case {name!r}: checkov {checkov.status.value} {checkov.messages}, expected {expected}")
        if rule.scope == "resource" and set(guard.failed) != set(checkov.failed):
            problems.append(f"case {name!r}: guard fails {sorted(guard.failed)}, checkov fails {sorted(checkov.failed)}")
        if expected == "FAIL" and Status.ERROR in (guard.status, checkov.status):
            problems.append(f"case {name!r}: an engine errored")
    assert not problems, f"{rule.id}:\n" + "\n".join(problems)
