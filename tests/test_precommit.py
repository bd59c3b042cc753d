"""A real `pre-commit` run in a temporary git repository: the hook this project ships (.pre-commit-hooks.yaml),
installed as a local `language: system` hook calling the installed console script (so no network is needed),
blocks a commit of a non-compliant template and lets a compliant one through, ignoring other YAML."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from clirun import FIXTURES, ROOT, cli_env

BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
CONSOLE_SCRIPT = BIN / "cfn-iso27001"


def _hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hook, dict)
    return hook


def test_hook_definition() -> None:
    hook = _hook()
    assert hook["id"] == "cfn-iso27001" and hook["entry"] == "cfn-iso27001 check"
    assert hook["language"] == "python" and hook["pass_filenames"] is True and hook["require_serial"] is True
    assert hook["files"] == r"\.(ya?ml|json|template)$"


def _git(repo: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=600,
                          check=False)


@pytest.fixture()
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    if not PRE_COMMIT.is_file() or not CONSOLE_SCRIPT.is_file() or shutil.which("git") is None:
        pytest.fail("pre-commit, git and the cfn-iso27001 console script are required")
    env = cli_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), HOME=str(tmp_path),
                  GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
                  GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1",
                  PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    root = tmp_path / "repo"
    root.mkdir()
    assert _git(root, "init", "-q", "-b", "main", env=env).returncode == 0
    hook = {**_hook(), "language": "system", "entry": f"{CONSOLE_SCRIPT} check",
            # the reference rule set evolves; the mechanism is what is tested here
            "args": ["--rule", "RDS_STORAGE_ENCRYPTED_CMK"]}
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (root / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    (root / "README.md").write_text("test repo\n", encoding="utf-8")
    _git(root, "add", ".", env=env)
    assert _git(root, "commit", "-q", "-m", "init", env=env).returncode == 0
    installed = subprocess.run([str(PRE_COMMIT), "install"], cwd=root, env=env, capture_output=True, text=True,
                               timeout=120, check=False)
    assert installed.returncode == 0, installed.stderr
    return root, env


def test_non_compliant_template_is_blocked(repo: tuple[Path, dict[str, str]]) -> None:
    root, env = repo
    shutil.copy(FIXTURES / "rds-unencrypted.yaml", root / "db.yaml")
    _git(root, "add", "db.yaml", env=env)
    done = _git(root, "commit", "-m", "add an unencrypted database", env=env)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "RDS_STORAGE_ENCRYPTED_CMK" in output and "SensorDb" in output
    assert _git(root, "log", "--oneline", env=env).stdout.count("\n") == 1  # nothing was committed


def test_compliant_template_and_other_yaml_go_through(repo: tuple[Path, dict[str, str]]) -> None:
    root, env = repo
    shutil.copy(FIXTURES / "rds-encrypted.yaml", root / "db.yaml")
    shutil.copy(FIXTURES / "not-a-template.yaml", root / "ci.yml")
    _git(root, "add", "db.yaml", "ci.yml", env=env)
    done = _git(root, "commit", "-m", "add an encrypted database and a CI workflow", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout + done.stderr
