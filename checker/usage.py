"""Where a template uses its parameters: what scenario selection needs to know, found in one walk.

Referenced parameters (`Ref`, `${Param}` in `Fn::Sub`), those used in Conditions and the literals they are
compared with through `Fn::Equals`, the keys of the maps a parameter looks up through `Fn::FindInMap`, and the
parameters each Condition depends on.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.resolve import SUB_VARIABLE, is_intrinsic, scalar_text


@dataclass
class Usage:
    """Where a template uses its parameters: what scenario selection needs to know."""

    referenced: set[str] = field(default_factory=set)  # used anywhere outside Parameters/Mappings/Rules
    in_conditions: set[str] = field(default_factory=set)
    literals: dict[str, list[Any]] = field(default_factory=dict)  # compared with, via Fn::Equals in Conditions
    map_keys: dict[str, list[str]] = field(default_factory=dict)  # keys of the map a FindInMap looks up with it


def find_usage(plain: Mapping[str, Any], params: frozenset[str]) -> Usage:
    usage = Usage()
    mappings = plain.get("Mappings")
    walker = _UsageWalker(params, usage, mappings if isinstance(mappings, dict) else {})
    for section, body in plain.items():
        if section not in ("Parameters", "Mappings", "Rules"):
            walker.walk(body, section == "Conditions")
    return usage


@dataclass
class _UsageWalker:
    params: frozenset[str]
    usage: Usage
    mappings: Mapping[str, Any]

    def walk(self, node: Any, in_conditions: bool) -> None:
        if isinstance(node, list):
            for item in node:
                self.walk(item, in_conditions)
            return
        if not isinstance(node, dict):
            return
        if is_intrinsic(node):
            self._intrinsic(*next(iter(node.items())), in_conditions)
        for value in node.values():
            self.walk(value, in_conditions)

    def _use(self, name: Any, in_conditions: bool) -> None:
        if isinstance(name, str) and name in self.params:
            self.usage.referenced.add(name)
            if in_conditions:
                self.usage.in_conditions.add(name)

    def _intrinsic(self, fn: str, arg: Any, in_conditions: bool) -> None:
        if fn == "Ref":
            self._use(arg, in_conditions)
        elif fn == "Fn::Sub":
            text = arg if isinstance(arg, str) else arg[0] if isinstance(arg, list) and arg else None
            local = arg[1] if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict) else {}
            for match in SUB_VARIABLE.finditer(text if isinstance(text, str) else ""):
                if match.group(1).strip() not in local:
                    self._use(match.group(1).strip(), in_conditions)
        elif fn == "Fn::Equals" and in_conditions and isinstance(arg, list) and len(arg) == 2:
            self._literal(arg[0], arg[1])
            self._literal(arg[1], arg[0])
        elif fn == "Fn::FindInMap" and isinstance(arg, list) and len(arg) >= 3:
            self._map_keys(arg)

    def _literal(self, side: Any, other: Any) -> None:
        text = scalar_text(other)
        if text is None or not isinstance(side, dict) or len(side) != 1:
            return
        fn, arg = next(iter(side.items()))
        if fn == "Ref" and arg in self.params:
            self.usage.literals.setdefault(arg, []).append(text)
        elif (fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str)
              and isinstance(arg[1], dict) and arg[1].get("Ref") in self.params):
            value = tuple(text.split(arg[0])) if arg[0] else (text,)
            self.usage.literals.setdefault(arg[1]["Ref"], []).append(value)

    def _map_keys(self, arg: list[Any]) -> None:
        table = self.mappings.get(arg[0]) if isinstance(arg[0], str) else None
        if not isinstance(table, dict):
            return
        for position in (1, 2):
            ref = arg[position].get("Ref") if isinstance(arg[position], dict) else None
            if ref not in self.params:
                continue
            if position == 1:
                keys = list(table)
            else:
                first = scalar_text(arg[1])
                rows = [table[first]] if first in table else list(table.values())
                keys = [k for row in rows if isinstance(row, dict) for k in row]
            bucket = self.usage.map_keys.setdefault(ref, [])
            bucket += [k for k in keys if k not in bucket]


def condition_dependencies(plain: Mapping[str, Any], target: str, params: frozenset[str]) -> set[str]:
    """Parameters Condition `target` depends on, through the Conditions it references."""
    definitions = plain.get("Conditions")
    definitions = definitions if isinstance(definitions, dict) else {}
    found: set[str] = set()
    pending, visited = [target], set()
    while pending:
        name = pending.pop()
        if name in visited or name not in definitions:
            continue
        visited.add(name)
        stack = [definitions[name]]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                if node.get("Ref") in params:
                    found.add(node["Ref"])
                if isinstance(node.get("Condition"), str):
                    pending.append(node["Condition"])
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return found
