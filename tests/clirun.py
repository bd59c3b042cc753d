"""Helpers for tests that run the real `cfn-iso27001` command in a subprocess (real engines, real exit codes)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "cli"
ENGINES = FIXTURES / "engines"
TIMESTAMP = "2026-11-26T12:00:00Z"


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    def report(self) -> dict[str, Any]:
        data = json.loads(self.stdout)
        assert isinstance(data, dict)
        return data


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PRE_COMMIT", "CFN_GUARD_BIN", "NO_COLOR")}
    for name in ("BC_SKIP_MAPPING", "CKV_SKIP_PACKAGE_UPDATE_CHECK"):
        env.pop(name, None)  # the checker must keep Checkov offline by itself
    env["COLUMNS"] = "200"
    env.update(extra)
    return env


def run_cli(*args: str | Path, cwd: Path | None = None, timeout: float = 300, prefix: tuple[str, ...] = (),
            **env: str) -> Done:
    """`python -m checker ARGS` in a subprocess; returns exit code, stdout and stderr."""
    argv = [*prefix, sys.executable, "-m", "checker", *map(str, args)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                          cwd=str(cwd or ROOT), env=cli_env(**env))
    return Done(done.returncode, done.stdout, done.stderr)


def findings(report: dict[str, Any], rule: str | None = None, status: str | None = None) -> list[dict[str, Any]]:
    return [f for f in report["findings"]
            if (rule is None or f["rule_id"] == rule) and (status is None or f["status"] == status)]
