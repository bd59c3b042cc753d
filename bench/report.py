"""Turn benchmark results into console lines and docs/benchmarks.md: figures, ratios to checkov, goals."""
from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from phases import PHASES

CASE_ORDER = ("reference", "corpus", "copies-1", "copies-10", "copies-100")
TOOL_ORDER = ("ours", "checkov", "guard")
TOOL_NAMES = {"ours": "cfn-iso27001 check (both engines, 5 reports)", "checkov": "checkov alone (built-in checks)",
              "guard": "cfn-guard alone (our rules)"}
PRECOMMIT_GOAL = 1.5


def machine(tools: Any, root: Path) -> dict[str, Any]:
    """What the figures came from: CPU, memory, Python, tool versions (no paths)."""
    info: dict[str, Any] = {"nproc": len(os.sched_getaffinity(0)), "python": platform.python_version(),
                            "cpu": _proc_field("/proc/cpuinfo", "model name"), "load_before": os.getloadavg()}
    mem = _proc_field("/proc/meminfo", "MemTotal")
    info["memory_gib"] = round(int(mem.split()[0]) / 1024 / 1024, 1) if mem and mem.split()[0].isdigit() else None
    versions = {}
    for dist in ("checkov", "cfn-lint", "cfn-iso27001"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "unavailable"
    try:
        done = subprocess.run([tools.guard, "--version"], capture_output=True, text=True, timeout=30, check=False)
        versions["cfn-guard"] = done.stdout.strip().split()[-1] if done.stdout.strip() else "unavailable"
    except OSError:
        versions["cfn-guard"] = "unavailable"
    info["versions"] = versions
    info["rules"] = len(tools.guard_rules)
    return info


def _proc_field(path: str, field: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                if key.strip() == field:
                    return value.strip()
    except OSError:
        pass
    return "unknown"


def _ratio(ours: float | None, theirs: float | None) -> str:
    return f"{ours / theirs:.2f}×" if ours is not None and theirs else "n/a"


def _spread(stats: dict[str, Any]) -> str:
    return f"{stats['min']:.2f}–{stats['max']:.2f}"


def print_case(name: str, case: dict[str, Any]) -> None:
    tools = case["tools"]
    print(f"\n{name}: {case['title']} ({case['runs']} run(s))")
    for tool, stats in tools.items():
        ratio = "" if tool == "checkov" else f"  {_ratio(stats['median'], tools['checkov']['median'])} of checkov"
        print(f"  {tool:<8} median {stats['median']:7.2f} s  [{_spread(stats)}]  cpu {_cpu(stats)}  "
              f"peak {stats['rss_mib']} MiB"
              f"  exit {stats['codes']}{ratio}")


def print_precommit(pre: dict[str, Any]) -> None:
    wall = pre["wall"]
    print(f"\nprecommit: {pre['command']}: median {wall['median']:.2f} s [{_spread(wall)}], peak {wall['rss_mib']} MiB")
    for label, seconds in pre["breakdown"]["phases"].items():
        print(f"  {label:<50} {seconds:6.2f} s")
    for package, seconds in pre["breakdown"]["imports"].items():
        print(f"  import {package:<43} {seconds:6.2f} s")


def goals(results: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(goal, measured, verdict) for each goal the issue sets; a missing case is 'not measured'."""
    cases = results["cases"]
    rows: list[tuple[str, str, str]] = []

    def ratio_goal(case: str, limit: float, label: str) -> None:
        if case not in cases:
            rows.append((label, "not measured", "—"))
            return
        tools = cases[case]["tools"]
        value = tools["ours"]["median"] / tools["checkov"]["median"]
        cpu = _ratio(tools["ours"].get("cpu"), tools["checkov"].get("cpu"))
        rows.append((label, f"{value:.2f}× wall (CPU {cpu})", "met" if value <= limit else "NOT met"))

    ratio_goal("reference", 1.0, "reference template: full check ≤ 1.0× checkov alone")
    ratio_goal("corpus", 0.5, "shared corpus: full check ≤ 0.5× checkov alone")
    pre = results.get("precommit")
    if pre:
        median = pre["wall"]["median"]
        rows.append((f"pre-commit, one changed template < {PRECOMMIT_GOAL} s", f"{median:.2f} s",
                     "met" if median < PRECOMMIT_GOAL else "NOT met"))
    else:
        rows.append((f"pre-commit, one changed template < {PRECOMMIT_GOAL} s", "not measured", "—"))
    worse = [f"{n} {c['tools']['ours']['rss_mib']:.0f} vs {c['tools']['checkov']['rss_mib']:.0f} MiB"
             for n, c in cases.items() if (c["tools"]["ours"]["rss_mib"] or 0) > (c["tools"]["checkov"]["rss_mib"] or 0)]
    rows.append(("peak memory ≤ checkov's (every case)", "; ".join(worse) or "every case at or below checkov",
                 "NOT met" if worse else ("met" if cases else "—")))
    rows.append(_marginal_goal(cases))
    return rows


def marginal(cases: dict[str, Any], tool: str) -> tuple[float, float] | None:
    """Seconds per additional template from 1 to 10 copies and from 10 to 100 copies."""
    if not all(f"copies-{n}" in cases for n in (1, 10, 100)):
        return None
    m = {n: cases[f"copies-{n}"]["tools"][tool]["median"] for n in (1, 10, 100)}
    return (m[10] - m[1]) / 9, (m[100] - m[10]) / 90


def _marginal_goal(cases: dict[str, Any]) -> tuple[str, str, str]:
    label = "cost per additional template roughly constant (1→10 vs 10→100 copies)"
    costs = marginal(cases, "ours")
    if costs is None:
        return label, "not measured", "—"
    low, high = costs
    steady = low > 0 and 0.67 <= high / low <= 1.5
    return label, f"{low:.2f} s then {high:.2f} s per template", "met" if steady else "NOT met"


def _cpu(stats: dict[str, Any]) -> str:
    return f"{stats['cpu']:.2f} s" if stats.get("cpu") is not None else "n/a"


def _ordered(cases: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(cases.items(), key=lambda kv: CASE_ORDER.index(kv[0]) if kv[0] in CASE_ORDER else len(CASE_ORDER))


def _case_table(cases: dict[str, Any]) -> list[str]:
    lines = [("| case | tool | median wall | min–max | IQR | CPU (user+sys) | peak RSS | exit | wall vs checkov "
             "| CPU vs checkov | RSS vs checkov |"),
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, case in _ordered(cases):
        tools = case["tools"]
        for tool in TOOL_ORDER:
            s, ck = tools[tool], tools["checkov"]
            lines.append(f"| {name} ({case['runs']} runs) | {TOOL_NAMES[tool]} | **{s['median']:.2f} s** | "
                         f"{_spread(s)} | {s['q1']:.2f}–{s['q3']:.2f} | {_cpu(s)} | {s['rss_mib']} MiB | "
                         f"{', '.join(map(str, s['codes']))} | {_ratio(s['median'], ck['median'])} | "
                         f"{_ratio(s.get('cpu'), ck.get('cpu'))} | {_ratio(s['rss_mib'], ck['rss_mib'])} |")
    return lines


def _precommit_lines(pre: dict[str, Any]) -> list[str]:
    b = pre["breakdown"]
    lines = [(f"`{pre['command']}` with `PRE_COMMIT=1` (what the hook runs for one changed template): "
             f"median **{pre['wall']['median']:.2f} s** (min–max {_spread(pre['wall'])}, {pre['wall']['runs']} runs), "
             f"peak RSS {pre['wall']['rss_mib']} MiB."),
             (f"Start-up alone: `cfn-iso27001 --version` {pre['ours_version']['median']:.2f} s, "
             f"`checkov --version` {pre['checkov_version']['median']:.2f} s."), "",
             (f"Where the time goes (median of {b['runs']} profiled run(s) of the same command under "
             f"`python -X importtime bench/phases.py`, which adds some overhead: {b['wall']:.2f} s wall). "
             "Phases are wall time of pipeline functions; the two engines run side by side, so their rows overlap."),
             "", "| phase | seconds |", "|---|---|",
             f"| interpreter start and imports before the pipeline runs | {b['wall'] - b['main']:.2f} |"]
    order = [label for label, _, _ in PHASES]
    phases = sorted(b["phases"].items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
    lines += [f"| {label} | {seconds:.2f} |" for label, seconds in phases]
    lines += ["", "Imports (cumulative `-X importtime`, outermost importer; checkov's counts inside its run above):", "",
              "| package | seconds |", "|---|---|"]
    lines += [f"| {package} | {seconds:.2f} |" for package, seconds in sorted(b["imports"].items(), key=lambda kv: -kv[1])
              if seconds >= 0.005]
    if b["missing"]:
        lines += ["", "Phases not found in the pipeline (renamed or removed): " + ", ".join(b["missing"])]
    return lines


def _before_after(results: dict[str, Any], before: dict[str, Any]) -> list[str]:
    lines = ["| case | before: ours | before: checkov | before: ratio | after: ours | after: checkov | after: ratio |",
             "|---|---|---|---|---|---|---|"]
    for name, case in _ordered(results["cases"]):
        old = before["cases"].get(name)
        if not old:
            continue
        o, n = old["tools"], case["tools"]
        lines.append(f"| {name} | {o['ours']['median']:.2f} s | {o['checkov']['median']:.2f} s | "
                     f"{_ratio(o['ours']['median'], o['checkov']['median'])} | {n['ours']['median']:.2f} s | "
                     f"{n['checkov']['median']:.2f} s | {_ratio(n['ours']['median'], n['checkov']['median'])} |")
    if "precommit" in results and "precommit" in before:
        lines.append(f"| pre-commit (one template) | {before['precommit']['wall']['median']:.2f} s | | | "
                     f"{results['precommit']['wall']['median']:.2f} s | | |")
    return lines


def render_docs(results: dict[str, Any], before: dict[str, Any] | None) -> str:
    m = results["machine"]
    v = m["versions"]
    out = ["# Benchmarks", "",
           ("_Generated by `make bench` (`.venv/bin/python bench/run.py --write-docs`); do not edit by hand. "
           "The analysis section comes from `bench/analysis.md`._"), "",
           "## How", "",
           "One command measures, side by side in the same run on the same machine:",
           ("- **ours**: `cfn-iso27001 check <inputs> --format json --format sarif --format junit --format markdown "
           "--format html --output-dir <tmp>` (both engines, every scenario, five reports);"),
           ("- **checkov alone**: `BC_SKIP_MAPPING=TRUE CKV_SKIP_PACKAGE_UPDATE_CHECK=true checkov -f|-d <inputs> "
           "--framework cloudformation --skip-download -o json` (its built-in checks: what users run today);"),
           ("- **cfn-guard alone**: `cfn-guard validate -r rules/<each>/rule.guard ... -i rules/policy-parameters.yaml "
           "-o json -z -S none -d <inputs>` (our rules, on the templates as written: no scenarios)."),
           "",
           ("Cases: the reference template; every template of the shared corpus (`<repo>/../shared/corpus`; "
           "cfn-guard alone gets only the files it can parse, since one unparsable file aborts its whole run); "
           "1, 10 and 100 copies of the reference template, each copy with its own Description so no two are the "
           "same document. Within a case the tools take turns run by run, so load on the machine falls on all "
           "three; one untimed warm-up run of each tool comes first. Wall time is measured around each fresh "
           f"process; peak RSS is `ru_maxrss` ({results['rss_method']}): the largest single process of the tree "
           "(cfn-guard, a forked worker or the Python process), not a sum."), "",
           f"Command: {_command(results['command'])}", "",
           "## Machine", "",
           "| | |", "|---|---|",
           f"| CPU | {m['cpu']} |", f"| cores (nproc) | {m['nproc']} |", f"| memory | {m['memory_gib']} GiB |",
           f"| Python | {m['python']} |",
           (f"| tools | cfn-iso27001 {v.get('cfn-iso27001')}, checkov {v.get('checkov')}, cfn-guard "
           f"{v.get('cfn-guard')}, cfn-lint {v.get('cfn-lint')}; {m['rules']} rules |"),
           f"| load average (1/5/15 min) | before {_load(m['load_before'])}, after {_load(m.get('load_after'))} |",
           f"| bench duration | {_minutes(results.get('elapsed'))} |", "",
           ("A load average above the core count means other work shared the machine: absolute times are then "
           "inflated, ratios within one case less so."), "",
           "## Results", ""]
    out += _case_table(results["cases"])
    out += _marginal_lines(results["cases"])
    if "precommit" in results:
        out += ["", "## Pre-commit path", ""] + _precommit_lines(results["precommit"])
    out += ["", "## Goals", "", "| goal | measured | |", "|---|---|---|"]
    out += [f"| {g} | {value} | {verdict} |" for g, value, verdict in goals(results)]
    if before:
        out += ["", "## Before and after the optimisation", "",
                (f"Before: `bench/results/before.json` (load average then {_load(before['machine']['load_before'])}); "
                "after: this run."), ""] + _before_after(results, before)
    analysis = Path(__file__).resolve().parent / "analysis.md"
    if analysis.is_file():
        out += ["", analysis.read_text(encoding="utf-8").rstrip()]
    return "\n".join(out) + "\n"


def _minutes(seconds: float | None) -> str:
    return f"{seconds / 60:.0f} min" if seconds else "n/a"


def _command(command: str) -> str:
    return command if "`" in command else f"`{command}`"


def _load(values: Any) -> str:
    return " / ".join(f"{x:.1f}" for x in values) if values else "n/a"


def _marginal_lines(cases: dict[str, Any]) -> list[str]:
    rows = []
    for tool in ("ours", "checkov", "guard"):
        costs = marginal(cases, tool)
        if costs:
            rows.append(f"| {TOOL_NAMES[tool]} | {costs[0]:.2f} s | {costs[1]:.2f} s |")
    if not rows:
        return []
    return ["", "Cost per additional template (difference of medians):", "",
            "| tool | 1→10 copies | 10→100 copies |", "|---|---|---|", *rows]
