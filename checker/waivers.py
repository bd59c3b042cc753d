"""Governed waivers: who accepted which finding, why, and until when.

A waivers file (default `.cfn-iso27001-waivers.yaml` in the working directory) holds a `waivers:` list::

    waivers:
      - rule: RDS_STORAGE_ENCRYPTED_CMK
        template: "template/*.yaml"      # optional path glob (posix, relative to the working directory)
        resources: [LegacyDb, "Tmp*"]   # logical ids or globs; "*" also covers template-level findings
        reason: Migrated in Q3, see CHG-1234
        approved_by: security@example.com
        expires: 2027-03-31

Every entry is validated when loaded; any defect (missing or empty field, unknown key, unknown rule id, bad or
past date) is a `WaiverError` naming the file and the entry, so an expired waiver fails the run instead of
silently lapsing. A waiver turns a matching FAIL into WAIVED; an ERROR is never waived.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from checker.errors import WaiverError
from checker.model import Finding, Status, Waiver

DEFAULT_FILE = ".cfn-iso27001-waivers.yaml"
REQUIRED = ("rule", "resources", "reason", "approved_by", "expires")
ALLOWED = set(REQUIRED) | {"template"}


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates stay text, so a bad date is reported with its entry."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WaiverError(f"{path}: cannot be read: {exc.strerror or exc}") from exc
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise WaiverError(f"{path}: is not valid YAML{where}") from exc


def _date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise WaiverError(f"{where}: expires '{value}' is not an ISO date (YYYY-MM-DD)")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise WaiverError(f"{where}: 'resources' must be a non-empty list of logical ids or globs")
    return tuple(i.strip() for i in items)


def _entry(item: Any, index: int, where: str, rule_ids: set[str], today: date) -> Waiver:
    if not isinstance(item, dict):
        raise WaiverError(f"{where}: expected a mapping with {', '.join(REQUIRED)}")
    unknown = sorted(str(k) for k in item if k not in ALLOWED)
    if unknown:
        raise WaiverError(f"{where}: unknown key '{unknown[0]}' (allowed: {', '.join(sorted(ALLOWED))})")
    for key in REQUIRED:
        value = item.get(key)
        if value is None or (isinstance(value, str | list) and not value) or str(value).strip() == "":
            raise WaiverError(f"{where}: '{key}' is required and must not be empty")
    rule = str(item["rule"]).strip()
    if rule not in rule_ids:
        raise WaiverError(f"{where}: unknown rule id '{rule}'")
    expires = _date(item["expires"], where)
    if expires < today:
        raise WaiverError(f"{where}: waiver for {rule} expired on {expires.isoformat()} (today is {today.isoformat()})")
    template = item.get("template")
    if template is not None and (not isinstance(template, str) or not template.strip()):
        raise WaiverError(f"{where}: 'template' must be a path glob")
    return Waiver(rule=rule, resources=_strings(item["resources"], where), reason=str(item["reason"]).strip(),
                  approved_by=str(item["approved_by"]).strip(), expires=expires,
                  template=template.strip() if isinstance(template, str) else None, index=index)


def load_waivers(path: Path, rule_ids: set[str], today: date) -> tuple[Waiver, ...]:
    """Parse and validate a waivers file; raises WaiverError naming the file and the entry index."""
    data = _read(path)
    if data is None:
        return ()
    items = data.get("waivers") if isinstance(data, dict) else None
    if not isinstance(data, dict) or set(data) - {"waivers"} or not isinstance(items, list | type(None)):
        raise WaiverError(f"{path}: expected a top-level 'waivers:' list and nothing else")
    return tuple(_entry(item, index, f"{path}: waivers[{index}]", rule_ids, today)
                 for index, item in enumerate(items or []))


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def matches(waiver: Waiver, finding: Finding) -> bool:
    """True when `waiver` covers `finding` (same rule, template glob, resource glob)."""
    if waiver.rule != finding.rule_id:
        return False
    if waiver.template is not None and not fnmatchcase(finding.template, waiver.template):
        return False
    if finding.resource is None:
        return "*" in waiver.resources
    return any(fnmatchcase(finding.resource, pattern) for pattern in waiver.resources)


def apply_waivers(findings: tuple[Finding, ...], waivers: tuple[Waiver, ...]
                  ) -> tuple[tuple[Finding, ...], tuple[Waiver, ...]]:
    """FAIL findings covered by a waiver become WAIVED (first matching waiver attached); returns unused waivers.

    A waiver is used when it covers at least one FAIL; one that waives nothing (its resources now pass, or were
    renamed) is returned so reviewers can retire it.
    """
    used: set[int] = set()
    out: list[Finding] = []
    for finding in findings:
        hits = [w for w in waivers if matches(w, finding)] if finding.status is Status.FAIL else []
        used.update(w.index for w in hits)
        if hits:
            out.append(replace(finding, status=Status.WAIVED, waiver=hits[0]))
        else:
            out.append(finding)
    return tuple(out), tuple(w for w in waivers if w.index not in used)
