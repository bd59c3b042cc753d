"""One error type with an exit code; only `cli.main` prints errors and turns them into exit codes."""
from __future__ import annotations


class CheckerError(Exception):
    """Base error. `exit_code` follows the CLI contract: 2 usage/input/rule-definition, 3 engine/internal."""

    exit_code = 3

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CheckerError):
    exit_code = 2


class TemplateError(CheckerError):
    """A template cannot be read or parsed: the message names the file and the reason."""

    exit_code = 2


class RuleDefinitionError(CheckerError):
    """A rule folder, the control catalogue or the policy parameters are malformed."""

    exit_code = 2


class WaiverError(CheckerError):
    """The waivers file is malformed, or a waiver is incomplete or expired."""

    exit_code = 2


class EngineError(CheckerError):
    """An engine is missing, crashed, timed out or returned output we cannot parse."""

    exit_code = 3
