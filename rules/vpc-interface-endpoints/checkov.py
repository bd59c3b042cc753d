"""VPC_INTERFACE_ENDPOINTS: a template with a VPC has Interface endpoints for the services its workloads call.

Template scope: every VPC fails when a required endpoint is missing, every VPC passes otherwise.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import parameter, resources_of_type, scanned_template

# The Guard rule's regex_replace patterns: the suffix after com.amazonaws.<region>. or com.amazonaws.${AWS::Region}.
_RESOLVED = re.compile(r"^com[.]amazonaws[.][a-z0-9-]+[.](.*)$")
_RAW_SUB = re.compile(r"^com[.]amazonaws[.][$][{]AWS::Region[}][.](.*)$")


def _interface_services(template: dict[str, Any]) -> set[str]:
    services = set()
    for endpoint in resources_of_type(template, "AWS::EC2::VPCEndpoint").values():
        props = endpoint.get("Properties")
        if not isinstance(props, dict) or props.get("VpcEndpointType") != "Interface":
            continue
        name = props.get("ServiceName")
        if isinstance(name, str):
            services.add(_RESOLVED.sub(r"\1", name))
        elif isinstance(name, dict) and isinstance(name.get("Fn::Sub"), str):
            services.add(_RAW_SUB.sub(r"\1", name["Fn::Sub"]))
    return services


def _required(template: dict[str, Any]) -> set[str]:
    required = {str(s) for s in parameter("required_interface_endpoints")}
    if resources_of_type(template, "AWS::Kinesis::Stream"):
        required.add("kinesis-streams")
    if resources_of_type(template, "AWS::ECS::TaskDefinition"):
        required |= {"ecr.api", "ecr.dkr"}
    return required


class VpcInterfaceEndpoints(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="VPCs reach the AWS services their workloads call through Interface endpoints",
                         id="VPC_INTERFACE_ENDPOINTS", categories=[CheckCategories.NETWORKING],
                         supported_resources=["AWS::EC2::VPC"])

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED
        return CheckResult.PASSED if _required(template) <= _interface_services(template) else CheckResult.FAILED


check = VpcInterfaceEndpoints()
