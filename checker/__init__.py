"""cfn-iso27001: ISO/IEC 27001:2022 Annex A compliance checks for AWS CloudFormation templates."""

__version__ = "0.1.0"
