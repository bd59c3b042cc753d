"""reports/ holds the evidence for the reference template; it must be exactly what `make check` produces now."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from checker.manifest import verify

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports"
CLI = [sys.executable, "-m", "checker", "check", "--format", "json", "--format", "sarif", "--format", "junit",
       "--format", "markdown", "--format", "html"]


def _evidence_epoch() -> str:
    """The same date `make check` uses: the last commit that changed the template or the rules."""
    done = subprocess.run(["git", "log", "-1", "--format=%ct", "--", "template", "rules"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    return done.stdout.strip()


def test_committed_reports_verify() -> None:
    assert verify(REPORTS) == []


def test_committed_reports_are_fresh(tmp_path: Path) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": _evidence_epoch(), "NO_COLOR": "1"}
    done = subprocess.run([*CLI, "--output-dir", str(tmp_path), "-q"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    fresh = sorted(p.name for p in tmp_path.iterdir())
    committed = sorted(p.name for p in REPORTS.iterdir())
    assert fresh == committed
    stale = [name for name in fresh if (tmp_path / name).read_bytes() != (REPORTS / name).read_bytes()]
    assert not stale, f"reports/ is stale ({stale}): run `make check` and commit reports/"


def test_reports_name_no_machine_paths() -> None:
    """Evidence names inputs relative to the working directory; it must not leak where it was produced."""
    leaks = [p.name for p in REPORTS.iterdir() if str(ROOT) in p.read_text(encoding="utf-8", errors="replace")]
    assert not leaks, f"absolute paths of this machine in {leaks}"
