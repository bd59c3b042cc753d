"""The terminal summary: a table of controls with their status and failing rules, counts and the verdict line.

Rendered with rich; plain (no colour, no animation) when the stream is not a terminal or NO_COLOR is set.
"""
from __future__ import annotations

import os
from collections import Counter
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from checker.controls import control_results
from checker.model import ControlStatus, RunResult, Status

STYLE = {"PASS": "green", "FAIL": "bold red", "WAIVED": "yellow", "ERROR": "bold magenta", "SKIP": "dim",
         "NOT_ASSESSED": "dim"}
PROGRESS_THRESHOLD = 5
MAX_LINES = 25  # findings and notes listed on the terminal; the reports hold them all


def console(stream: IO[str]) -> Console:
    return Console(file=stream, no_color="NO_COLOR" in os.environ or None, highlight=False, soft_wrap=False,
                   width=None if stream.isatty() else 120)


def _control_table(result: RunResult) -> Table:
    table = Table(title="ISO/IEC 27001:2022 Annex A controls assessed", title_justify="left")
    for name in ("Control", "Title", "Status", "Failing rules"):
        table.add_column(name, overflow="fold")
    failing = {Status.FAIL, Status.ERROR}
    for item in control_results(result):
        if item.status is ControlStatus.NOT_ASSESSED and not item.rules:
            continue  # controls no selected rule maps to: listed in the reports, not here
        bad = sorted({f.rule_id for f in result.findings if f.status in failing and f.rule_id in item.rules})
        status = item.status.value
        table.add_row(item.control.id, escape(item.control.title), f"[{STYLE[status]}]{status}[/]", ", ".join(bad))
    return table


def verdict_line(result: RunResult) -> str:
    counts = Counter(f.status for f in result.findings)
    gating = sum(1 for f in result.findings if f.status is Status.FAIL and f.severity.rank >= result.fail_on.rank)
    if result.exit_code == 3:
        verdict = f"ERROR: {counts[Status.ERROR]} finding(s) could not be evaluated"
    elif result.exit_code == 2:
        verdict = "INPUT ERROR: some named files could not be checked"
    elif result.exit_code == 1:
        verdict = f"FAIL: {gating} failing finding(s) at or above '{result.fail_on.value}'"
    else:
        verdict = f"PASS: no failing finding at or above '{result.fail_on.value}'"
    return f"{verdict} (exit {result.exit_code})"


def print_summary(result: RunResult, stream: IO[str]) -> None:
    out = console(stream)
    out.print(_control_table(result))
    counts = Counter(f.status.value for f in result.findings)
    out.print(f"{len(result.inputs)} template(s), {len(result.rules)} rule(s), "
              + ", ".join(f"{counts.get(s.value, 0)} {s.value}" for s in Status))
    shown = [f for f in result.findings if f.status in (Status.FAIL, Status.ERROR)]
    for finding in shown[:MAX_LINES]:
        where = f"{finding.template}:{finding.line}" if finding.line else finding.template
        out.print(f"[{STYLE[finding.status.value]}]{finding.status.value}[/] {finding.rule_id} "
                  f"({finding.severity.value}) {escape(where)} {escape('[' + finding.scenario + ']')} "
                  f"{escape(finding.message)}")
    if len(shown) > MAX_LINES:
        out.print(f"... and {len(shown) - MAX_LINES} more failing or erroring finding(s): see the report")
    for note in result.notes[:MAX_LINES]:
        out.print(f"note: {note}", markup=False)
    if len(result.notes) > MAX_LINES:
        out.print(f"... and {len(result.notes) - MAX_LINES} more note(s): see the report")
    out.print(f"[{STYLE['FAIL' if result.exit_code else 'PASS']}]{verdict_line(result)}[/]")


class TemplateProgress:
    """A progress bar over the templates being loaded, on a terminal and for more than a handful of them."""

    def __init__(self, stream: IO[str], quiet: bool) -> None:
        self._console = console(stream)
        self._enabled = not quiet and self._console.is_terminal
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, path: str, total: int) -> None:
        if not self._enabled or total <= PROGRESS_THRESHOLD:
            return
        if self._bar is None:
            self._bar = Progress(TextColumn("loading templates"), BarColumn(), MofNCompleteColumn(),
                                 console=self._console, transient=True)
            self._bar.start()
            self._task = self._bar.add_task("templates", total=total)
        if self._task is not None:
            self._bar.advance(self._task)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
