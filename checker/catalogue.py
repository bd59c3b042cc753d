"""Load and validate the rule catalogue: the 93 controls, the rule folders and the policy parameters.

A rule is defined once, in `rules/<folder>/rule.yaml`; `rule.guard` holds one named Guard rule block and
`checkov.py` (or `checkov.yaml`) one Checkov policy, both carrying the rule id. Every defect is a
`RuleDefinitionError` naming the file and the key: a compliance tool never runs a half-loaded catalogue.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from checker.errors import RuleDefinitionError
from checker.model import SEVERITY_BY_NAME, Control, Rule

RULES_DIR = Path(__file__).resolve().parent.parent / "rules"
CONTROLS_FILE = "controls/iso27001-2022.yaml"
PARAMETERS_FILE = "policy-parameters.yaml"
PACKS = ("iso27001", "platform")
RULE_ID = re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")
GUARD_RULE_NAME = re.compile(r"^\s*rule\s+([A-Za-z0-9_]+)", re.MULTILINE)
RESOURCE_TYPE = re.compile(r"^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+$")
CHECKOV_ID = re.compile(r"""\bid\s*[=:]\s*["']?([A-Za-z0-9_]+)""")
# Template sections a rule reading a list of types may declare; AWSTemplateFormatVersion and Transform always come.
SECTIONS = ("Parameters", "Rules", "Conditions", "Mappings", "Outputs", "Metadata")
TOP_LEVEL_SECTION = re.compile(r"(?<![\w.'\"%])(" + "|".join(SECTIONS) + r")\b(?!\s*:)")
GUARD_MESSAGE = re.compile(r"<<.*?>>", re.DOTALL)
REQUIRED = ("id", "title", "severity", "pack", "resource_types", "controls", "rationale", "remediation", "references")


SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML has it: the catalogue is 88 files


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise RuleDefinitionError(f"{path}: cannot be read as YAML: {exc}") from exc


def load_controls(rules_dir: Path = RULES_DIR) -> tuple[Control, ...]:
    path = rules_dir / CONTROLS_FILE
    data = _read_yaml(path)
    items = data.get("controls") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise RuleDefinitionError(f"{path}: expected a top-level 'controls' list")
    controls = []
    for index, item in enumerate(items):
        try:
            controls.append(Control(id=str(item["id"]), title=str(item["title"]), theme=str(item["theme"]),
                                    assessable=bool(item["assessable"]), note=str(item.get("note", ""))))
        except (KeyError, TypeError) as exc:
            raise RuleDefinitionError(f"{path}: controls[{index}] lacks {exc}") from exc
    ids = [c.id for c in controls]
    if len(ids) != 93 or len(set(ids)) != 93:
        raise RuleDefinitionError(f"{path}: expected 93 distinct Annex A controls, found {len(set(ids))}")
    return tuple(controls)


def load_parameters(path: Path | None = None, rules_dir: Path = RULES_DIR) -> dict[str, Any]:
    """The policy parameters (`PolicyParameters:` mapping) both engines read."""
    path = path or rules_dir / PARAMETERS_FILE
    data = _read_yaml(path)
    params = data.get("PolicyParameters") if isinstance(data, dict) else None
    if not isinstance(params, dict) or not params:
        raise RuleDefinitionError(f"{path}: expected a non-empty top-level 'PolicyParameters' mapping")
    return params


def _rule_from_folder(folder: Path, root: Path, control_ids: set[str], params: dict[str, Any]) -> Rule:
    meta_path = folder / "rule.yaml"
    meta = _read_yaml(meta_path)
    if not isinstance(meta, dict):
        raise RuleDefinitionError(f"{meta_path}: expected a mapping")
    for key in REQUIRED:
        if key not in meta or meta[key] in (None, "", []):
            raise RuleDefinitionError(f"{meta_path}: '{key}' is required")
    rule_id = str(meta["id"])
    if not RULE_ID.match(rule_id):
        raise RuleDefinitionError(f"{meta_path}: id '{rule_id}' is not UPPER_SNAKE")
    if folder.name != rule_id.lower().replace("_", "-"):
        raise RuleDefinitionError(f"{meta_path}: folder must be named '{rule_id.lower().replace('_', '-')}'")
    severity = SEVERITY_BY_NAME.get(str(meta["severity"]))
    if severity is None:
        raise RuleDefinitionError(f"{meta_path}: severity '{meta['severity']}' is not low|medium|high|critical")
    if meta["pack"] not in PACKS:
        raise RuleDefinitionError(f"{meta_path}: pack '{meta['pack']}' is not one of {', '.join(PACKS)}")
    for index, control in enumerate(meta["controls"]):
        if control not in control_ids:
            raise RuleDefinitionError(f"{meta_path}: controls[{index}] '{control}' is not an Annex A control")
    for name in meta.get("parameters") or []:
        if name not in params:
            raise RuleDefinitionError(f"{meta_path}: parameter '{name}' is not in {PARAMETERS_FILE}")
    scope = str(meta.get("scope", "resource"))
    if scope not in ("resource", "template"):
        raise RuleDefinitionError(f"{meta_path}: scope '{scope}' is not resource|template")
    reads, read_types, read_sections = _reads(meta, meta_path, scope)
    guard = folder / "rule.guard"
    if not guard.is_file():
        raise RuleDefinitionError(f"{folder}: rule.guard is missing")
    guard_text = guard.read_text(encoding="utf-8")
    names = GUARD_RULE_NAME.findall(guard_text)
    if names != [rule_id]:
        raise RuleDefinitionError(f"{guard}: expected exactly one rule block named {rule_id}, found {names}")
    undeclared = _undeclared_sections(guard_text, read_sections) if reads == "types" else []
    if undeclared:
        raise RuleDefinitionError(f"{meta_path}: the Guard rule queries {', '.join(undeclared)}: add it to reads")
    checkov = [p for p in (folder / "checkov.py", folder / "checkov.yaml") if p.is_file()]
    if len(checkov) != 1:
        raise RuleDefinitionError(f"{folder}: expected exactly one of checkov.py or checkov.yaml")
    if rule_id not in CHECKOV_ID.findall(checkov[0].read_text(encoding="utf-8")):
        raise RuleDefinitionError(f"{checkov[0]}: the Checkov policy id must be {rule_id}")
    if not (folder / "tests.yaml").is_file():
        raise RuleDefinitionError(f"{folder}: tests.yaml is missing")
    return Rule(
        id=rule_id, title=str(meta["title"]), severity=severity, pack=str(meta["pack"]),
        resource_types=tuple(str(t) for t in meta["resource_types"]),
        controls=tuple(str(c) for c in meta["controls"]),
        rationale=str(meta["rationale"]).strip(), remediation=str(meta["remediation"]).strip(),
        references=tuple(str(r) for r in meta["references"]),
        folder=folder.relative_to(root).as_posix(), guard_file=guard.relative_to(root).as_posix(),
        checkov_file=checkov[0].relative_to(root).as_posix(),
        parameters=tuple(str(p) for p in meta.get("parameters") or ()), scope=scope,
        reads=reads, read_types=read_types, read_sections=read_sections,
    )


def _reads(meta: dict[str, Any], meta_path: Path, scope: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """`reads: own`, `reads: template` (the default) or `reads: [...]`: resource types (the rule's own types are
    added) and the template sections besides Resources the rule queries (SECTIONS). Returns (kind, types,
    sections)."""
    value = meta.get("reads", "template")
    if scope == "resource" and any("*" in str(t) for t in meta["resource_types"]) and value != "template":
        # the planner selects resources by exact type: a pattern would select none, and the rule would SKIP
        raise RuleDefinitionError(f"{meta_path}: a resource-scope rule with a resource type pattern must read the"
                                  " template (reads: template) or list its types")
    if value == "own":
        if scope != "resource":
            raise RuleDefinitionError(f"{meta_path}: reads 'own' needs scope resource")
        return "own", (), ()
    if value == "template":
        return "template", (), ()
    if not isinstance(value, list) or not all(isinstance(t, str) and (RESOURCE_TYPE.match(t) or t in SECTIONS)
                                              for t in value):
        raise RuleDefinitionError(f"{meta_path}: reads must be own, template or a list of resource types and"
                                  f" template sections ({', '.join(SECTIONS)})")
    own = [str(t) for t in meta["resource_types"] if "*" not in str(t)]
    types = tuple(dict.fromkeys(own + [str(t) for t in value if t not in SECTIONS]))
    return "types", types, tuple(s for s in SECTIONS if s in value)


def _undeclared_sections(guard_text: str, sections: tuple[str, ...]) -> list[str]:
    """Template sections the Guard rule queries at the top level (`Parameters.X`, `Rules.*`, `let p = Parameters`)
    but does not declare in `reads`; comments and custom messages are not queries."""
    code = GUARD_MESSAGE.sub("", "\n".join(line.split("#", 1)[0] for line in guard_text.splitlines()))
    used = {m.group(1) for m in TOP_LEVEL_SECTION.finditer(code)}
    return sorted(used - set(sections))


def load_rules(rules_dir: Path = RULES_DIR, packs: tuple[str, ...] = PACKS) -> tuple[Rule, ...]:
    """Every rule folder under `rules_dir` in the selected packs, sorted by id; raises on any defect."""
    controls = {c.id for c in load_controls(rules_dir)}
    params = load_parameters(rules_dir=rules_dir)
    root = rules_dir.parent
    rules: dict[str, Rule] = {}
    for folder in sorted(p for p in rules_dir.iterdir() if (p / "rule.yaml").is_file()):
        rule = _rule_from_folder(folder, root, controls, params)
        if rule.id in rules:
            raise RuleDefinitionError(f"{folder}: duplicate rule id {rule.id} (also in {rules[rule.id].folder})")
        rules[rule.id] = rule
    return tuple(r for _, r in sorted(rules.items()) if r.pack in packs)


def ruleset_digest(rules: tuple[Rule, ...], root: Path = RULES_DIR.parent) -> str:
    """SHA-256 over every rule file's path and bytes, plus controls and parameters: the rule set's identity."""
    digest = hashlib.sha256()
    files = [CONTROLS_FILE, PARAMETERS_FILE]
    paths = [root / "rules" / f for f in files]
    for rule in rules:
        paths += sorted((root / rule.folder).iterdir())
    for path in paths:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
