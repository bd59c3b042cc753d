"""Splitting one engine's batch over several processes (checker/chunks.py) and the narrow Checkov import."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checker.chunks import default_workers, merge_runs, plan, run_chunked, split
from checker.engines import EngineRun, RuleOutcome
from checker.model import Status


def _files(tmp_path: Path, sizes: list[int]) -> list[str]:
    paths = []
    for number, size in enumerate(sizes):
        path = tmp_path / f"{number}.json"
        path.write_text("x" * size, encoding="utf-8")
        paths.append(str(path))
    return paths


def test_split_balances_by_size_and_keeps_every_file(tmp_path: Path) -> None:
    files = _files(tmp_path, [900, 500, 400, 100])
    chunks = split(files, 2)
    assert sorted(f for c in chunks for f in c) == sorted(files)
    loads = sorted(sum(os.path.getsize(f) for f in c) for c in chunks)
    assert loads == [900, 1000]
    assert split(files[:1], 4) == [files[:1]]
    assert len(split(files, 10)) == 4
    assert default_workers() >= 1


def test_plan_bounds_the_input_of_each_call(tmp_path: Path) -> None:
    files = _files(tmp_path, [100] * 10)
    assert len(plan(files, 2, chunk_bytes=10_000)) == 2  # at least one chunk per worker
    chunks = plan(files, 2, chunk_bytes=300)
    assert len(chunks) == 4 and max(len(c) for c in chunks) == 3
    assert sorted(f for c in chunks for f in c) == sorted(files)


def test_chunks_run_side_by_side_and_merge(tmp_path: Path) -> None:
    files = _files(tmp_path, [10, 20, 30])
    seen: list[list[str]] = []

    def run(chunk: list[str]) -> EngineRun:
        seen.append(chunk)
        return EngineRun("guard", results={os.path.abspath(f): {} for f in chunk})

    merged = run_chunked("guard", run, (), files, 2)
    assert len(seen) == 2 and merged.error is None
    assert sorted(f for c in seen for f in c) == sorted(files)
    assert set(merged.results) == {os.path.abspath(f) for f in files}


def test_a_failed_chunk_errors_only_its_files_and_all_failed_is_the_run_error() -> None:
    from checker.catalogue import load_rules

    rules = load_rules()[:2]
    ok = EngineRun("guard", results={"/a.json": {r.id: RuleOutcome(status=Status.PASS) for r in rules}})
    timed_out = EngineRun("guard", error="cfn-guard: timed out after 9 s")
    merged = merge_runs("guard", rules, [["/a.json"], ["/b.json"]], [ok, timed_out])
    assert merged.error is None
    assert merged.failed_files == {"/b.json": "cfn-guard: timed out after 9 s"}
    assert {o.status for o in merged.results["/b.json"].values()} == {Status.ERROR}
    assert {o.status for o in merged.results["/a.json"].values()} == {Status.PASS}
    both = merge_runs("guard", rules, [["/a.json"], ["/b.json"]], [timed_out, timed_out])
    assert both.error == "cfn-guard: timed out after 9 s" and not both.results


def test_the_checkov_import_leaves_out_builtin_checks_and_the_runner() -> None:
    """The adapter imports Checkov's registry and base classes only: no built-in check, no runner, no graph."""
    code = ("import sys; from checker.engines.checkov_import import import_registry; import_registry(); "
            "print(sorted(m for m in sys.modules if m.startswith(('checkov.cloudformation.checks.resource.aws.', "
            "'checkov.terraform.checks.resource.aws', 'checkov.cloudformation.runner', "
            "'checkov.cloudformation.graph_builder'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True,
                          env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    assert done.stdout.strip() == "[]", done.stdout[:500]
