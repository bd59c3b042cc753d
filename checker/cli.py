"""`cfn-iso27001`: a thin command line over the library. `main(argv) -> int`; one plain function per subcommand.

Errors: library code raises `CheckerError` subclasses; only `main` prints them, as one line
("cfn-iso27001: <file>: <reason>") on stderr, and returns their exit code. An unexpected exception prints one
line and a hint to re-run with `--debug`, which shows the traceback.
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

from checker import __version__
from checker.catalogue import PACKS, RULES_DIR, load_rules
from checker.errors import CheckerError, UsageError
from checker.model import SEVERITY_BY_NAME, RunResult, Status
from checker.writers import WRITERS

if TYPE_CHECKING:
    from checker.evaluate import Options

PROG = "cfn-iso27001"
GC_THRESHOLDS = (100_000, 50, 1000)  # see run()
ENGINE_CHOICES = ("both", "guard", "checkov")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit 2 through `main`, not a usage dump and SystemExit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _pin(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got '{text}'")
    return key.strip(), value


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got '{text}'")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got '{text}'")
    return value


def _check_parser(sub: argparse._SubParsersAction[_Parser]) -> None:
    check = sub.add_parser("check", help="check CloudFormation templates against the ISO 27001 rules",
                           description="Check templates (files or folders; default: template/) with both engines, "
                                       "over every deployment scenario, and write audit evidence.")
    check.add_argument("paths", nargs="*", metavar="PATH", help="template files or folders (default: template/)")
    check.add_argument("--format", action="append", choices=sorted(WRITERS), dest="formats",
                       help="report format (repeatable); one format without --output-dir goes to stdout")
    check.add_argument("--output-dir", help="write cfn-iso27001.<ext> per format and a manifest here")
    check.add_argument("--parameter", action="append", type=_pin, default=[], metavar="KEY=VALUE",
                       help="pin a template parameter to one value (repeatable)")
    check.add_argument("--region", default="eu-west-2", help="AWS::Region for the scenarios (default eu-west-2)")
    check.add_argument("--max-scenarios", type=_positive, default=64, help="scenario bound per template (64)")
    check.add_argument("--fail-on", choices=list(SEVERITY_BY_NAME), default="low",
                       help="lowest severity whose FAIL makes the exit code 1 (default low)")
    check.add_argument("--waivers", help="waivers file (default .cfn-iso27001-waivers.yaml if present)")
    check.add_argument("--engine", choices=ENGINE_CHOICES, default="both", help="run one engine only (default both)")
    check.add_argument("--pack", action="append", choices=PACKS, help="rule pack (repeatable; default all)")
    check.add_argument("--rule", action="append", default=[], metavar="ID", help="only this rule id (repeatable)")
    check.add_argument("--rules-dir", type=Path, default=RULES_DIR, help="another rule catalogue folder")
    check.add_argument("--policy-parameters", help="policy parameters file (default rules/policy-parameters.yaml)")
    check.add_argument("--timestamp", help="report time: ISO 8601 or Unix epoch (default SOURCE_DATE_EPOCH or now)")
    check.add_argument("--engine-timeout", type=_seconds, help="seconds before cfn-guard is stopped (default 120; "
                                                               "env CFN_ISO27001_GUARD_TIMEOUT)")
    check.add_argument("--jobs", type=_positive, default=min(2, os.cpu_count() or 1),
                       help="processes for loading and expanding templates (default min(2, CPUs))")
    check.add_argument("--skip-non-templates", action="store_true", default=os.environ.get("PRE_COMMIT") == "1",
                       help="skip named files that are not templates instead of failing (default under pre-commit)")
    check.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    check.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    check.set_defaults(func=cmd_check)


def build_parser() -> _Parser:
    parser = _Parser(prog=PROG, description="ISO/IEC 27001:2022 Annex A compliance checks for AWS CloudFormation.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _check_parser(sub)
    verify = sub.add_parser("verify", help="verify a report folder against its manifest",
                            description="Recompute the hashes in DIR's manifest; exit 1 naming each changed file.")
    verify.add_argument("directory", metavar="DIR", help="a folder written by `check --output-dir`")
    verify.set_defaults(func=cmd_verify)
    rules = sub.add_parser("rules", help="list the rules (id, severity, pack, controls)",
                           description="List every rule of the catalogue with its severity, pack and controls.")
    rules.add_argument("--rules-dir", type=Path, default=RULES_DIR, help="another rule catalogue folder")
    rules.set_defaults(func=cmd_rules)
    return parser


def default_paths(cwd: Path) -> list[str]:
    local = cwd / "template"
    return [str(local if local.is_dir() else RULES_DIR.parent / "template")]


def _options(args: argparse.Namespace) -> Options:
    from checker.evaluate import Options

    return Options(
        paths=tuple(args.paths or default_paths(Path.cwd())), pins=tuple(args.parameter), region=args.region,
        max_scenarios=args.max_scenarios, fail_on=SEVERITY_BY_NAME[args.fail_on], waivers=args.waivers,
        engine=args.engine, packs=tuple(args.pack or PACKS), rule_ids=tuple(args.rule), rules_dir=args.rules_dir,
        policy_parameters=args.policy_parameters, timestamp=args.timestamp, jobs=args.jobs,
        guard_timeout=args.engine_timeout, cwd=os.getcwd(), debug=args.debug,
        skip_non_templates=args.skip_non_templates,
    )


def _write_reports(result: RunResult, formats: list[str], output_dir: Path) -> None:
    from checker.manifest import write_manifest
    from checker.writers.files import write_reports

    names = write_reports(result, formats, output_dir)
    inputs = [(i.path, i.sha256) for i in result.inputs]
    if result.waivers_file and result.waivers_sha256:
        inputs.append((result.waivers_file, result.waivers_sha256))
    write_manifest(output_dir, inputs, names)


def cmd_check(args: argparse.Namespace) -> int:
    from checker.evaluate import evaluate
    from checker.summary import TemplateProgress, print_summary

    formats = list(dict.fromkeys(args.formats or ([] if not args.output_dir else list(WRITERS))))
    if len(formats) > 1 and not args.output_dir:
        raise UsageError("several --format values need --output-dir (stdout takes one report)")
    to_stdout = len(formats) == 1 and not args.output_dir
    summary_stream: IO[str] = sys.stderr if to_stdout else sys.stdout
    options = _options(args)
    bar = TemplateProgress(sys.stderr, args.quiet)
    try:
        result = evaluate(options, progress=bar)
    finally:
        bar.close()
    for message in result.extra.get("input_errors", []):
        print(f"{PROG}: {message}", file=sys.stderr)
    if args.output_dir:
        _write_reports(result, formats, Path(args.output_dir))
    elif to_stdout:
        sys.stdout.write(WRITERS[formats[0]].render(result))
        sys.stdout.flush()
    if not args.quiet:
        print_summary(result, summary_stream)
    elif result.exit_code == 3:
        for finding in result.findings:
            if finding.status is Status.ERROR:
                print(f"{PROG}: {finding.template}: {finding.rule_id}: {finding.message}", file=sys.stderr)
    return result.exit_code


def cmd_verify(args: argparse.Namespace) -> int:
    from checker.manifest import verify

    folder = Path(args.directory)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a directory")
    problems = verify(folder)
    for problem in problems:
        print(f"{PROG}: {problem}", file=sys.stderr)
    if not problems:
        print(f"{folder}: every file matches the manifest")
    return 1 if problems else 0


def cmd_rules(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules_dir)
    width = max((len(r.id) for r in rules), default=2)
    print(f"{'ID':<{width}}  {'SEVERITY':<8}  {'PACK':<8}  CONTROLS")
    for rule in rules:
        print(f"{rule.id:<{width}}  {rule.severity.value:<8}  {rule.pack:<8}  {', '.join(rule.controls)}")
    return 0


def _report_error(exc: CheckerError, debug: bool) -> int:
    """One line per line of the message on stderr ("cfn-iso27001: <file>: <reason>"); the error's exit code."""
    if debug:
        traceback.print_exc()
    for line in exc.message.splitlines() or [""]:
        print(f"{PROG}: {line}", file=sys.stderr)
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        args = build_parser().parse_args(argv)
        args.debug = debug
        if not getattr(args, "func", None):
            build_parser().print_help(sys.stderr)
            return 2
        code: int = args.func(args)
        return code
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except CheckerError as exc:
        return _report_error(exc, debug)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one top-level handler for unexpected errors
        if debug:
            traceback.print_exc()
        print(f"{PROG}: internal error: {type(exc).__name__}: {exc} (re-run with --debug for the traceback)",
              file=sys.stderr)
        return 3


def run() -> NoReturn:
    """The console entry point (`cfn-iso27001`, `python -m checker`): `main()`, then leave without the
    interpreter's teardown. By then every report is written and closed and every engine process and thread
    has ended; what remains is freeing every imported module (~0.15 s, a tenth of a pre-commit hook run).
    Output is flushed first: the exit code stays the one `main()` decided.

    The cyclic garbage collector runs rarely (GC_THRESHOLDS): a run builds a few million objects that live until
    it ends (templates, engine results, findings) and almost no reference cycles, and with the default
    thresholds the collector walked them again and again, ~0.7 s of a 6 s corpus run (~12 %). Cycles are still
    collected, after 100,000 allocations instead of 700."""
    gc.set_threshold(*GC_THRESHOLDS)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed stream or a reader that went away: nothing more to say
            pass
    os._exit(code)
