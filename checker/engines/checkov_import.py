"""Import Checkov's CloudFormation runner without the parts the checker never uses (measured in docs/benchmarks.md).

- Built-in checks. Importing `checkov.cloudformation.runner` registers every built-in CloudFormation check and,
  through the graph solvers' import of `checkov.terraform`, every built-in Terraform check: about 1,200 modules
  of a 2,700-module import, a third of its CPU time. The checker runs only its own policies (an external checks
  folder, filtered by rule id), so the packages that hold built-in checks are registered as empty packages
  first: their `__init__` (a list of `import *`) does not run, while their submodules stay importable.
- SAM Globals. For every parsed file Checkov deep-copies the whole template (by pickling) to merge SAM
  `Globals` into serverless resources, even when there is nothing to merge. Where a document has no `Globals`
  and no `AWS::Serverless::*` resource, the merge would return an identical copy, so the original is returned.

- Worker processes: Checkov runs in one process (CHECKOV_PARALLELIZATION_TYPE=none unless the user set it).

All three take effect only when this module installs them before Checkov's CloudFormation package is first imported
in the process; otherwise Checkov is used exactly as imported.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from collections.abc import Callable
from typing import Any

PARALLELIZATION_ENV = "CHECKOV_PARALLELIZATION_TYPE"  # read once, when checkov's parallel runner is imported
BUILTIN_CHECK_PACKAGES = (
    "checkov.cloudformation.checks.resource.aws",
    "checkov.terraform.checks.resource",
    "checkov.terraform.checks.data",
)


def _empty_packages() -> None:
    if "checkov.cloudformation" in sys.modules or "checkov.terraform" in sys.modules:
        return  # already imported in full: leave the process as it is
    spec = importlib.util.find_spec("checkov")
    if spec is None or not spec.submodule_search_locations:
        return
    base = next(iter(spec.submodule_search_locations))
    for name in BUILTIN_CHECK_PACKAGES:
        package = importlib.machinery.ModuleSpec(name, None, is_package=True)
        package.submodule_search_locations = [os.path.join(base, *name.split(".")[1:])]
        sys.modules[name] = importlib.util.module_from_spec(package)


def _needs_globals_merge(template: Any) -> bool:
    if not isinstance(template, dict) or "Globals" in template:
        return True
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return True
    return any(isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::Serverless::")
               for r in resources.values())


def _skip_empty_globals_merge(cfn_utils: Any) -> None:
    original: Callable[[dict[str, Any]], dict[str, Any]] = cfn_utils.enrich_resources_with_globals
    if getattr(original, "_cfn_iso27001", False):
        return

    def enrich(template: dict[str, Any]) -> dict[str, Any]:
        return original(template) if _needs_globals_merge(template) else template

    enrich._cfn_iso27001 = True  # type: ignore[attr-defined]
    cfn_utils.enrich_resources_with_globals = enrich


def import_runner() -> tuple[Any, Any]:
    """(Runner, RunnerFilter) for CloudFormation; raises what the import raises."""
    # Checkov forks worker processes to parse files and build its graph, then pickles the results back; with
    # cfn-guard busy on the other cores that costs more than it saves. The user's own setting wins.
    os.environ.setdefault(PARALLELIZATION_ENV, "none")
    _empty_packages()
    from checkov.cloudformation import cfn_utils
    from checkov.cloudformation.runner import Runner
    from checkov.runner_filter import RunnerFilter

    _skip_empty_globals_merge(cfn_utils)
    return Runner, RunnerFilter
