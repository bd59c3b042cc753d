"""Find CloudFormation templates on disk and load them once, keeping cfn-lint's line marks.

`discover` decides which files are templates from their text (cheap, no full decode); `load` decodes a file with
cfn-lint's decoder exactly once and fails with one `TemplateError` line naming the file and the reason.
`native_suppressions` lists the engine-native suppressions a template carries in its Metadata: they are shown to
reviewers, never honoured (the scenario expansion strips them before the engines run).
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import decode_str

from checker.errors import TemplateError, UsageError
from checker.model import Suppression

EXTENSIONS = (".yaml", ".yml", ".json", ".template")
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})  # plus every hidden directory (.git, .venv, .aws-sam)
# A YAML template has `Resources:` or `AWSTemplateFormatVersion:` as a top-level key: at the indentation of the
# first content line (column 0 almost always; some templates indent the whole document).
YAML_TOP_KEY = r"""^{indent}(["']?)(Resources|AWSTemplateFormatVersion)\1[ \t]*:"""
FIRST_CONTENT = re.compile(r"^([ \t]*)[^\s#%-]", re.MULTILINE)
JSON_KEY = re.compile(r""""(Resources|AWSTemplateFormatVersion)"\s*:""")
DUPLICATE = re.compile(r"^Duplicate found (.+) \(line (\d+)\)$")
NOT_A_TEMPLATE = "not a CloudFormation template (no top-level Resources or AWSTemplateFormatVersion key)"
NATIVE_TOOLS = ("guard", "checkov", "cfn-lint", "cfn_nag")

# cfn-lint logs parse failures at ERROR level; we report them ourselves as one TemplateError line.
logging.getLogger("cfnlint.decode").addHandler(logging.NullHandler())


@dataclass(frozen=True)
class LoadedTemplate:
    """A decoded template. `data` keeps cfn-lint's node types, whose `start_mark` gives source lines."""

    path: str  # as given, posix
    sha256: str  # of the file's bytes
    data: dict[str, Any] = field(compare=False, repr=False)

    def line_of(self, path: str) -> int | None:
        """1-based line of the deepest node that exists on `path` ("Resources/Db/Properties/X", "/Resources/...")."""
        return line_of(self.data, path)

    def resource_line(self, logical_id: str) -> int | None:
        return line_of(self.data, ["Resources", logical_id])


def mark_line(node: Any) -> int | None:
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else None


def split_path(path: str) -> list[str]:
    """Segments of "Resources/X/..." or of a JSON pointer "/Resources/X/..." (with ~1 and ~0 unescaped)."""
    if path.startswith("/"):
        return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/") if p != ""]
    return [p for p in path.split("/") if p != ""]


def line_of(data: Any, path: str | list[str]) -> int | None:
    """Walk `path` down `data`; the line of the last key (or list item) found, else of the nearest marked node."""
    segments = split_path(path) if isinstance(path, str) else path
    node, line = data, mark_line(data)
    for segment in segments:
        if isinstance(node, dict):
            key = next((k for k in node if str(k) == segment), None)
            if key is None:
                break
            node = node[key]
            line = mark_line(key) or mark_line(node) or line
        elif isinstance(node, list) and segment.isdigit() and int(segment) < len(node):
            node = node[int(segment)]
            line = mark_line(node) or line
        else:
            break
    return line


def _looks_like_template(text: str) -> bool:
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith(("{", "[")):
        try:
            parsed = json.loads(body)
        except ValueError:  # not strict JSON (tabs, comments, YAML flow style, or malformed): judge by the text
            return bool(JSON_KEY.search(body))
        return isinstance(parsed, dict) and ("Resources" in parsed or "AWSTemplateFormatVersion" in parsed)
    first = FIRST_CONTENT.search(text)
    indent = re.escape(first.group(1)) if first else ""
    return bool(re.search(YAML_TOP_KEY.format(indent=indent), text, re.MULTILINE))


def classify(path: Path) -> str | None:
    """None when `path` is a template candidate, else the reason it is skipped."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not text.strip():
        return "empty file"
    return None if _looks_like_template(text) else NOT_A_TEMPLATE


def _walk(folder: Path, skipped: list[tuple[str, str]], visited: set[Path]) -> Iterator[Path]:
    """Files under `folder` with a template extension, sorted, skipping hidden and dependency folders;
    a folder that cannot be listed is reported in `skipped`; symbolic-link loops are not followed."""
    real = folder.resolve()
    if real in visited:
        return
    visited.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        skipped.append((folder.as_posix(), f"folder cannot be read: {exc.strerror or exc}"))
        return
    for entry in entries:
        if entry.is_dir():
            if not entry.name.startswith(".") and entry.name not in SKIPPED_DIRS:
                yield from _walk(entry, skipped, visited)
        elif entry.is_file() and entry.name.lower().endswith(EXTENSIONS):
            yield entry


def discover(paths: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Templates among `paths` (files, or folders searched recursively) and (path, reason) for files skipped."""
    templates: list[str] = []
    skipped: list[tuple[str, str]] = []
    seen: set[str] = set()
    for given in paths:
        root = Path(given)
        if not root.exists():
            raise UsageError(f"{given}: no such file or directory")
        candidates = list(_walk(root, skipped, set())) if root.is_dir() else [root]
        for candidate in candidates:
            name = candidate.as_posix()
            if name in seen:
                continue
            seen.add(name)
            reason = classify(candidate)
            if reason is None:
                templates.append(name)
            else:
                skipped.append((name, reason))
    return templates, skipped


def _parse_error(path: str, matches: list[Any]) -> TemplateError:
    """One line for the decoder's matches: the first problem, with every line of a duplicated key."""
    messages = [" ".join(str(getattr(m, "message", m)).split()) for m in matches]
    duplicate = DUPLICATE.match(messages[0])
    if duplicate:
        key = duplicate.group(1)
        lines = [m.group(2) for m in map(DUPLICATE.match, messages) if m and m.group(1) == key]
        return TemplateError(f"{path}: duplicate key {key} (lines {', '.join(lines)}); keep one of them")
    line = getattr(matches[0], "linenumber", None)
    where = f" (line {line})" if isinstance(line, int) and line > 0 and "(line " not in messages[0] else ""
    more = f" (+{len(matches) - 1} more)" if len(matches) > 1 else ""
    return TemplateError(f"{path}: malformed YAML/JSON: {messages[0]}{where}{more}")


def _kind(value: Any) -> str:
    for kind, name in ((dict, "a mapping"), (list, "a list"), (str, "a string"), (bool, "a boolean"),
                       (int, "a number"), (float, "a number")):
        if isinstance(value, kind):
            return name
    return "null" if value is None else f"a {type(value).__name__}"


def check_shape(path: str, data: Any) -> dict[str, Any]:
    """The decoded document as a template mapping, or TemplateError saying why it is not one."""
    if not isinstance(data, dict):
        raise TemplateError(f"{path}: not a CloudFormation template: the document is {_kind(data)}, not a mapping")
    if "Resources" not in data:
        raise TemplateError(f"{path}: not a CloudFormation template: no Resources section")
    resources = data["Resources"]
    if not isinstance(resources, dict):
        raise TemplateError(f"{path}: Resources must be a mapping of logical ids to resources, found {_kind(resources)}")
    for logical_id, resource in resources.items():
        if str(logical_id).startswith("Fn::ForEach::"):
            continue
        if not isinstance(resource, dict):
            raise TemplateError(f"{path}: Resources/{logical_id} must be a mapping, found {_kind(resource)}")
        kind = resource.get("Type")
        if kind is not None and not isinstance(kind, str):
            tag = next(iter(kind), "") if isinstance(kind, dict) and len(kind) == 1 else ""
            hint = f" ({tag.replace('Fn::', '!', 1)}: a preprocessor directive; package the template first)" \
                if tag and not tag.startswith(("Fn::If", "Ref")) else ""
            raise TemplateError(f"{path}: Resources/{logical_id}/Type must be a literal string, "
                                f"found {_kind(kind)}{hint}")
    return data


def load(path: str) -> LoadedTemplate:
    """Read and decode one template (once), or raise TemplateError with one line naming the file."""
    name = Path(path).as_posix()
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise TemplateError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TemplateError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise TemplateError(f"{name}: empty file")
    data, matches = decode_str(text)  # reports every parse problem as a match, never raises
    if matches:
        raise _parse_error(name, list(matches))
    return LoadedTemplate(path=name, sha256=hashlib.sha256(raw).hexdigest(), data=check_shape(name, data))


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value if isinstance(v, (str, int)))
    return (str(value),) if isinstance(value, (str, int)) else ()


def _entries(tool: str, block: Any) -> list[tuple[tuple[str, ...], str]]:
    """(rule ids, comment) pairs declared in one tool's Metadata block."""
    if tool == "guard" and isinstance(block, dict):
        return [(_strings(block.get("SuppressedRules")), "")]
    if tool == "cfn-lint" and isinstance(block, dict):
        config = block.get("config")
        return [(_strings(config.get("ignore_checks")), "")] if isinstance(config, dict) else []
    keys = {"checkov": ("skip", "comment"), "cfn_nag": ("rules_to_suppress", "reason")}.get(tool)
    if keys is None or not isinstance(block, dict):
        return []
    items = block.get(keys[0])
    if tool == "cfn_nag" and items is None and "rules_to_supress" in block:
        items = block.get("rules_to_supress")  # the common typo cfn_nag silently ignores; list it anyway
    out: list[tuple[tuple[str, ...], str]] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            out.append((_strings(item.get("id")), str(item.get(keys[1]) or "")))
        else:
            out.append((_strings(item), ""))
    return out


def _from_metadata(template: str, resource: str | None, metadata: Any) -> list[Suppression]:
    if not isinstance(metadata, dict):
        return []
    found: list[Suppression] = []
    for tool in NATIVE_TOOLS:
        for rules, comment in _entries(tool, metadata.get(tool)):
            if rules:
                found.append(Suppression(template=template, resource=resource, tool=tool, rules=rules,
                                         comment=comment))
    return found


def native_suppressions(template: LoadedTemplate) -> list[Suppression]:
    """Template-level then resource-level suppressions, in template order; listed, never honoured."""
    data = template.data
    found = _from_metadata(template.path, None, data.get("Metadata"))
    resources = data.get("Resources")
    for logical_id, resource in (resources.items() if isinstance(resources, dict) else []):
        if isinstance(resource, dict):
            found += _from_metadata(template.path, str(logical_id), resource.get("Metadata"))
    return found
