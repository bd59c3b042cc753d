"""KMS_KEY_REFERENCES_CUSTOMER_MANAGED: every KMS key a resource names is customer-managed (cross-resource).

A Ref must name an AWS::KMS::Key / Alias / ReplicaKey the template defines or a template parameter; a GetAtt must
name a KMS key the template defines; a literal must not be an AWS-managed alias (alias/aws/...). Same property
set as rule.guard.
"""
from __future__ import annotations

import re
from typing import Any

from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

from checker.checkov_support import as_list, is_true, properties, scanned_template

TOP = ('KmsKeyId', 'KMSKeyId', 'KmsMasterKeyId', 'KmsKeyArn', 'EncryptionKeyArn', 'PerformanceInsightsKMSKeyId', 'PerformanceInsightsKmsKeyId')
NESTED_PARENTS = ('MasterUserSecret', 'StreamEncryption', 'HostedRotationLambda', 'EncryptionConfiguration', 'SSESpecification', 'DeliveryStreamEncryptionConfigurationInput')
NESTED_KEYS = ('KmsKeyId', 'KeyId', 'KmsKeyArn', 'KmsKey', 'KMSMasterKeyId', 'KeyARN')
ECS_PARENTS = ('ExecuteCommandConfiguration', 'ManagedStorageConfiguration')
ECS_KEYS = ('KmsKeyId', 'FargateEphemeralStorageKmsKeyId')
REF_TYPES = ('AWS::KMS::Key', 'AWS::KMS::Alias', 'AWS::KMS::ReplicaKey')
GETATT_TYPES = ('AWS::KMS::Key', 'AWS::KMS::ReplicaKey')
TYPES = (
    'AWS::RDS::DBInstance',
    'AWS::RDS::DBCluster',
    'AWS::Kinesis::Stream',
    'AWS::SNS::Topic',
    'AWS::SQS::Queue',
    'AWS::Logs::LogGroup',
    'AWS::SecretsManager::Secret',
    'AWS::SecretsManager::RotationSchedule',
    'AWS::ElastiCache::ReplicationGroup',
    'AWS::S3::Bucket',
    'AWS::Backup::BackupVault',
    'AWS::CloudTrail::Trail',
    'AWS::ECR::Repository',
    'AWS::DynamoDB::Table',
    'AWS::Lambda::Function',
    'AWS::EFS::FileSystem',
    'AWS::ECS::Cluster',
    'AWS::EC2::Volume',
    'AWS::KinesisFirehose::DeliveryStream',
)
AWS_MANAGED = re.compile(r"alias.aws.")


def _key_values(props: dict[str, Any]) -> list[Any]:
    """Every KMS key property value the resource sets, as written."""
    values = [props[k] for k in TOP if k in props]
    for parent_names, keys, holder in ((NESTED_PARENTS, NESTED_KEYS, props),
                                       (ECS_PARENTS, ECS_KEYS, props.get("Configuration"))):
        if not isinstance(holder, dict):
            continue
        for parent in parent_names:
            nested = holder.get(parent)
            if isinstance(nested, dict):
                values += [nested[k] for k in keys if k in nested]
    encryption = props.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, dict) else None
    for rule in as_list(rules):
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if isinstance(default, dict) and "KMSMasterKeyID" in default:
            values.append(default["KMSMasterKeyID"])
    return values


def _kms_without_key(resource_type: str, props: dict[str, Any]) -> bool:
    """KMS encryption switched on with no key id: the AWS-managed key is used."""
    encryption = props.get("BucketEncryption")
    rules = encryption.get("ServerSideEncryptionConfiguration") if isinstance(encryption, dict) else None
    for rule in as_list(rules):
        default = rule.get("ServerSideEncryptionByDefault") if isinstance(rule, dict) else None
        if isinstance(default, dict) and default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse") \
                and "KMSMasterKeyID" not in default:
            return True
    sse = props.get("SSESpecification")
    if resource_type == "AWS::DynamoDB::Table" and isinstance(sse, dict) and is_true(sse.get("SSEEnabled")) \
            and "KMSMasterKeyId" not in sse:
        return True
    if resource_type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") and is_true(props.get("ManageMasterUserPassword")):
        secret = props.get("MasterUserSecret")
        if not isinstance(secret, dict) or "KmsKeyId" not in secret:
            return True
    if resource_type == "AWS::Backup::BackupVault" and "EncryptionKeyArn" not in props:
        return True
    ecr = props.get("EncryptionConfiguration")
    return resource_type == "AWS::ECR::Repository" and isinstance(ecr, dict) \
        and ecr.get("EncryptionType") in ("KMS", "KMS_DSSE") and "KmsKey" not in ecr


def _customer_managed(value: Any, resources: dict[str, Any], parameters: dict[str, Any]) -> bool:
    if isinstance(value, str):
        return AWS_MANAGED.search(value) is None
    if not isinstance(value, dict) or len(value) != 1:
        return False
    if "Ref" in value:
        target = value["Ref"]
        if not isinstance(target, str):
            return False
        resource = resources.get(target)
        return (isinstance(resource, dict) and resource.get("Type") in REF_TYPES) or target in parameters
    if "Fn::GetAtt" in value:
        getatt = value["Fn::GetAtt"]
        if isinstance(getatt, list) and getatt:
            target = getatt[0]
        elif isinstance(getatt, str):
            target = getatt.split(".", 1)[0]
        else:
            return False
        resource = resources.get(target) if isinstance(target, str) else None
        return isinstance(resource, dict) and resource.get("Type") in GETATT_TYPES
    return False


class KmsKeyReferencesCustomerManaged(BaseResourceCheck):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__(name="KMS keys named by resources are customer-managed keys",
                         id="KMS_KEY_REFERENCES_CUSTOMER_MANAGED", categories=[CheckCategories.ENCRYPTION],
                         supported_resources=list(TYPES))

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        props = properties(conf)
        if _kms_without_key(str(conf.get("Type")), props):
            return CheckResult.FAILED
        values = _key_values(props)
        if not values:
            return CheckResult.PASSED
        template = scanned_template(self, conf)
        if template is None:
            return CheckResult.FAILED  # cannot see what the references point at: fail closed
        resources = template.get("Resources") if isinstance(template.get("Resources"), dict) else {}
        parameters = template.get("Parameters") if isinstance(template.get("Parameters"), dict) else {}
        ok = all(_customer_managed(v, resources, parameters) for v in values)
        return CheckResult.PASSED if ok else CheckResult.FAILED


check = KmsKeyReferencesCustomerManaged()
