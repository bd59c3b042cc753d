"""What the benchmark runs: the tools (our check, checkov alone, cfn-guard with our rules alone) and the inputs.

Every command is an argument list for a fresh process. Inputs that need files made for them (copies of the
reference template) are generated into a temporary folder by `make_copies`; each copy gets its own Description
line so no copy is byte-for-byte the same document as another (the checker evaluates identical documents once,
which would make copies a cache test rather than a load test).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
GUARD_OK = (0, 19)  # 19: some rule failed
REPORT_FORMATS = ("json", "sarif", "junit", "markdown", "html")
OFFLINE_ENV = {"BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}


@dataclass(frozen=True)
class Tools:
    root: Path  # the repository
    ours: str  # the cfn-iso27001 console script
    checkov: str
    guard: str
    guard_rules: tuple[str, ...]  # every rules/*/rule.guard
    guard_params: str  # rules/policy-parameters.yaml


@dataclass(frozen=True)
class Case:
    """One input set. `ours` / `checkov` / `guard` are the input arguments each tool takes for it."""

    name: str
    title: str
    templates: int
    ours: tuple[str, ...]
    checkov: tuple[str, ...]
    guard: tuple[str, ...]
    runs: int


def find_tools(root: Path, bin_dir: Path) -> Tools:
    guard = os.environ.get("CFN_GUARD_BIN") or shutil.which("cfn-guard") or str(root / ".tools" / "bin" / "cfn-guard")
    rules = tuple(sorted(str(p.relative_to(root)) for p in (root / "rules").glob("*/rule.guard")))
    return Tools(root=root, ours=str(bin_dir / "cfn-iso27001"), checkov=str(bin_dir / "checkov"), guard=guard,
                 guard_rules=rules, guard_params=str(Path("rules") / "policy-parameters.yaml"))


def ours_argv(tools: Tools, case: Case, output_dir: str) -> list[str]:
    argv = [tools.ours, "check", *case.ours]
    for fmt in REPORT_FORMATS:
        argv += ["--format", fmt]
    return argv + ["--output-dir", output_dir]


def checkov_argv(tools: Tools, case: Case) -> list[str]:
    return [tools.checkov, *case.checkov, "--framework", "cloudformation", "--skip-download", "-o", "json"]


def guard_argv(tools: Tools, case: Case) -> list[str]:
    argv = [tools.guard, "validate"]
    for rule in tools.guard_rules:
        argv += ["-r", rule]
    argv += ["-i", tools.guard_params, "-o", "json", "-z", "-S", "none"]
    for data in case.guard:
        argv += ["-d", data]
    return argv


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix.lower() in TEMPLATE_SUFFIXES)


def guard_parses(tools: Tools, files: list[Path]) -> list[Path]:
    """The files cfn-guard can read: it aborts a whole run (exit 255) on one file it cannot parse."""
    if not tools.guard_rules:
        return files
    ok = []
    for path in files:
        argv = [tools.guard, "validate", "-r", tools.guard_rules[0], "-i", tools.guard_params, "-o", "json", "-z",
                "-S", "none", "-d", str(path)]
        done = subprocess.run(argv, cwd=tools.root, capture_output=True, timeout=120, check=False)
        if done.returncode in GUARD_OK:
            ok.append(path)
    return ok


def make_copies(template: Path, count: int, into: Path) -> Path:
    """`count` distinct copies of `template` in a fresh folder `into`."""
    into.mkdir(parents=True, exist_ok=False)
    text = template.read_text(encoding="utf-8")
    marker = "Description: >-\n  "
    for number in range(1, count + 1):
        if marker in text:
            copy = text.replace(marker, f"{marker}Copy {number} of {count}. ", 1)
        else:
            copy = f"# copy {number} of {count}\n{text}"
        (into / f"copy-{number:03d}{template.suffix}").write_text(copy, encoding="utf-8")
    return into
