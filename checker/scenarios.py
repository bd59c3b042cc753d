"""Every deployment a template allows: choose the scenarios, render each one, share identical documents.

Dimensions are the parameters whose value can change what deploys: those with `AllowedValues` (each value), those
compared in Conditions (their default, every literal they are compared with, and one "<other>" value when the
default is itself one of those literals), and those used as `Fn::FindInMap` keys (each key of the map).
Parameters pinned by the user are fixed. The full cartesian product is evaluated when it has at most
`max_scenarios` members; otherwise the defaults, each value varied one at a time, and a bounded search until every
Condition has been seen true and false, with a note saying so.
"""
from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from checker.conditions import ConditionEvaluator, Usage, condition_dependencies, find_usage
from checker.model import Scenario
from checker.resolve import Resolver, render, scalar_text, to_plain

UNSET = "<unset>"
OTHER = "<other>"
SEARCH_BUDGET = 4096  # condition evaluations spent, per template, looking for a missing true/false case
DEFAULT_REGION = "eu-west-2"


@dataclass(frozen=True)
class Unknown:
    """A parameter value the checker does not know: `Ref`s to it stay raw."""

    token: str  # "<unset>", "<other>", "<ssm:/path>"


Value = str | tuple[str, ...] | Unknown
Assignment = dict[str, Value]


@dataclass(frozen=True)
class Variant:
    """One distinct document and every scenario that deploys it."""

    scenarios: tuple[Scenario, ...]
    document: dict[str, Any] = field(compare=False, hash=False)


@dataclass(frozen=True)
class Expansion:
    variants: tuple[Variant, ...]
    bound_hit: bool
    notes: tuple[str, ...]
    unresolved: tuple[str, ...]  # parameters referenced by the template whose value is unknown (raw `Ref`)


@dataclass(frozen=True)
class Param:
    name: str
    is_list: bool
    default: Value  # Unknown("<unset>") without a Default; Unknown("<ssm:...>") for SSM parameter types
    allowed: tuple[Value, ...]
    no_echo: bool


def coerce(raw: Any, is_list: bool) -> Value:
    """A parameter value as CloudFormation passes it: a string, or a list of strings for list types."""
    if is_list:
        if isinstance(raw, list):
            items = [scalar_text(i) for i in raw]
            return tuple(i for i in items if i is not None)
        text = scalar_text(raw)
        return Unknown(UNSET) if text is None else tuple(part.strip() for part in text.split(","))
    text = scalar_text(raw)
    return Unknown(UNSET) if text is None else text


def parse_parameters(plain: Mapping[str, Any]) -> dict[str, Param]:
    section = plain.get("Parameters")
    params: dict[str, Param] = {}
    for name, declaration in (section.items() if isinstance(section, dict) else []):
        decl = declaration if isinstance(declaration, dict) else {}
        kind = str(decl.get("Type", "String"))
        ssm = kind.startswith("AWS::SSM::Parameter::Value<")
        is_list = not ssm and (kind == "CommaDelimitedList" or kind.startswith("List<"))
        default: Value = Unknown(UNSET)
        if decl.get("Default") is not None:
            default = Unknown(f"<ssm:{decl['Default']}>") if ssm else coerce(decl["Default"], is_list)
        allowed_raw = decl.get("AllowedValues")
        allowed = tuple(coerce(v, is_list) for v in allowed_raw) if isinstance(allowed_raw, list) else ()
        params[name] = Param(name, is_list, default, allowed if not ssm else (),
                             str(decl.get("NoEcho", "")).lower() == "true")
    return params


def display(value: Value, secret: bool = False) -> str:
    """A value as reports show it; NoEcho values are masked unless empty (an empty secret reveals nothing)."""
    if isinstance(value, Unknown):
        return value.token
    text = ",".join(value) if isinstance(value, tuple) else value
    return "****" if secret and text else text


def _unique(values: list[Value]) -> tuple[Value, ...]:
    out: list[Value] = []
    for value in values:
        if value not in out:
            out.append(value)
    return tuple(out)


def _feeds_no_rule(param: Param, usage: Usage, relevant_types: frozenset[str] | None) -> bool:
    """True when the parameter's value cannot change a verdict: it feeds only resources no rule inspects."""
    name = param.name
    if relevant_types is None or name in usage.in_conditions:
        return False
    return not usage.resource_types.get(name, set()) & relevant_types


def dimension(param: Param, usage: Usage, notes: list[str],
              relevant_types: frozenset[str] | None = None) -> tuple[Value, ...]:
    """The values worth evaluating for one parameter, the base value first (one value: not a dimension)."""
    name = param.name
    if name not in usage.referenced:
        return (param.default,)
    if (param.allowed or name in usage.map_keys) and _feeds_no_rule(param, usage, relevant_types):
        base = param.allowed[0] if isinstance(param.default, Unknown) and param.allowed else param.default
        notes.append(f"Parameter '{name}': its values were not enumerated "
                     f"(it feeds no resource the selected rules inspect); '{display(base)}' was used")
        return (base,)
    if param.allowed:
        if isinstance(param.default, Unknown):
            return _unique(list(param.allowed))  # no Default: the deployer must pick one; the first is the base
        if param.default not in param.allowed:
            notes.append(f"Parameter '{name}': Default '{display(param.default)}' is not one of its AllowedValues")
        return _unique([param.default, *param.allowed])
    literals = [coerce(v, param.is_list) if isinstance(v, str) else v for v in usage.literals.get(name, [])]
    keys: list[Value] = [coerce(k, param.is_list) for k in usage.map_keys.get(name, [])]
    values = [param.default, *literals, *keys]
    if name in usage.in_conditions and not isinstance(param.default, Unknown) and param.default in literals:
        values.append(Unknown(OTHER))  # a value equal to none of the literals
    if name in usage.in_conditions and not literals:
        notes.append(f"Parameter '{name}' is used in Conditions but never compared directly with a literal; "
                     f"only the value '{display(param.default)}' was evaluated for those Conditions")
    return _unique(values)


def _pins(params: dict[str, Param], pins: Mapping[str, str], notes: list[str]) -> Assignment:
    fixed: Assignment = {}
    for name, text in sorted(pins.items()):
        param = params.get(name)
        if param is None:
            notes.append(f"Pinned parameter '{name}' is not declared in the template; ignored")
            continue
        fixed[name] = value = coerce(text, param.is_list)
        parts = [(v,) for v in value] if isinstance(value, tuple) and param.is_list else [value]
        if param.allowed and any(part not in param.allowed for part in parts):
            notes.append(f"Pinned parameter '{name}={text}' is not one of its AllowedValues")
    return fixed


@dataclass
class Space:
    """What the scenarios of one template range over, and how to evaluate their Conditions."""

    plain: dict[str, Any]
    params: dict[str, Param]
    base: Assignment
    dims: dict[str, tuple[Value, ...]]  # sorted by name; base value first
    region: str
    referenced: frozenset[str] = frozenset()  # parameters the template uses (outside Parameters/Mappings/Rules)
    _refs: dict[str, list[str]] = field(default_factory=dict)  # shared by every evaluator of this template
    _deps: dict[str, list[str]] = field(default_factory=dict)
    _evaluated: dict[tuple[tuple[str, Value], ...], tuple[dict[str, bool | None], set[str]]] = field(
        default_factory=dict)

    def resolver(self, assignment: Assignment, conditions: Mapping[str, bool | None] | None = None) -> Resolver:
        known = {n: (list(v) if isinstance(v, tuple) else v) for n, v in assignment.items()
                 if not isinstance(v, Unknown)}
        mappings = self.plain.get("Mappings")
        return Resolver(known, mappings if isinstance(mappings, dict) else {}, self.region, dict(conditions or {}))

    def evaluator(self, assignment: Assignment) -> ConditionEvaluator:
        definitions = self.plain.get("Conditions")
        return ConditionEvaluator(definitions if isinstance(definitions, dict) else {}, self.resolver(assignment),
                                  frozenset(self.params), refs=self._refs)

    def dependencies(self, condition: str) -> list[str]:
        """The dimensions Condition `condition` depends on, sorted (memoised)."""
        if condition not in self._deps:
            found = condition_dependencies(self.plain, condition, frozenset(self.params))
            self._deps[condition] = [n for n in sorted(found) if n in self.dims]
        return self._deps[condition]

    def conditions(self, assignment: Assignment) -> tuple[dict[str, bool | None], set[str]]:
        """Every Condition's value in `assignment` (memoised), and those that compared something unresolvable."""
        key = _key(assignment)
        if key not in self._evaluated:
            evaluator = self.evaluator(assignment)
            self._evaluated[key] = (evaluator.all(), evaluator.uncertain)
        return self._evaluated[key]

    def size(self) -> int:
        return math.prod(len(values) for values in self.dims.values())


def build_space(plain: dict[str, Any], pins: Mapping[str, str], region: str, notes: list[str],
                relevant_types: frozenset[str] | None = None) -> Space:
    params = parse_parameters(plain)
    usage = find_usage(plain, frozenset(params))
    fixed = _pins(params, pins, notes)
    base: Assignment = {}
    dims: dict[str, tuple[Value, ...]] = {}
    for name in sorted(params):
        if name in fixed:
            base[name] = fixed[name]
            continue
        values = dimension(params[name], usage, notes, relevant_types)
        base[name] = values[0]
        if len(values) > 1:
            dims[name] = values
    return Space(plain, params, base, dims, region, frozenset(usage.referenced))


def _key(assignment: Assignment) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(assignment.items()))


def one_at_a_time(space: Space) -> list[Assignment]:
    chosen = [dict(space.base)]
    for name, values in space.dims.items():
        chosen += [{**space.base, name: value} for value in values[1:]]
    return chosen


def _candidates(space: Space, deps: list[str]) -> Iterator[Assignment]:
    """Assignments varying `deps`: first every dependency at its k-th value together (cheap, and what an
    `Fn::And` chain needs), then the product of their values in order."""
    widest = max((len(space.dims[n]) for n in deps), default=0)
    for k in range(1, widest):
        yield {**space.base, **{n: space.dims[n][min(k, len(space.dims[n]) - 1)] for n in deps}}
    for combo in itertools.product(*(space.dims[n] for n in deps)):
        yield {**space.base, **dict(zip(deps, combo))}


def search(space: Space, target: str, want: bool, budget: list[int]) -> tuple[Assignment | None, bool]:
    """A scenario in which Condition `target` is `want`, varying only the dimensions it depends on.
    Returns (assignment or None, whether the search was exhaustive). `budget` is shared and decremented."""
    for candidate in _candidates(space, space.dependencies(target)):
        if budget[0] <= 0:
            return None, False
        budget[0] -= 1
        if space.evaluator(candidate).value(target) is want:
            return candidate, True
    return None, True


def bounded(space: Space, max_scenarios: int, notes: list[str]) -> list[Assignment]:
    """Defaults, each value one at a time, then a search for every missing true/false Condition case."""
    chosen = one_at_a_time(space)
    varied = len(chosen) - 1
    seen: dict[str, set[bool]] = {}
    for assignment in chosen:
        _record(seen, space.conditions(assignment)[0])
    budget, extra = [SEARCH_BUDGET], 0
    # Conditions with the most dependencies first: the scenario found for a deep Fn::And often settles the rest.
    targets = sorted(seen, key=lambda n: -len(space.dependencies(n)))
    for name in targets:
        for want in (True, False):
            if want in seen[name]:
                continue
            found, exhaustive = search(space, name, want, budget)
            if found is not None:
                chosen.append(found)
                extra += 1
                _record(seen, space.conditions(found)[0])
            elif not exhaustive:
                notes.append(f"Condition '{name}': no scenario making it {str(want).lower()} was found within "
                             f"the search limit ({SEARCH_BUDGET} evaluations); that case was not evaluated")
    notes.insert(0, f"Scenario bound hit: {space.size()} parameter combinations exceed the limit of "
                    f"{max_scenarios}; evaluated the defaults, {varied} single-parameter variations of the "
                    f"defaults and {extra} further scenarios so that every Condition is seen true and false "
                    f"where reachable ({len(chosen)} scenarios in all)")
    return chosen


def _record(seen: dict[str, set[bool]], values: Mapping[str, bool | None]) -> None:
    for name, value in values.items():
        bucket = seen.setdefault(name, set())
        if value is not None:
            bucket.add(value)


def choose(space: Space, max_scenarios: int, notes: list[str]) -> tuple[list[Assignment], bool]:
    if space.size() <= max(1, max_scenarios):
        names = list(space.dims)
        combos = itertools.product(*(space.dims[n] for n in names))
        return [{**space.base, **dict(zip(names, combo))} for combo in combos], False
    chosen, keys = [], set()
    for assignment in bounded(space, max_scenarios, notes):
        if _key(assignment) not in keys:
            keys.add(_key(assignment))
            chosen.append(assignment)
    return chosen, True


def scenario(space: Space, assignment: Assignment, conditions: Mapping[str, bool | None]) -> Scenario:
    params = space.params
    changed = [n for n in sorted(params) if display(assignment[n]) != display(params[n].default)]
    name = ", ".join(f"{n}={display(assignment[n], params[n].no_echo)}" for n in changed) or "defaults"
    return Scenario(
        name=name,
        parameters=tuple((n, display(assignment[n], params[n].no_echo)) for n in sorted(params)),
        conditions=tuple(sorted((n, v) for n, v in conditions.items() if v is not None)),
    )


def _condition_notes(space: Space, evaluated: list[dict[str, bool | None]], uncertain: set[str]) -> list[str]:
    """Say which Conditions could not be decided, and which resources and outputs never deploy."""
    notes = [f"Condition '{n}' compares a value that cannot be resolved; it was evaluated as not equal"
             for n in sorted(uncertain)]
    for section in ("Resources", "Outputs"):
        entries = space.plain.get(section)
        for name, entry in (entries.items() if isinstance(entries, dict) else []):
            condition = entry.get("Condition") if isinstance(entry, dict) else None
            if not isinstance(condition, str):
                continue
            values = {conditions.get(condition) for conditions in evaluated}
            what = f"{section[:-1]} '{name}'"
            if values == {None}:
                notes.append(f"{what}: Condition '{condition}' is undefined or cannot be evaluated; "
                             f"the {section[:-1].lower()} is kept in every scenario")
            elif values == {False}:
                notes.append(f"{what} is absent from every evaluated scenario (Condition '{condition}' is "
                             f"never true)")
    return notes


def _unresolved(space: Space) -> tuple[str, ...]:
    return tuple(sorted(n for n in space.referenced if isinstance(space.base.get(n), Unknown)))


def expand(data: Mapping[str, Any], pins: Mapping[str, str], region: str = DEFAULT_REGION,
           max_scenarios: int = 64, relevant_types: frozenset[str] | None = None) -> Expansion:
    """Every deployment `data` allows (bounded), as distinct documents with the scenarios that produce them.

    `relevant_types`: the resource types the selected rules inspect. A parameter with AllowedValues (or used as a
    FindInMap key) that feeds none of them and no Condition cannot change a verdict, so its values are not enumerated
    (with a note); None enumerates every AllowedValues entry.
    """
    plain = to_plain(data)
    if not isinstance(plain, dict):
        plain = {}
    notes: list[str] = []
    space = build_space(plain, pins, region, notes, relevant_types)
    assignments, bound_hit = choose(space, max_scenarios, notes)
    groups: dict[str, tuple[list[Scenario], dict[str, Any]]] = {}
    evaluated: list[dict[str, bool | None]] = []
    uncertain: set[str] = set()
    for assignment in assignments:
        conditions, unsure = space.conditions(assignment)
        evaluated.append(conditions)
        uncertain |= unsure
        document = render(plain, space.resolver(assignment, conditions))
        key = json.dumps(document, sort_keys=True, default=str)
        groups.setdefault(key, ([], document))[0].append(scenario(space, assignment, conditions))
    notes += _condition_notes(space, evaluated, uncertain)
    return Expansion(
        variants=tuple(Variant(tuple(found), document) for found, document in groups.values()),
        bound_hit=bound_hit,
        notes=tuple(notes),
        unresolved=_unresolved(space),
    )
