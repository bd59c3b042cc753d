"""Report writers: pure functions of a `RunResult`, listed in one explicit dict (no registration on import).

The CLI renders `WRITERS[fmt].render(result)` and writes it to `<output-dir>/cfn-iso27001.<extension>`.
"""
from __future__ import annotations

from typing import Protocol

from checker.model import RunResult
from checker.writers.html import HtmlWriter
from checker.writers.json_ import JsonWriter
from checker.writers.junit import JunitWriter
from checker.writers.markdown import MarkdownWriter
from checker.writers.sarif import SarifWriter

REPORT_STEM = "cfn-iso27001"


class Writer(Protocol):
    """One report format: its CLI name, the file extension (without the dot) and media type, and `render`."""

    name: str
    extension: str
    media_type: str

    def render(self, result: RunResult) -> str: ...


WRITERS: dict[str, Writer] = {
    "json": JsonWriter(),
    "sarif": SarifWriter(),
    "junit": JunitWriter(),
    "markdown": MarkdownWriter(),
    "html": HtmlWriter(),
}


def report_name(writer: Writer) -> str:
    """The report's file name inside the output folder, e.g. `cfn-iso27001.junit.xml`."""
    return f"{REPORT_STEM}.{writer.extension}"


__all__ = ["REPORT_STEM", "WRITERS", "Writer", "report_name"]
