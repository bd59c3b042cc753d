"""Resolve a template for one deployment: parameter values known, Conditions decided, intrinsics substituted.

Everything here works on plain data (`to_plain` first) and evaluates by substitution, never by solving: the cost
is linear in the size of the template for each scenario, whatever the number of Conditions.
What cannot be resolved stays as the raw intrinsic (`{"Ref": "Param"}`, `{"Fn::Sub": "partial ${Res}"}`), so
rules see an unresolved value as such; `Ref` to a resource and `Fn::GetAtt` always stay (they are references).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

ACCOUNT_ID = "123456789012"
STACK_NAME = "stack"
SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
NATIVE_METADATA = ("checkov", "guard", "cfn_nag", "cfn-lint")
_MISSING = object()


class _NoValue:
    """`AWS::NoValue`: the key (or list item) holding it disappears."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Any = _NoValue()


def to_plain(node: Any) -> Any:
    """cfn-lint nodes (and YAML dates) to plain JSON-able Python values; mapping keys become strings."""
    if isinstance(node, dict):
        return {_key(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if node is None or isinstance(node, (bool, int, float)):
        return node
    if isinstance(node, (date, datetime)):
        return node.isoformat()
    return str(node)


def clone(node: Any) -> Any:
    """A copy of plain data (faster than copy.deepcopy): documents never share mutable parts."""
    if isinstance(node, dict):
        return {k: clone(v) for k, v in node.items()}
    if isinstance(node, list):
        return [clone(v) for v in node]
    return node


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(to_plain(key)) if isinstance(key, (date, datetime)) else str(key)


def scalar_text(value: Any) -> str | None:
    """The string CloudFormation would see for a scalar (parameter values are strings); None when not a scalar."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def pseudo_parameters(region: str) -> dict[str, Any]:
    partition, suffix = "aws", "amazonaws.com"
    if region.startswith("cn-"):
        partition, suffix = "aws-cn", "amazonaws.com.cn"
    elif region.startswith("us-gov-"):
        partition = "aws-us-gov"
    stack_id = f"arn:{partition}:cloudformation:{region}:{ACCOUNT_ID}:stack/{STACK_NAME}/00000000-0000-0000-0000-000000000000"
    return {"AWS::Region": region, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": partition,
            "AWS::URLSuffix": suffix, "AWS::StackName": STACK_NAME, "AWS::StackId": stack_id,
            "AWS::NoValue": NO_VALUE}


def availability_zones(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in "abc"]


def is_intrinsic(node: Any) -> bool:
    if not isinstance(node, dict) or len(node) != 1:
        return False
    key = next(iter(node))
    return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))


@dataclass
class Resolver:
    """Substitutes what is known in one scenario. `values` holds known parameter values (str or list of str)."""

    values: Mapping[str, Any]
    mappings: Mapping[str, Any]
    region: str
    conditions: Mapping[str, bool | None] = field(default_factory=dict)
    pseudo: Mapping[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.pseudo = pseudo_parameters(self.region)

    def resolve(self, node: Any) -> Any:
        """The resolved value, or NO_VALUE when the node is (or resolves to) AWS::NoValue."""
        if isinstance(node, dict):
            if is_intrinsic(node):
                name, arg = next(iter(node.items()))
                return self._intrinsic(name, arg)
            out = {}
            for key, value in node.items():
                resolved = self.resolve(value)
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(node, list):
            return [r for r in (self.resolve(v) for v in node) if r is not NO_VALUE]
        return node

    def raw(self, node: Any) -> Any:
        """Resolve inside an intrinsic that itself stays: AWS::NoValue is kept as its raw Ref."""
        resolved = self.resolve(node)
        return {"Ref": "AWS::NoValue"} if resolved is NO_VALUE else resolved

    def _intrinsic(self, name: str, arg: Any) -> Any:
        handler = _HANDLERS.get(name)
        return handler(self, arg) if handler else {name: self.raw(arg)}

    def lookup(self, name: str) -> Any:
        """Value of a parameter or pseudo parameter, or _MISSING when unknown (a resource, unset, undeclared)."""
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.values:
            value = self.values[name]
            return list(value) if isinstance(value, (list, tuple)) else value
        return _MISSING

    def ref(self, arg: Any) -> Any:
        value = self.lookup(arg) if isinstance(arg, str) else _MISSING
        return {"Ref": self.raw(arg)} if value is _MISSING else value

    def fn_if(self, arg: Any) -> Any:
        if isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str):
            chosen = self.conditions.get(arg[0])
            if chosen is not None:
                return self.resolve(arg[1] if chosen else arg[2])
        return {"Fn::If": self.raw(arg)}

    def sub(self, arg: Any) -> Any:
        if isinstance(arg, str):
            text, variables = arg, {}
        elif isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) and isinstance(arg[1], dict):
            text, variables = arg[0], {k: self.resolve(v) for k, v in arg[1].items()}
        else:
            return {"Fn::Sub": self.raw(arg)}
        known: dict[str, str] = {}
        for match in SUB_VARIABLE.finditer(text):
            name = match.group(1)
            if name.startswith("!"):
                continue
            value = variables[name] if name in variables else self.lookup(name.strip())
            as_text = None if value is NO_VALUE else scalar_text(value)
            if as_text is not None:
                known[name] = as_text
        return _substitute(text, variables, known, self.raw)

    def find_in_map(self, arg: Any) -> Any:
        if not isinstance(arg, list) or len(arg) < 3:
            return {"Fn::FindInMap": self.raw(arg)}
        keys = [self.raw(a) for a in arg[:3]]
        rest = [self.raw(a) for a in arg[3:]]
        texts = [scalar_text(k) for k in keys]
        if any(t is None for t in texts):
            return {"Fn::FindInMap": keys + rest}
        found: Any = self.mappings
        for text in texts:
            found = found.get(text, _MISSING) if isinstance(found, dict) else _MISSING
        if found is not _MISSING:
            return clone(found)
        option = arg[3] if len(arg) > 3 else None
        if isinstance(option, dict) and "DefaultValue" in option:
            return self.resolve(option["DefaultValue"])
        return {"Fn::FindInMap": keys + rest}

    def join(self, arg: Any) -> Any:
        resolved = self.raw(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and isinstance(resolved[0], str):
            items = resolved[1]
            if isinstance(items, list):
                texts = [scalar_text(i) for i in items]
                if all(t is not None for t in texts):
                    return resolved[0].join(t for t in texts if t is not None)
        return {"Fn::Join": resolved}

    def select(self, arg: Any) -> Any:
        resolved = self.raw(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and isinstance(resolved[1], list):
            index = scalar_text(resolved[0])
            if index is not None and index.isdigit() and int(index) < len(resolved[1]):
                return resolved[1][int(index)]
        return {"Fn::Select": resolved}

    def split(self, arg: Any) -> Any:
        resolved = self.raw(arg)
        if isinstance(resolved, list) and len(resolved) == 2 and isinstance(resolved[0], str) and resolved[0]:
            source = scalar_text(resolved[1])
            if source is not None:
                return source.split(resolved[0])
        return {"Fn::Split": resolved}

    def get_azs(self, arg: Any) -> Any:
        resolved = self.raw(arg)
        if resolved == "" or resolved is None:
            return availability_zones(self.region)
        if isinstance(resolved, str) and not is_intrinsic(resolved):
            return availability_zones(resolved)
        return {"Fn::GetAZs": resolved}


def _substitute(text: str, variables: dict[str, Any], known: dict[str, str], raw: Callable[[Any], Any]) -> Any:
    """Fn::Sub with the variables in `known` substituted; the rest (and `${!x}` escapes) kept when partial."""
    pending = [m.group(1) for m in SUB_VARIABLE.finditer(text)
               if not m.group(1).startswith("!") and m.group(1) not in known]

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return match.group(0) if pending else "${" + name[1:] + "}"
        return known.get(name, match.group(0))

    out = SUB_VARIABLE.sub(replace, text)
    if not pending:
        return out
    remaining = {k: raw(v) for k, v in variables.items() if k in pending}
    return {"Fn::Sub": [out, remaining] if remaining else out}


_HANDLERS: dict[str, Callable[[Resolver, Any], Any]] = {
    "Ref": Resolver.ref,
    "Fn::If": Resolver.fn_if,
    "Fn::Sub": Resolver.sub,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::GetAZs": Resolver.get_azs,
}


def _strip_native(metadata: Any) -> Any:
    """Metadata without the engine-native suppression blocks (NO_VALUE when nothing else is left)."""
    if not isinstance(metadata, dict):
        return metadata
    kept = {k: v for k, v in metadata.items() if k not in NATIVE_METADATA}
    return kept if kept or not metadata else NO_VALUE


def _parameters_section(section: Any, values: Mapping[str, Any]) -> Any:
    """Declarations as written, except that `Default` is removed where this scenario leaves the value unknown,
    so an engine that renders defaults itself (Checkov) cannot substitute a value we deliberately left open.
    Known values are substituted everywhere already; the declared Default stays so identical deployments dedupe."""
    if not isinstance(section, dict):
        return section
    out: dict[str, Any] = {}
    for name, declaration in section.items():
        if isinstance(declaration, dict) and name not in values:
            declaration = {k: v for k, v in declaration.items() if k != "Default"}
        out[name] = clone(declaration)
    return out


def _conditional_section(section: Any, resolver: Resolver, is_resources: bool) -> Any:
    """Resources or Outputs: entries whose Condition is false removed, `Condition` keys dropped, the rest resolved."""
    if not isinstance(section, dict):
        return resolver.raw(section)
    out: dict[str, Any] = {}
    for name, entry in section.items():
        if not isinstance(entry, dict):
            out[name] = resolver.raw(entry)
            continue
        condition = entry.get("Condition")
        if isinstance(condition, str) and resolver.conditions.get(condition) is False:
            continue
        body = {k: v for k, v in entry.items() if k != "Condition"}
        if is_resources and "Metadata" in body:
            body["Metadata"] = _strip_native(body["Metadata"])
        resolved = resolver.resolve(body)
        if resolved is not NO_VALUE:
            out[name] = resolved
    return out


def render(plain: Mapping[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The template as it would deploy in the resolver's scenario (plain, JSON-serialisable, template order)."""
    document: dict[str, Any] = {}
    for section, body in plain.items():
        if section == "Conditions":
            continue
        if section == "Parameters":
            value = _parameters_section(body, resolver.values)
        elif section in ("Resources", "Outputs"):
            value = _conditional_section(body, resolver, section == "Resources")
        elif section in ("Mappings", "Rules", "AWSTemplateFormatVersion", "Description", "Transform"):
            value = clone(body)
        elif section == "Metadata":
            value = resolver.resolve(_strip_native(body))
        else:
            value = resolver.resolve(body)
        if value is not NO_VALUE:
            document[section] = value
    return document

