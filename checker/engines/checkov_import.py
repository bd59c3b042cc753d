"""Import the part of Checkov the checker uses: its CloudFormation check registry and check base classes.

The checker hands Checkov's registry (`cfn_registry.scan`, what Checkov's own CloudFormation runner calls for
each resource) the resources of documents it has already parsed and resolved, so Checkov's runner, its parser,
its graph and its built-in checks are never needed:

- Built-in checks. Importing `checkov.cloudformation` registers every built-in CloudFormation check and,
  through the graph solvers, every built-in Terraform check: about 1,200 modules, 2 s of a cold start. The
  packages that hold built-in checks are registered as empty packages first: their `__init__` (a list of
  `import *`) does not run, while their submodules stay importable. The registry and base classes then import
  in about 40 ms (docs/benchmarks.md).
- Worker processes: none are started (the registry runs in this process).

The empty packages take effect only when installed before Checkov's CloudFormation package is first imported in
the process; otherwise Checkov is used exactly as imported.
"""
from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from typing import Any

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


def import_registry() -> tuple[Any, Any]:
    """(cfn_registry, CheckResult) from Checkov; raises what the import raises."""
    _empty_packages()
    from checkov.cloudformation.checks.resource.registry import cfn_registry
    from checkov.common.models.enums import CheckResult

    return cfn_registry, CheckResult
