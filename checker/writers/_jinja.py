"""The one Jinja2 environment the HTML and Markdown writers use: autoescape always on, undefined is an error."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from checker.writers._common import json_text

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def md_cell(value: Any, limit: int = 160) -> str:
    """Plain text safe in a Markdown table cell: one line, Markdown metacharacters escaped, cut at `limit`.

    HTML metacharacters are left to autoescape (they become entities, which GitHub shows as text).
    """
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", text)


def anchor(value: Any) -> str:
    """The docs/rules.md anchor of a rule id: lower case, and nothing that could leave the fragment."""
    return re.sub(r"[^a-z0-9_-]", "", str(value).lower())


def waiver_md(waiver: Any) -> str:
    """`reason (approved_by, until date)` for a Markdown list item, escaped like `md_cell`."""
    if waiver is None:
        return "waived"
    return f"{md_cell(waiver.reason, 100)} ({md_cell(waiver.approved_by, 60)}, until {waiver.expires.isoformat()})"


def observed(value: Any, limit: int = 200) -> str:
    text = json_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("checker.writers", "templates"),
        autoescape=True,  # every format rendered here is HTML or Markdown shown as HTML: escape everything
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_cell
    env.filters["observed"] = observed
    env.filters["anchor"] = anchor
    env.filters["waiver_md"] = waiver_md
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)
