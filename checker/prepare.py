"""Load and expand templates (optionally in a process pool): each becomes a picklable `Prepared` record.

A template that cannot be read becomes an `InputError` for that file and the others carry on; the pipeline
decides what that means for the exit code. Line numbers are looked up here, while the parsed template is at
hand, for every JSON pointer of the template, so the engines' failing paths map back to lines later.
"""
from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from checker import loader, scenarios
from checker.errors import TemplateError
from checker.model import Scenario, Suppression

MAX_POINTERS = 50_000
MAX_DEPTH = 12  # pointers deeper than this get the line of their nearest recorded parent
POOL_THRESHOLD = 4  # fewer templates than this are prepared in-process: a pool costs more than it saves


@dataclass(frozen=True)
class PreparedVariant:
    scenarios: tuple[Scenario, ...]
    document: dict[str, Any]


@dataclass(frozen=True)
class Prepared:
    path: str  # as discovered
    display: str  # relative to the working directory when inside it, posix
    sha256: str
    variants: tuple[PreparedVariant, ...]
    bound_hit: bool = False
    notes: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    lines: dict[str, int] = field(default_factory=dict)  # "/Resources/Db/Properties/X" -> line
    resource_lines: dict[str, int] = field(default_factory=dict)
    parameter_defaults: dict[str, str] = field(default_factory=dict)

    def line_of(self, pointer: str) -> int | None:
        """The line of `pointer`, else of its longest known prefix below the resource level."""
        parts = pointer.strip("/").split("/")
        while len(parts) >= 2:
            line = self.lines.get("/" + "/".join(parts))
            if line is not None:
                return line
            parts.pop()
        return None

    def resource_line(self, logical_id: str) -> int | None:
        return self.resource_lines.get(logical_id)


@dataclass(frozen=True)
class InputError:
    path: str
    display: str
    message: str  # "<path>: <reason>"
    internal: bool = False  # a bug of ours (exit 3), not a bad input (exit 2)


@dataclass(frozen=True)
class Settings:
    pins: dict[str, str]
    region: str
    max_scenarios: int
    cwd: str
    debug: bool = False
    relevant_types: frozenset[str] | None = None  # resource types the selected rules inspect (None: all)


def display_path(path: str, cwd: str) -> str:
    absolute = os.path.abspath(path)
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        return Path(absolute).as_posix()
    return Path(absolute if rel.startswith("..") else rel).as_posix()


def _walk_lines(node: Any, prefix: str, line: int | None, depth: int, lines: dict[str, int], seen: set[str],
                budget: list[int]) -> None:
    """The line of every pointer below `node`, in one walk: what `loader.line_of` finds for each, walking down
    from the root (a key's line, else its value's, else its parent's)."""
    if depth > MAX_DEPTH:
        return
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, value in items:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        pointer = f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}"
        if pointer in seen:  # a key equal to an earlier one as text: the pointer names the earlier one
            continue
        seen.add(pointer)
        here = (loader.mark_line(key) if isinstance(node, dict) else None) or loader.mark_line(value) or line
        if here is not None:
            lines[pointer] = here
        _walk_lines(value, pointer, here, depth + 1, lines, seen, budget)


def _lines(loaded: loader.LoadedTemplate) -> tuple[dict[str, int], dict[str, int]]:
    lines: dict[str, int] = {}
    _walk_lines(loaded.data, "", loader.mark_line(loaded.data), 0, lines, set(), [MAX_POINTERS])
    resources = loaded.data.get("Resources") if isinstance(loaded.data, dict) else None
    resource_lines = {}
    for logical_id in resources if isinstance(resources, dict) else ():
        line = loaded.resource_line(str(logical_id))
        if line is not None:
            resource_lines[str(logical_id)] = line
    return lines, resource_lines


def _defaults(data: Any) -> dict[str, str]:
    params = data.get("Parameters") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        return {}
    return {str(k): str(v["Default"]) for k, v in params.items()
            if isinstance(v, dict) and v.get("Default") is not None and not isinstance(v["Default"], dict | list)}


def prepare_one(path: str, settings: Settings) -> Prepared | InputError:
    """Load and expand one template; never raises for a bad template (unless debugging)."""
    shown = display_path(path, settings.cwd)
    try:
        loaded = loader.load(path)
        expansion = scenarios.expand(loaded.data, dict(settings.pins), region=settings.region,
                                     max_scenarios=settings.max_scenarios,
                                     relevant_types=settings.relevant_types)
        lines, resource_lines = _lines(loaded)
        suppressions = tuple(replace(s, template=shown) for s in loader.native_suppressions(loaded))
    except TemplateError as exc:
        return InputError(path, shown, exc.message)
    except Exception as exc:  # noqa: BLE001 - one template's crash must not take down the run
        if settings.debug:
            traceback.print_exc()
        return InputError(path, shown, f"{shown}: internal error: {type(exc).__name__}: {exc}", internal=True)
    return Prepared(
        path=path, display=shown, sha256=loaded.sha256,
        variants=tuple(PreparedVariant(tuple(v.scenarios), v.document) for v in expansion.variants),
        bound_hit=bool(expansion.bound_hit), notes=tuple(str(n) for n in expansion.notes),
        unresolved=tuple(str(u) for u in expansion.unresolved), suppressions=suppressions,
        lines=lines, resource_lines=resource_lines, parameter_defaults=_defaults(loaded.data),
    )


def prepare_all(paths: list[str], settings: Settings, jobs: int,
                progress: Callable[[str, int], None] | None = None) -> list[Prepared | InputError]:
    """Prepare every template, in input order; a process pool when there are enough templates and jobs > 1."""
    results: list[Prepared | InputError] = []
    if jobs <= 1 or len(paths) < POOL_THRESHOLD:
        for path in paths:
            results.append(prepare_one(path, settings))
            if progress:
                progress(path, len(paths))
        return results
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, result in zip(paths, pool.map(prepare_one, paths, [settings] * len(paths), chunksize=4)):
            results.append(result)
            if progress:
                progress(path, len(paths))
    return results
