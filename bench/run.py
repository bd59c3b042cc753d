"""Benchmark: our full check against checkov alone and cfn-guard (our rules) alone, same machine, same run.

    make bench                          # = .venv/bin/python bench/run.py --write-docs
    .venv/bin/python bench/run.py --cases reference,copies-10 --runs 3
    .venv/bin/python bench/run.py --smoke   # one run, reference template only (tests/test_bench.py)

Cases: the reference template; every template of the shared corpus (<repo>/../shared/corpus); 1, 10 and 100
distinct copies of the reference template; the pre-commit path (`cfn-iso27001 check <one file>`, as the hook
runs it) with a breakdown of where its time goes (bench/phases.py under `python -X importtime`).
Within a case the tools take turns (ours, checkov, guard, ours, ...) so load on the machine falls on all of them.
Results go to bench/out/latest.json; `--write-docs` also writes docs/benchmarks.md and bench/results/latest.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import (
    OFFLINE_ENV,
    Case,
    Tools,
    checkov_argv,
    corpus_files,
    find_tools,
    guard_argv,
    guard_parses,
    make_copies,
    ours_argv,
)
from measure import Sample, measure, rss_method, summarise
from report import machine, print_case, print_precommit, render_docs

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "template" / "iot-platform.yaml"
CORPUS = ROOT.parent / "shared" / "corpus"
ALL_CASES = ("reference", "corpus", "copies-1", "copies-10", "copies-100", "precommit")
TOOLS = ("ours", "checkov", "guard")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(ALL_CASES), help=f"comma-separated subset of {ALL_CASES}")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool for small cases (default 5)")
    parser.add_argument("--runs-large", type=int, default=3,
                        help="timed runs per tool for the corpus (default 3)")
    parser.add_argument("--runs-huge", type=int, default=2,
                        help="timed runs per tool for 100 copies (default 2: one run takes minutes)")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="corpus folder (default <repo>/../shared/corpus)")
    parser.add_argument("--probe-runs", type=int, default=3, help="profiled pre-commit runs (default 3)")
    parser.add_argument("--smoke", action="store_true", help="one run, reference template only (seconds)")
    parser.add_argument("--write-docs", action="store_true", help="write docs/benchmarks.md from this run")
    parser.add_argument("--save", metavar="NAME", help="also keep the results as bench/results/NAME.json")
    parser.add_argument("--render", type=Path, metavar="RESULTS",
                        help="write docs/benchmarks.md from a saved results file instead of measuring")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="results folder (bench/out)")
    return parser.parse_args(argv)


def build_cases(names: list[str], args: argparse.Namespace, tools: Tools, scratch: Path) -> list[Case]:
    cases = []
    small, large = args.runs, args.runs_large
    ref = str(REFERENCE.relative_to(ROOT))
    for name in names:
        if name == "reference":
            cases.append(Case(name, "reference template (template/iot-platform.yaml)", 1, (ref,),
                              ("-f", ref), (ref,), small))
        elif name == "corpus":
            if not args.corpus.is_dir():
                print(f"bench: no corpus folder {args.corpus.name}; skipping the corpus case", file=sys.stderr)
                continue
            files = corpus_files(args.corpus)
            parsed = guard_parses(tools, files)
            cases.append(Case(name, f"shared corpus ({len(files)} templates; cfn-guard alone gets the "
                                    f"{len(parsed)} it can parse)", len(files), (str(args.corpus),),
                              ("-d", str(args.corpus)), tuple(str(p) for p in parsed), large))
        elif name.startswith("copies-"):
            count = int(name.split("-")[1])
            folder = str(make_copies(REFERENCE, count, scratch / name))
            cases.append(Case(name, f"{count} distinct copies of the reference template", count, (folder,),
                              ("-d", folder), (folder,), args.runs_huge if count >= 100 else small))
    return cases


def run_case(case: Case, tools: Tools, env: dict[str, str], scratch: Path) -> dict[str, Any]:
    samples: dict[str, list[Sample]] = {t: [] for t in TOOLS}
    for number in range(case.runs):
        for tool in TOOLS:
            if tool == "ours":
                out = scratch / f"reports-{case.name}-{number}"
                argv = ours_argv(tools, case, str(out))
            else:
                argv = checkov_argv(tools, case) if tool == "checkov" else guard_argv(tools, case)
            samples[tool].append(measure(argv, env, str(tools.root)))
            if tool == "ours":
                shutil.rmtree(scratch / f"reports-{case.name}-{number}", ignore_errors=True)
    stats = {t: summarise(s).as_dict() for t, s in samples.items()}
    return {"title": case.title, "templates": case.templates, "runs": case.runs, "tools": stats}


def run_precommit(tools: Tools, env: dict[str, str], runs: int, probe_runs: int, out: Path) -> dict[str, Any]:
    ref = str(REFERENCE.relative_to(ROOT))
    hook_env = {**env, "PRE_COMMIT": "1"}
    samples = [measure([tools.ours, "check", ref], hook_env, str(ROOT)) for _ in range(runs)]
    startup = [measure([tools.ours, "--version"], env, str(ROOT)) for _ in range(runs)]
    checkov_startup = [measure([tools.checkov, "--version"], env, str(ROOT)) for _ in range(runs)]
    probes = [probe(hook_env, ref, out / f"phases-{n}.json") for n in range(probe_runs)]
    return {"command": f"cfn-iso27001 check {ref}", "wall": summarise(samples).as_dict(),
            "ours_version": summarise(startup).as_dict(), "checkov_version": summarise(checkov_startup).as_dict(),
            "breakdown": median_breakdown(probes)}


def probe(env: dict[str, str], template: str, out: Path) -> dict[str, Any]:
    """One profiled run of the hook's command: phase timers plus `-X importtime` per top-level package."""
    argv = [sys.executable, "-X", "importtime", str(ROOT / "bench" / "phases.py"), str(out), "check", template]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0 or not out.is_file():
        raise SystemExit(f"bench: the profiled run failed (exit {done.returncode}): {done.stderr[-400:]}")
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["wall"] = wall
    data["imports"] = import_times(done.stderr)
    return data


def import_times(stderr: str) -> dict[str, float]:
    """Cumulative seconds per top-level package, from the outermost `-X importtime` entries."""
    totals: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if name.startswith("  ") or not cumulative.strip().isdigit():
            continue  # nested: already counted in its outermost importer
        package = name.strip().split(".")[0]
        totals[package] = totals.get(package, 0.0) + int(cumulative) / 1e6
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def median_breakdown(probes: list[dict[str, Any]]) -> dict[str, Any]:
    def med(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[len(ordered) // 2]

    labels = [p["label"] for p in probes[0]["phases"]]
    phases = {label: med([next((x["seconds"] for x in p["phases"] if x["label"] == label), 0.0) for p in probes])
              for label in labels}
    packages = list(probes[0]["imports"])[:8]
    imports = {pkg: med([p["imports"].get(pkg, 0.0) for p in probes]) for pkg in packages}
    return {"runs": len(probes), "wall": med([p["wall"] for p in probes]), "main": med([p["main"] for p in probes]),
            "import_checker_cli": med([p["import_checker_cli"] for p in probes]), "phases": phases,
            "imports": imports, "missing": probes[0]["missing"], "exit_code": probes[0]["exit_code"]}


def check_codes(results: dict[str, Any]) -> list[str]:
    """Exit codes that mean a tool did not do its job (a FAIL verdict is fine; a crash is not)."""
    allowed = {"ours": {0, 1}, "checkov": {0, 1}, "guard": {0, 19}}
    problems = []
    for name, case in results["cases"].items():
        for tool, stats in case["tools"].items():
            bad = sorted(set(stats["codes"]) - allowed[tool])
            if bad:
                problems.append(f"{name}: {tool} exited {bad}")
    return problems


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.render:
        args.write_docs, args.out = True, args.render.parent
        write_results(json.loads(args.render.read_text(encoding="utf-8")), args, keep_latest=False)
        return 0
    names = ["reference"] if args.smoke else [c for c in args.cases.split(",") if c]
    unknown = sorted(set(names) - set(ALL_CASES))
    if unknown:
        raise SystemExit(f"bench: unknown case(s) {unknown}; choose from {ALL_CASES}")
    if args.smoke:
        args.runs = args.runs_large = args.runs_huge = args.probe_runs = 1
        names.append("precommit")
    tools = find_tools(ROOT, Path(sys.executable).parent)
    env = {**os.environ, **OFFLINE_ENV}
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results: dict[str, Any] = {"machine": machine(tools, ROOT), "rss_method": rss_method(), "cases": {},
                               "command": " ".join([".venv/bin/python bench/run.py", *map(_shown, argv)])}
    with tempfile.TemporaryDirectory(prefix="cfn-iso27001-bench-") as tmp:
        scratch = Path(tmp)
        # One untimed run of each tool first, so every timed run finds the same warm file cache (not in --smoke).
        for tool_argv in () if args.smoke else (ours_argv(tools, build_cases(["reference"], args, tools, scratch)[0], str(scratch / "w")),
                          [tools.checkov, "--version"], [tools.guard, "--version"]):
            measure(tool_argv, env, str(ROOT))
        for case in build_cases([n for n in names if n != "precommit"], args, tools, scratch):
            results["cases"][case.name] = run_case(case, tools, env, scratch)
            print_case(case.name, results["cases"][case.name])
            write_partial(results, args.out)
        if "precommit" in names:
            results["precommit"] = run_precommit(tools, env, args.runs, args.probe_runs, args.out)
            print_precommit(results["precommit"])
    results["machine"]["load_after"] = os.getloadavg()
    results["elapsed"] = time.time() - started
    write_results(results, args)
    problems = check_codes(results)
    for problem in problems:
        print(f"bench: {problem}", file=sys.stderr)
    return 1 if problems else 0


def write_partial(results: dict[str, Any], out: Path) -> None:
    """Results so far (bench/out/partial.json): a long run stopped half-way keeps the cases it finished."""
    (out / "partial.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _shown(arg: str) -> str:
    """A command-line argument as recorded: absolute paths shortened to their last part (no machine paths)."""
    return f"<{Path(arg).name}>" if os.path.isabs(arg) else arg


def write_results(results: dict[str, Any], args: argparse.Namespace, keep_latest: bool = True) -> None:
    text = json.dumps(results, indent=2, sort_keys=True) + "\n"
    if keep_latest:
        (args.out / "latest.json").write_text(text, encoding="utf-8")
    kept = ROOT / "bench" / "results"
    if args.save:
        kept.mkdir(exist_ok=True)
        (kept / f"{args.save}.json").write_text(text, encoding="utf-8")
    if args.write_docs:
        kept.mkdir(exist_ok=True)
        (kept / "latest.json").write_text(text, encoding="utf-8")
        before = kept / "before.json"
        baseline = json.loads(before.read_text(encoding="utf-8")) if before.is_file() else None
        (ROOT / "docs" / "benchmarks.md").write_text(render_docs(results, baseline), encoding="utf-8")
        print("bench: wrote docs/benchmarks.md and bench/results/latest.json")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
