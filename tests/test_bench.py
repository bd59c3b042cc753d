"""The benchmark script still runs: one smoke run (reference template, one run per tool, one profiled run).

The benchmark itself (`make bench`) is not part of the test suite: it takes a long while and its figures are
goals to report, not assertions.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_smoke_runs_every_tool_and_profiles_the_hook(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--smoke", "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    tools = results["cases"]["reference"]["tools"]
    assert set(tools) == {"ours", "checkov", "guard"}
    for stats in tools.values():
        assert stats["runs"] == 1 and stats["median"] > 0
    breakdown = results["precommit"]["breakdown"]
    assert breakdown["missing"] == [], "bench/phases.py lost track of the pipeline: update its PHASES"
    assert breakdown["phases"]["evaluate (whole pipeline)"] > 0
    assert results["machine"]["nproc"] >= 1


def test_docs_render_from_smoke_results_without_machine_paths(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from report import render_docs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    stats = {"runs": 1, "median": 2.0, "min": 2.0, "max": 2.0, "q1": 2.0, "q3": 2.0, "rss_mib": 100.0, "codes": [1]}
    results = {"command": ".venv/bin/python bench/run.py --write-docs", "rss_method": "GNU time %M",
               "machine": {"nproc": 2, "python": "3.11", "cpu": "x", "memory_gib": 1.0, "load_before": [0, 0, 0],
                           "versions": {}, "rules": 1},
               "cases": {"reference": {"title": "t", "templates": 1, "runs": 1,
                                       "tools": {"ours": stats, "checkov": {**stats, "median": 4.0}, "guard": stats}}}}
    text = render_docs(results, None)
    assert "| reference template: full check ≤ 1.0× checkov alone | 0.50× wall (CPU n/a) | met |" in text
    assert str(ROOT) not in text
