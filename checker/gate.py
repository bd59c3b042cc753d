"""The verdict: which exit code a set of findings earns, and the run's timestamp.

Exit codes (no bitmasks): 0 nothing FAILs at or above the threshold; 1 a FAIL at or above `--fail-on`;
2 usage, input, waiver or rule-definition error; 3 an engine or internal error (any ERROR finding), which wins.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from checker.errors import UsageError
from checker.model import Finding, Severity, Status

EXIT_OK, EXIT_FAIL, EXIT_INPUT, EXIT_ERROR = 0, 1, 2, 3


def exit_code(findings: Iterable[Finding], fail_on: Severity, input_errors: int = 0) -> int:
    """3 if any ERROR; else 2 if an explicitly named input could not be read; else 1 on a gating FAIL; else 0."""
    findings = list(findings)
    if any(f.status is Status.ERROR for f in findings):
        return EXIT_ERROR
    if input_errors:
        return EXIT_INPUT
    if any(f.status is Status.FAIL and f.severity.rank >= fail_on.rank for f in findings):
        return EXIT_FAIL
    return EXIT_OK


def parse_timestamp(value: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """ISO 8601 UTC with seconds and "Z": from `value` (ISO 8601 or epoch), else SOURCE_DATE_EPOCH, else now."""
    if value is None:
        epoch = environ.get("SOURCE_DATE_EPOCH")
        if epoch:
            return _format(_from_epoch(epoch, "SOURCE_DATE_EPOCH"))
        return _format(datetime.now(UTC))
    text = value.strip()
    if text.lstrip("-").isdigit():
        return _format(_from_epoch(text, "--timestamp"))
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"--timestamp: '{value}' is neither ISO 8601 nor a Unix epoch") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _format(moment)


def _from_epoch(text: str, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(text), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise UsageError(f"{where}: '{text}' is not a Unix epoch in seconds") from exc


def _format(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
