"""The evidence manifest: a fresh folder verifies; any flipped byte, missing, extra or edited file is named."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from fixtures.writers import runs

from checker.errors import CheckerError
from checker.manifest import MANIFEST_NAME, verify, write_manifest
from checker.writers import WRITERS, report_name


def _evidence(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """An output folder with every report of the failing run, an inputs root with its two templates."""
    inputs_root = tmp_path / "work"
    for rel in ("templates/app.yaml", "templates/data.json"):
        (inputs_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (inputs_root / rel).write_text(f"# {rel}\nResources: {{}}\n", encoding="utf-8")
    out = tmp_path / "reports"
    out.mkdir()
    names = []
    for writer in WRITERS.values():
        (out / report_name(writer)).write_text(writer.render(runs.failing_run()), encoding="utf-8")
        names.append(report_name(writer))
    inputs = [(rel, hashlib.sha256((inputs_root / rel).read_bytes()).hexdigest())
              for rel in ("templates/data.json", "templates/app.yaml")]
    write_manifest(out, inputs, names)
    return out, inputs_root, names


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_fresh_folder_verifies(tmp_path: Path) -> None:
    out, root, names = _evidence(tmp_path)
    assert verify(out, inputs_root=root) == []
    assert verify(out, inputs_root=root, require_inputs=True) == []
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert [r["name"] for r in manifest["reports"]] == sorted(names)
    assert [i["path"] for i in manifest["inputs"]] == ["templates/app.yaml", "templates/data.json"]
    assert all(r["bytes"] == (out / r["name"]).stat().st_size for r in manifest["reports"])
    assert manifest["tool"]["name"] == "cfn-iso27001" and manifest["tool"]["version"]


def test_manifest_is_deterministic(tmp_path: Path) -> None:
    out, _, names = _evidence(tmp_path)
    first = (out / MANIFEST_NAME).read_bytes()
    write_manifest(out, [], names)
    write_manifest(out, [("templates/data.json", "0" * 64), ("templates/app.yaml", "1" * 64)], names[::-1])
    again = (out / MANIFEST_NAME).read_bytes()
    write_manifest(out, [("templates/app.yaml", "1" * 64), ("templates/data.json", "0" * 64)], names)
    assert (out / MANIFEST_NAME).read_bytes() == again != first


@pytest.mark.parametrize("name", [report_name(w) for w in WRITERS.values()])
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_flipping_one_byte_of_any_report_is_named(tmp_path: Path, name: str, where: str) -> None:
    out, root, _ = _evidence(tmp_path)
    size = (out / name).stat().st_size
    _flip(out / name, {"first": 0, "middle": size // 2, "last": size - 1}[where])
    problems = verify(out, inputs_root=root)
    assert len(problems) == 1 and problems[0].startswith(f"{name}: changed")


def test_flipping_any_byte_of_the_manifest_is_detected(tmp_path: Path) -> None:
    """Every byte, exhaustively: a flip breaks the JSON or changes content that the self-digest covers."""
    out, root, _ = _evidence(tmp_path)
    path = out / MANIFEST_NAME
    original = path.read_bytes()
    undetected = []
    for offset in range(len(original)):
        _flip(path, offset)
        problems = verify(out, inputs_root=root)
        if not any(p.startswith(MANIFEST_NAME) for p in problems):
            undetected.append(offset)
        path.write_bytes(original)
    assert undetected == []
    assert verify(out, inputs_root=root) == []


def test_editing_the_manifest_to_match_a_tampered_report_is_detected(tmp_path: Path) -> None:
    out, root, _ = _evidence(tmp_path)
    report = out / "cfn-iso27001.json"
    report.write_text(report.read_text(encoding="utf-8").replace('"FAIL"', '"PASS"'), encoding="utf-8")
    path = out / MANIFEST_NAME
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["reports"]:
        if entry["name"] == report.name:
            entry["sha256"] = hashlib.sha256(report.read_bytes()).hexdigest()
            entry["bytes"] = report.stat().st_size
    path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    edited = f"{MANIFEST_NAME}: edited after it was written (its self-digest does not match its content)"
    assert verify(out, inputs_root=root) == [edited]


def test_missing_extra_and_unreadable(tmp_path: Path) -> None:
    out, root, _ = _evidence(tmp_path)
    (out / "cfn-iso27001.md").unlink()
    (out / "notes.txt").write_text("added later", encoding="utf-8")
    assert verify(out, inputs_root=root) == ["cfn-iso27001.md: missing (listed in the manifest)",
                                             "notes.txt: not listed in the manifest"]
    (out / MANIFEST_NAME).unlink()
    assert verify(out) == [f"{MANIFEST_NAME}: missing from {out}"]
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert verify(out)[0].startswith(f"{MANIFEST_NAME}: cannot be read as JSON")


def test_inputs_changed_or_missing(tmp_path: Path) -> None:
    out, root, _ = _evidence(tmp_path)
    _flip(root / "templates/app.yaml", 3)
    (root / "templates/data.json").unlink()
    problems = verify(out, inputs_root=root)
    assert len(problems) == 1 and problems[0].startswith("templates/app.yaml: input changed since the run")
    strict = verify(out, inputs_root=root, require_inputs=True)
    assert strict[1] == "templates/data.json: input not found at its recorded path (inputs are required)"
    assert verify(out, inputs_root=tmp_path / "elsewhere") == []  # archived evidence without its templates


@pytest.mark.parametrize("name", ["../escape.json", "/abs.json", MANIFEST_NAME, "a\\b.json"])
def test_report_names_stay_inside_the_folder(tmp_path: Path, name: str) -> None:
    with pytest.raises(CheckerError):
        write_manifest(tmp_path, [], [name])
