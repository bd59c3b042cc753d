"""Helpers that our Checkov policies (rules/*/checkov.py) share, so each policy holds only its logic.

Checkov hands a Python check the resource as a dict decorated with `__startline__`, `__endline__`, `__file__`
and a `resource_type` key inside `Properties`; `clean()` strips those so a policy sees the template's values.
Semantics mirror the Guard rules: a raw intrinsic function where a literal is expected is not compliant
(the checker resolves what it can before the engines run, so a raw value here is one nobody could resolve).
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

_CHECKOV_KEYS = {"__startline__", "__endline__", "__file__"}
PARAMETERS_ENV = "CFN_ISO27001_POLICY_PARAMETERS"
DEFAULT_PARAMETERS = Path(__file__).resolve().parent.parent / "rules" / "policy-parameters.yaml"


def clean(value: Any) -> Any:
    """Return `value` without Checkov's line-mark keys, recursively."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items() if k not in _CHECKOV_KEYS}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def properties(conf: dict[str, Any]) -> dict[str, Any]:
    """The resource's Properties, cleaned; `{}` when absent or not a mapping."""
    props = clean(conf.get("Properties"))
    if not isinstance(props, dict):
        return {}
    if props.get("resource_type") == conf.get("Type"):
        props.pop("resource_type")
    return props


def is_intrinsic(value: Any) -> bool:
    """True for `{"Ref": ...}`, `{"Fn::...": ...}` and `{"Condition": ...}` single-key mappings."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key == "Ref" or key == "Condition" or str(key).startswith("Fn::")


def is_reference(value: Any) -> bool:
    """A `Ref` or `Fn::GetAtt` (to a resource or parameter): what a key, role or group property should hold."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("Ref", "Fn::GetAtt")


def is_true(value: Any) -> bool:
    """A literal boolean true (YAML `true` or the strings "true"/"True", as CloudFormation accepts)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_int(value: Any) -> int | None:
    """An integer literal (int or numeric string), else None (intrinsics, floats, garbage)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=8)
def _load_parameters(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = json.load(handle) if path.endswith(".json") else yaml.load(handle, Loader=loader)
    params = data.get("PolicyParameters") if isinstance(data, dict) else None
    if not isinstance(params, dict):
        raise TypeError(f"{path}: no PolicyParameters mapping")
    return params


def parameters() -> dict[str, Any]:
    """Policy parameters in force: the file named by $CFN_ISO27001_POLICY_PARAMETERS, else the shipped defaults."""
    return _load_parameters(os.environ.get(PARAMETERS_ENV) or str(DEFAULT_PARAMETERS))


def parameter(name: str) -> Any:
    params = parameters()
    if name not in params:
        raise KeyError(f"policy parameter {name!r} is not defined")
    return params[name]


def _source_file(value: Any) -> str | None:
    if isinstance(value, dict):
        if isinstance(value.get("__file__"), str):
            return str(value["__file__"])
        for item in value.values():
            found = _source_file(item)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _source_file(item)
            if found:
                return found
    return None


def load_document(path: str) -> dict[str, Any]:
    """A template or data file as a plain mapping, parsed once for the Checkov adapter and every cross-resource
    policy that reads it (cached by path, size and modification time). Raises OSError when it cannot be read
    and ValueError when it is not a template mapping."""
    status = os.stat(path)
    return _load_template(path, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=64)
def _load_template(path: str, _mtime_ns: int = 0, _size: int = 0) -> dict[str, Any]:
    if path.endswith(".json"):
        # The checker hands Checkov plain JSON documents: json.load reads them ~100x faster than cfn-lint's
        # mark-keeping decoder (about 1 s per 100 KB document), and the policies need no line marks from here.
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except ValueError:
            data = None
        if isinstance(data, dict):
            return data
    from cfnlint.decode import decode  # local import: only cross-resource policies need it

    template, matches = decode(path)
    if matches or not isinstance(template, dict):
        raise ValueError(f"{path}: cannot be decoded for a cross-resource check")
    return dict(clean(template))


def whole_template(conf: dict[str, Any]) -> dict[str, Any] | None:
    """The whole template a resource comes from, for cross-resource policies (Python checks see one resource).

    Checkov records the source file in each mapping's `__file__` mark; None when it cannot be found, in which
    case the policy must fail closed.
    """
    path = _source_file(conf)
    if path is None:
        return None
    if not os.path.isabs(path) and not os.path.exists(path):
        path = path.lstrip("/")  # Checkov reports paths relative to its root with a leading slash
    return load_document(path)


def resources_of_type(template: dict[str, Any], *types: str) -> dict[str, dict[str, Any]]:
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        return {}
    return {k: v for k, v in resources.items() if isinstance(v, dict) and v.get("Type") in types}


# --- Security-group ingress (SG_NO_WORLD_INGRESS, SG_NO_WORLD_ADMIN_PORTS, DATA_TIER_INGRESS_FROM_SG_ONLY, ...) ---
# The Guard rules spell the same tests with regexes; keep both in step.
_WORLD_IPV4 = re.compile(r"[0-9.]+[^0-9.]0")  # any IPv4 CIDR with prefix length 0 (0.0.0.0/0)
_WORLD_IPV6 = re.compile(r"[0-9a-fA-F:.]+[^0-9a-fA-F:.]0")  # any IPv6 CIDR with prefix length 0 (::/0)
_TCP_UDP = re.compile(r"tcp|udp|6|17", re.IGNORECASE)
_ICMP = re.compile(r"icmp|icmpv6|1|58", re.IGNORECASE)


def sg_ingress_entries(conf: dict[str, Any]) -> list[Any] | None:
    """The ingress rules a resource declares: an `AWS::EC2::SecurityGroup`'s inline `SecurityGroupIngress`
    entries, or an `AWS::EC2::SecurityGroupIngress` resource's own Properties (a one-entry list).
    None when the inline list is not a literal list (an unresolved intrinsic): callers fail closed."""
    props = properties(conf)
    if conf.get("Type") == "AWS::EC2::SecurityGroupIngress":
        return [props]
    entries = props.get("SecurityGroupIngress")
    if entries is None:
        return []
    return entries if isinstance(entries, list) else None


def is_world_cidr(entry: Any) -> bool:
    """The entry's CidrIp or CidrIpv6 is a literal CIDR with prefix length 0 (the whole internet)."""
    if not isinstance(entry, dict):
        return False
    v4, v6 = entry.get("CidrIp"), entry.get("CidrIpv6")
    return bool((isinstance(v4, str) and _WORLD_IPV4.fullmatch(v4))
                or (isinstance(v6, str) and _WORLD_IPV6.fullmatch(v6)))


def has_raw_cidr(entry: Any) -> bool:
    """The entry's CidrIp or CidrIpv6 is a mapping (an unresolved intrinsic): it might be the internet."""
    return isinstance(entry, dict) and (isinstance(entry.get("CidrIp"), dict) or isinstance(entry.get("CidrIpv6"), dict))


def ingress_protocol(entry: Any) -> str:
    """`"tcp_udp"`, `"icmp"` or `"all"`: -1, any other protocol number (AWS opens all its ports), a missing
    or unresolved IpProtocol all count as every port."""
    value = entry.get("IpProtocol") if isinstance(entry, dict) else None
    if isinstance(value, bool):
        return "all"
    if value in (6, 17) or (isinstance(value, str) and _TCP_UDP.fullmatch(value)):
        return "tcp_udp"
    if value in (1, 58) or (isinstance(value, str) and _ICMP.fullmatch(value)):
        return "icmp"
    return "all"


def literal_port(value: Any) -> int | None:
    """A port given as a literal integer or a digit string; None for intrinsics, garbage, or absence.
    Negative integers are returned as they are (callers decide: -1 means 'all' for ports)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return None


def tcp_udp_port_range(entry: Any) -> tuple[int, int] | None:
    """(FromPort, ToPort) of a tcp/udp entry when both are literal non-negative integers, else None
    (treat as every port)."""
    if not isinstance(entry, dict):
        return None
    low, high = literal_port(entry.get("FromPort")), literal_port(entry.get("ToPort"))
    if low is None or high is None or low < 0 or high < 0:
        return None
    return low, high


def own_logical_id(check: Any) -> str:
    """The logical id of the resource a Python check is scanning (Checkov passes only its definition, but
    records `<file>:<type>:<logical id>` in `check.entity_path` before calling `scan_resource_conf`)."""
    path = str(getattr(check, "entity_path", "") or "")
    return path.rsplit(":", 1)[-1] if ":" in path else ""


def scanned_template(check: Any, conf: dict[str, Any]) -> dict[str, Any] | None:
    """The whole template of the resource a Python check is scanning, for policies that need more than
    `Type`/`Properties` (e.g. DeletionPolicy, which Checkov does not pass). From the line marks in `conf`, else
    from the file named in `check.entity_path` (a resource without Properties carries no marks). None when
    neither is found: the policy must fail closed."""
    found = whole_template(conf)
    if found is not None:
        return found
    path = str(getattr(check, "entity_path", "") or "")
    marker = f":{getattr(check, 'entity_type', '')}:"
    if marker == "::" or marker not in path:
        return None
    source = path[: path.rindex(marker)]
    for candidate in (source, source.lstrip("/")):  # Checkov may report cwd-relative paths with a leading slash
        if os.path.isfile(candidate):
            return load_document(candidate)
    return None


# --- IAM policy documents (IAM_* and KMS key-policy rules) --------------------------------------------------------
IAM_POLICY_DOCUMENT_TYPES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy",
                             "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy")
IAM_INLINE_POLICIES_TYPES = ("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")


def iam_policy_documents(resource_type: str, props: dict[str, Any]) -> list[Any]:
    """The identity-based policy documents a resource carries, as written: `PolicyDocument` for the policy types,
    each `Policies[].PolicyDocument` for roles, users and groups (None where one is missing or not assessable)."""
    if resource_type in IAM_INLINE_POLICIES_TYPES:
        policies = props.get("Policies")
        if policies is None:
            return []
        if not isinstance(policies, list):
            return [None]
        return [p.get("PolicyDocument") if isinstance(p, dict) else None for p in policies]
    return [props.get("PolicyDocument")]


def policy_statements(document: Any) -> list[Any] | None:
    """A policy document's statements (one statement mapping counts as a list of one), or None when the document
    is not a mapping with a Statement (a JSON string or an unresolved intrinsic cannot be assessed)."""
    if not isinstance(document, dict) or "Statement" not in document:
        return None
    statements = document["Statement"]
    if isinstance(statements, dict):
        return [statements]
    return statements if isinstance(statements, list) else None


def iam_allow_statements_ok(conf: dict[str, Any], allow_ok: Callable[[dict[str, Any]], bool]) -> bool:
    """Every policy document an IAM-bearing resource carries: each statement has a literal Effect and every Allow
    statement satisfies `allow_ok`. A document whose statements cannot be assessed (a JSON string, an unresolved
    intrinsic, a non-literal Effect) fails: nothing is passed unseen."""
    for document in iam_policy_documents(str(conf.get("Type")), properties(conf)):
        statements = policy_statements(document)
        if statements is None:
            return False
        for statement in statements:
            if not isinstance(statement, dict) or statement.get("Effect") not in ("Allow", "Deny"):
                return False
            if statement["Effect"] == "Allow" and not allow_ok(statement):
                return False
    return True
