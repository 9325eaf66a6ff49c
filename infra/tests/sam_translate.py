"""Translate infra/sam/template.yaml to plain CloudFormation, offline.

No AWS account and no network: the region comes from a boto3 session made with a region name,
the managed-policy map is a stub (the template attaches no managed policy, so it is never asked
for a real one), and every local CodeUri and layer ContentUri is rewritten to an s3:// placeholder, which is all the
transform does with it.

    python infra/tests/sam_translate.py OUT.json   # writes the translated template (for cfn-lint, checkov)
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import boto3
from samcli.yamlhelper import yaml_parse
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

INFRA = Path(__file__).resolve().parent.parent
SAM_TEMPLATE = INFRA / "sam" / "template.yaml"
REGION = "eu-west-1"


class StubManagedPolicies(dict):
    """A managed-policy map that never calls IAM: names resolve to the AWS-managed ARN form."""

    def __missing__(self, name: str) -> str:
        return f"arn:aws:iam::aws:policy/{name}"


def load_sam(path: Path = SAM_TEMPLATE) -> dict:
    return yaml_parse(path.read_text())


def translate(sam: dict | None = None) -> dict:
    """The CloudFormation the SAM transform makes of the template (default: infra/sam/template.yaml)."""
    sam = copy.deepcopy(sam if sam is not None else load_sam())
    for name, resource in sam.get("Resources", {}).items():
        if resource.get("Type") == "AWS::Serverless::Function":
            props = resource.setdefault("Properties", {})
            if isinstance(props.get("CodeUri"), str) and not props["CodeUri"].startswith("s3://"):
                props["CodeUri"] = f"s3://paperflow-placeholder/{name}.zip"
        if resource.get("Type") == "AWS::Serverless::LayerVersion":
            props = resource.setdefault("Properties", {})
            if isinstance(props.get("ContentUri"), str) and not props["ContentUri"].startswith("s3://"):
                props["ContentUri"] = f"s3://paperflow-placeholder/{name}.zip"
    translator = Translator(
        managed_policy_map=None,
        sam_parser=Parser(),
        boto_session=boto3.Session(region_name=REGION),
    )
    return translator.translate(
        sam_template=sam,
        parameter_values={},
        get_managed_policy_map=StubManagedPolicies,
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: sam_translate.py OUT.json")
    Path(sys.argv[1]).write_text(json.dumps(translate(), indent=1, sort_keys=True) + "\n")
