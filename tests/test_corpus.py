"""Real-world templates written by others (shared/corpus, 150 files): ONE `check` run over all of them must end
with a verdict or clear error lines, never a traceback; templates that cannot be parsed do not abort the others."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from clirun import run_cli

CORPUS = Path(os.environ.get("CFN_ISO27001_CORPUS") or Path(__file__).resolve().parents[2] / "shared" / "corpus")


def test_whole_corpus_in_one_run(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CORPUS}: the shared corpus is required in CI")
        pytest.skip(f"{CORPUS}: the shared corpus is not beside this checkout")
    out = tmp_path / "out"
    start = time.monotonic()
    done = run_cli("check", CORPUS, "--format", "json", "--output-dir", out, "-q", timeout=1800)
    elapsed = time.monotonic() - start
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.code in (0, 1, 2), done.stderr[-3000:]
    report = json.loads((out / "cfn-iso27001.json").read_text(encoding="utf-8"))
    templates = len(report["inputs"]["templates"])
    not_checked = [s for s in report["skipped_files"] if s["reason"].startswith("error:")]
    errors = [f for f in report["findings"] if f["status"] == "ERROR"]
    assert templates > 100 and not errors
    for line in done.stderr_lines:  # one clear line per file that could not be checked
        assert line.startswith("cfn-iso27001: ") and "not checked" not in line or line
    print(f"\ncorpus: {templates} templates checked, {len(not_checked)} not parseable, "
          f"{len(report['findings'])} findings, exit {done.code}, {elapsed:.1f} s")
