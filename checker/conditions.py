"""Conditions, evaluated by substitution (never solved), and where a template uses its parameters.

`ConditionEvaluator` decides each Condition for one scenario, memoised, in dependency order so long chains do
not recurse deeply. `find_usage` finds, in one walk, what scenario selection needs: referenced parameters
(`Ref`, `${Param}` in `Fn::Sub`), those used in Conditions and the literals they are compared with through
`Fn::Equals`, and the keys of the maps a parameter looks up through `Fn::FindInMap`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.resolve import SUB_VARIABLE, Resolver, is_intrinsic, scalar_text


@dataclass
class ConditionEvaluator:
    """Evaluates the Conditions section by substitution, memoised; None means it cannot be decided.

    A comparison with a value that stays unresolved (a parameter without a value, or the deliberate "<other>"
    value) is false unless both sides are the same expression: an unknown value is assumed to differ from every
    literal. Comparisons that stay unresolved for any other reason are recorded in `uncertain`.
    """

    definitions: Mapping[str, Any]
    resolver: Resolver
    parameters: frozenset[str] = frozenset()
    memo: dict[str, bool | None] = field(default_factory=dict)
    uncertain: set[str] = field(default_factory=set)
    refs: dict[str, list[str]] = field(default_factory=dict)  # Condition -> Conditions it names; shareable cache
    _stack: list[str] = field(default_factory=list)

    def all(self) -> dict[str, bool | None]:
        return {name: self.value(name) for name in self.definitions}

    def value(self, name: str) -> bool | None:
        """Evaluate `name` after every Condition it references (deepest first), so the recursion depth stays
        that of one expression however long the chain of Conditions is."""
        if name not in self.memo:
            for dependency in self._order(name):
                if dependency not in self.memo:
                    self.memo[dependency] = self._evaluate(dependency)
        return self.memo.get(name)

    def _evaluate(self, name: str) -> bool | None:
        if name not in self.definitions or name in self._stack:
            return None  # undefined or circular: undecidable
        self._stack.append(name)
        try:
            return self._expr(self.definitions[name], name)
        finally:
            self._stack.pop()

    def _order(self, name: str) -> list[str]:
        """`name` and the Conditions it depends on, dependencies first; a cycle is cut (its member is None)."""
        order: list[str] = []
        state: dict[str, bool] = {}  # False: in progress, True: done
        stack: list[tuple[str, bool]] = [(name, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                state[current] = True
                order.append(current)
                continue
            if state.get(current) is False:
                self.memo.setdefault(current, None)  # reached again while in progress: circular
                continue
            if current in state or current in self.memo:
                continue
            state[current] = False
            stack.append((current, True))
            if current not in self.refs:
                self.refs[current] = _condition_refs(self.definitions.get(current))
            stack += [(ref, False) for ref in self.refs[current]]
        return order

    def _expr(self, node: Any, owner: str) -> bool | None:
        if not isinstance(node, dict) or len(node) != 1:
            return None
        fn, arg = next(iter(node.items()))
        if fn == "Condition":
            return self.value(arg) if isinstance(arg, str) else None
        if fn == "Fn::Equals" and isinstance(arg, list) and len(arg) == 2:
            return self._equals(arg[0], arg[1], owner)
        if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._expr(arg[0], owner)
            return None if inner is None else not inner
        if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list) and arg:
            parts = [self._expr(a, owner) for a in arg]
            decisive = bool(fn == "Fn::Or")  # the value that decides alone: True for Or, False for And
            if decisive in parts:
                return decisive
            return None if None in parts else not decisive
        return None

    def _equals(self, left: Any, right: Any, owner: str) -> bool:
        a, b = self.resolver.raw(left), self.resolver.raw(right)
        ta, tb = _comparable(a), _comparable(b)
        if ta is not None and tb is not None:
            return bool(ta == tb)
        if a == b:
            return True
        if not (_mentions_parameter(a, self.parameters) or _mentions_parameter(b, self.parameters)):
            self.uncertain.add(owner)
        return False


def _condition_refs(node: Any) -> list[str]:
    """Names in `{"Condition": name}` anywhere inside a Condition expression."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("Condition"), str):
                found.append(current["Condition"])
            stack += list(current.values())
        elif isinstance(current, list):
            stack += current
    return found


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        items = [scalar_text(v) for v in value]
        return None if any(i is None for i in items) else items
    return scalar_text(value)


def _mentions_parameter(node: Any, parameters: frozenset[str]) -> bool:
    if isinstance(node, dict):
        if node.get("Ref") in parameters and len(node) == 1:
            return True
        return any(_mentions_parameter(v, parameters) for v in node.values())
    if isinstance(node, list):
        return any(_mentions_parameter(v, parameters) for v in node)
    return False


@dataclass
class Usage:
    """Where a template uses its parameters: what scenario selection needs to know."""

    referenced: set[str] = field(default_factory=set)  # used anywhere outside Parameters/Mappings/Rules
    in_conditions: set[str] = field(default_factory=set)
    literals: dict[str, list[Any]] = field(default_factory=dict)  # compared with, via Fn::Equals in Conditions
    map_keys: dict[str, list[str]] = field(default_factory=dict)  # keys of the map a FindInMap looks up with it
    resource_types: dict[str, set[str]] = field(default_factory=dict)  # types of the resources that use it


def find_usage(plain: Mapping[str, Any], params: frozenset[str]) -> Usage:
    usage = Usage()
    mappings = plain.get("Mappings")
    walker = _UsageWalker(params, usage, mappings if isinstance(mappings, dict) else {})
    for section, body in plain.items():
        if section == "Resources" and isinstance(body, dict):
            for resource in body.values():
                walker.resource_type = str(resource.get("Type")) if isinstance(resource, dict) else None
                walker.walk(resource, False)
            walker.resource_type = None
        elif section not in ("Parameters", "Mappings", "Rules"):
            walker.walk(body, section == "Conditions")
    return usage


@dataclass
class _UsageWalker:
    params: frozenset[str]
    usage: Usage
    mappings: Mapping[str, Any]
    resource_type: str | None = None

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
            if self.resource_type is not None:
                self.usage.resource_types.setdefault(name, set()).add(self.resource_type)
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
