"""A SHA-256 manifest of an evidence folder, and its verification.

`write_manifest` records each input (path as given, relative to the working directory, and sha256) and each
report file (name inside the output folder, sha256, size), plus the tool version, in `MANIFEST.sha256.json`.
The manifest carries a digest of its own canonical content, so an edit to it (a changed hash, a dropped file) is
detected too. That digest is tamper-*evident*, not tamper-proof: whoever can rewrite the folder can recompute it;
sign or store the manifest elsewhere when that matters.

`verify` recomputes everything and returns one line per problem, naming the file: a report file changed, missing
or not listed; an input that changed since the run. An input that cannot be found at its recorded path (relative
to `inputs_root`, by default the current directory) is not a problem unless `require_inputs` is set: evidence is
often archived without the templates it describes.
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath
from typing import Any

from checker import __version__
from checker.errors import CheckerError

MANIFEST_NAME = "MANIFEST.sha256.json"
MANIFEST_VERSION = 1
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _safe_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def manifest_body(output_dir: Path, inputs: list[tuple[str, str]], report_files: list[str]) -> dict[str, Any]:
    """The manifest content without its self-digest; raises CheckerError for a name outside the folder."""
    reports = []
    for name in sorted(set(report_files)):
        if not _safe_name(name) or name == MANIFEST_NAME:
            raise CheckerError(f"{name}: a report file must be a relative path inside the output folder")
        path = output_dir / name
        reports.append({"name": name, "sha256": sha256_file(path), "bytes": path.stat().st_size})
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "cfn-iso27001", "version": __version__},
        "algorithm": "sha256",
        "inputs": [{"path": p, "sha256": h} for p, h in sorted(set(inputs))],
        "reports": reports,
    }


def write_manifest(output_dir: Path, inputs: list[tuple[str, str]], report_files: list[str]) -> Path:
    """Write `MANIFEST.sha256.json` into `output_dir` (deterministic: sorted, no time) and return its path."""
    body = manifest_body(output_dir, inputs, report_files)
    body["manifest_sha256"] = hashlib.sha256(_canonical(body)).hexdigest()
    path = output_dir / MANIFEST_NAME
    path.write_text(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _load(output_dir: Path) -> tuple[dict[str, Any] | None, list[str]]:
    path = output_dir / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [f"{MANIFEST_NAME}: missing from {output_dir}"]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [f"{MANIFEST_NAME}: cannot be read as JSON ({exc})"]
    if not isinstance(data, dict) or not isinstance(data.get("reports"), list) \
            or not isinstance(data.get("inputs"), list):
        return None, [f"{MANIFEST_NAME}: not a cfn-iso27001 manifest (no 'reports' and 'inputs' lists)"]
    body = {k: v for k, v in data.items() if k != "manifest_sha256"}
    if data.get("manifest_sha256") != hashlib.sha256(_canonical(body)).hexdigest():
        return data, [f"{MANIFEST_NAME}: edited after it was written (its self-digest does not match its content)"]
    return data, []


def _check_report(output_dir: Path, entry: Any) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        return f"{MANIFEST_NAME}: malformed report entry {entry!r}"
    name = entry["name"]
    if not _safe_name(name):
        return f"{name}: listed in the manifest but outside the output folder"
    path = output_dir / name
    if not path.is_file():
        return f"{name}: missing (listed in the manifest)"
    actual = sha256_file(path)
    if actual != entry.get("sha256"):
        return (f"{name}: changed since the manifest was written (sha256 {actual[:12]}…, "
                f"expected {str(entry.get('sha256'))[:12]}…; {path.stat().st_size} bytes, expected {entry.get('bytes')})")
    return None


def _check_input(root: Path, entry: Any, require: bool) -> str | None:
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return f"{MANIFEST_NAME}: malformed input entry {entry!r}"
    path = root / entry["path"]
    if not path.is_file():
        return f"{entry['path']}: input not found at its recorded path (inputs are required)" if require else None
    actual = sha256_file(path)
    if actual != entry.get("sha256"):
        return f"{entry['path']}: input changed since the run (sha256 {actual[:12]}…, expected {str(entry.get('sha256'))[:12]}…)"
    return None


def verify(output_dir: Path, *, inputs_root: Path | None = None, require_inputs: bool = False) -> list[str]:
    """Problems found in `output_dir` against its manifest, one line each naming the file; empty means OK."""
    data, problems = _load(output_dir)
    if data is None:
        return problems
    listed = set()
    for entry in data["reports"]:
        listed.add(entry.get("name") if isinstance(entry, dict) else None)
        problem = _check_report(output_dir, entry)
        if problem:
            problems.append(problem)
    present = sorted(p.relative_to(output_dir).as_posix() for p in output_dir.rglob("*") if p.is_file())
    problems += [f"{name}: not listed in the manifest" for name in present
                 if name != MANIFEST_NAME and name not in listed]
    root = inputs_root if inputs_root is not None else Path.cwd()
    for entry in data["inputs"]:
        problem = _check_input(root, entry, require_inputs)
        if problem:
            problems.append(problem)
    return problems
