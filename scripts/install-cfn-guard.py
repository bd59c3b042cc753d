#!/usr/bin/env python3
"""Install the official cfn-guard binary from a pinned npm package, checking SHA-256 sums.

The binary ships inside `@cdklabs/cdk-validator-cfnguard` (bin/<os>/<arch>/cfn-guard), next to the
AWS Control Tower proactive Guard rules, which are unpacked too (used to cross-check the reference
template). `npm pack` fetches the tarball from the configured npm registry; nothing else is downloaded.

Usage: install-cfn-guard.py DEST_DIR   (creates DEST_DIR/bin/cfn-guard and DEST_DIR/control-tower/)
Idempotent: an installed binary whose hash matches is left alone.
"""
from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@cdklabs/cdk-validator-cfnguard"
VERSION = "0.0.62"  # carries cfn-guard 3.1.1
TARBALL_SHA256 = "660c14562d4c79d524d0623d80d494e41797acae9da23ecb10915d7f66ada80c"
BINARIES = {  # (system, machine) -> (path inside the package, sha256 of the binary)
    ("Linux", "x86_64"): ("bin/ubuntu/x86_64/cfn-guard",
                          "9c7a820318676dc7372f6756ddfc7ca5f0c019299fb5505fda6dfd54718c58bd"),
    ("Linux", "aarch64"): ("bin/ubuntu/aarch64/cfn-guard",
                           "f596043df77b6e839759e90e3d08671b5384c6e07d4a9c34f6d0bfbc76148154"),
    ("Darwin", "x86_64"): ("bin/macos/x86_64/cfn-guard",
                           "3e8118e3c4cd98901b3a21b7037a40674023945349ad4661f1a7101f2d96c31f"),
    ("Darwin", "arm64"): ("bin/macos/aarch64/cfn-guard",
                          "89e97faaabb5431bc16d0487b5c8e67573e3f84e397b87985bfb02c2bdd4f46a"),
}
CT_RULES = "rules/control-tower/cfn-guard/"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fail(message: str) -> int:
    print(f"install-cfn-guard: {message}", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        return fail("usage: install-cfn-guard.py DEST_DIR")
    dest = Path(argv[0])
    key = (platform.system(), platform.machine())
    if key not in BINARIES:
        return fail(f"no cfn-guard binary in {PACKAGE}@{VERSION} for {key[0]}/{key[1]}")
    member, expected = BINARIES[key]
    target = dest / "bin" / "cfn-guard"
    if target.is_file() and sha256(target) == expected and (dest / "control-tower").is_dir():
        return 0
    if shutil.which("npm") is None:
        return fail("npm is needed to fetch the pinned cfn-guard package; install Node.js 20 and npm")
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent", "--pack-destination", tmp],
                             capture_output=True, text=True, timeout=300, check=False)
        if run.returncode != 0:
            return fail(f"npm pack {PACKAGE}@{VERSION} failed: {run.stderr.strip()[:500]}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if len(tarballs) != 1:
            return fail("npm pack did not produce exactly one tarball")
        if (got := sha256(tarballs[0])) != TARBALL_SHA256:
            return fail(f"tarball SHA-256 mismatch: expected {TARBALL_SHA256}, got {got}")
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        if (got := sha256(package / member)) != expected:
            return fail(f"binary SHA-256 mismatch for {member}: expected {expected}, got {got}")
        (dest / "bin").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / member, target)
        target.chmod(0o755)
        if (dest / "control-tower").exists():
            shutil.rmtree(dest / "control-tower")
        shutil.copytree(package / CT_RULES, dest / "control-tower")
    print(f"installed cfn-guard from {PACKAGE}@{VERSION} (sha256 {expected[:12]}...) into {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
