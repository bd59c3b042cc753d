"""APIGW_CACHE_ENCRYPTED: API Gateway caches, where enabled, are encrypted at rest."""
from __future__ import annotations

from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import is_false, is_true, properties


def _on(settings: dict[str, Any], key: str) -> bool:
    """Caching counts as on unless the flag is absent or literally false (an unresolved value counts as on)."""
    return key in settings and not is_false(settings[key])


class ApigwCacheEncrypted(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="API Gateway caches, where enabled, are encrypted at rest", id="APIGW_CACHE_ENCRYPTED",
                         categories=[CheckCategories.ENCRYPTION], supported_resources=["AWS::ApiGateway::Stage"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        settings = props.get("MethodSettings")
        entries = [s for s in settings if isinstance(s, dict)] if isinstance(settings, list) else []
        if _on(props, "CacheClusterEnabled"):
            if not entries:
                return CheckResult.FAILED
            if not any(s.get("HttpMethod") == "*" and s.get("ResourcePath") == "/*"
                       and is_true(s.get("CacheDataEncrypted")) for s in entries):
                return CheckResult.FAILED
            if any("CacheDataEncrypted" in s and not is_true(s["CacheDataEncrypted"]) for s in entries):
                return CheckResult.FAILED
        if any(_on(s, "CachingEnabled") and not is_true(s.get("CacheDataEncrypted")) for s in entries):
            return CheckResult.FAILED
        return CheckResult.PASSED


check = ApigwCacheEncrypted()
