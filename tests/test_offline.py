"""A full check makes no network connection: run under `unshare -rn` (no network at all) with a sitecustomize
that logs and refuses every attempt, so an attempt is seen even though it could not succeed."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from clirun import FIXTURES, cli_env, run_cli

OFFLINE = FIXTURES / "offline"


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, timeout=30, check=False)
    return done.returncode == 0


@pytest.mark.parametrize("isolation", ["unshare", "sitecustomize"])
def test_full_check_runs_offline_without_any_connection_attempt(isolation: str, tmp_path: Path) -> None:
    if isolation == "unshare" and not _unshare_works():
        pytest.skip("unshare -rn is not permitted here; the sitecustomize variant still runs")
    log = tmp_path / "net.log"
    log.write_text("", encoding="utf-8")
    folder = tmp_path / "templates"
    folder.mkdir()
    for name in ("rds-unencrypted.yaml", "rds-encrypted.yaml", "sg-ssh-if.yaml", "rds-findinmap.yaml"):
        shutil.copy(FIXTURES / name, folder / name)
    prefix = ("unshare", "-rn") if isolation == "unshare" else ()
    env = {"PYTHONPATH": str(OFFLINE), "CFN_ISO27001_NET_LOG": str(log), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    # A cold cache and no offline variables set by us: the checker itself must keep Checkov off the network.
    done = run_cli("check", folder, "--output-dir", tmp_path / "out", prefix=prefix, **env)
    assert done.code in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert (tmp_path / "out" / "cfn-iso27001.json").is_file()
    assert log.read_text(encoding="utf-8") == "", "network connection attempted:\n" + log.read_text(encoding="utf-8")


def test_the_probe_sees_an_attempt(tmp_path: Path) -> None:
    """The sitecustomize really intercepts: a deliberate connection attempt is logged and refused."""
    log = tmp_path / "net.log"
    code = "import socket\ntry:\n    socket.create_connection(('192.0.2.1', 80), timeout=1)\nexcept OSError:\n    pass\n"
    env = cli_env(PYTHONPATH=str(OFFLINE), CFN_ISO27001_NET_LOG=str(log))
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    assert "192.0.2.1" in log.read_text(encoding="utf-8")
