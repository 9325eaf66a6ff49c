"""Every S3 permission of both templates against infra/bucket-layout.json.

The bucket layout is owned by the pipeline's code (lib/pipeline/src/store): every key of the
documents and archive buckets is built there, and its table of what each function may read,
write and list is written to infra/bucket-layout.json (a Rust test fails when the file and the
code differ, and names the command that regenerates it). Here each function's role, in the SAM
template and in the CDK app's synthesized template, must grant exactly that: every S3 resource
it names is a bucket of the layout and a key pattern the file lists for that function and
action, and every pattern the file lists is granted. A key the code writes under a prefix the
policy does not name fails here, and so does a policy wider than the code needs.

Run: .tools/infra-venv/bin/python -m pytest infra/tests (make infra-test does). Set
PAPERFLOW_CDK_TEMPLATE to an already synthesized template to skip the synth.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from sam_translate import INFRA, load_sam
from test_equivalence import as_list, norm, statements  # cdk_template: a fixture of conftest.py

LAYOUT = json.loads((INFRA / "bucket-layout.json").read_text())
# The templates' logical ids of the layout's buckets.
BUCKETS = {"DocumentsBucket": "documents", "ArchiveBucket": "archive"}
FUNCTION_TYPES = {"AWS::Serverless::Function", "AWS::Lambda::Function"}
OBJECT_ACTIONS = {"s3:GetObject": "read", "s3:PutObject": "write"}
RESOURCE = re.compile(r"\$\{(\w+)\.Arn\}(?:/(.*))?")


def empty_access() -> dict:
    return {"read": set(), "write": set(), "list": False}


def layout_access() -> dict:
    """function -> bucket -> {read, write, list}, as the file says."""
    return {
        function: {
            bucket: {"read": set(g["read"]), "write": set(g["write"]), "list": g["list"]}
            for bucket, g in buckets.items()
        }
        for function, buckets in LAYOUT["functions"].items()
    }


def role_documents(resources: dict, role: str) -> list:
    """The policy documents of role `role`: its inline policies and any policy attached to it."""
    documents = [p["PolicyDocument"] for p in resources[role]["Properties"].get("Policies", [])]
    for resource in resources.values():
        if resource["Type"] == "AWS::IAM::Policy":
            properties = norm(resource["Properties"])
            if f"${{{role}}}" in as_list(properties.get("Roles", [])):
                documents.append(properties["PolicyDocument"])
    return documents


def template_access(template: dict) -> tuple[dict, list[str]]:
    """function -> bucket -> {read, write, list} as the template grants it, and what the
    template grants on S3 that the layout has no words for."""
    resources = template["Resources"]
    access: dict = {}
    strange: list[str] = []
    for resource in resources.values():
        if resource["Type"] not in FUNCTION_TYPES:
            continue
        binary = resource.get("Metadata", {}).get("BuildProperties", {}).get("Binary")
        if not binary:
            continue  # not one of paperflow's functions (a tool's helper)
        role = re.fullmatch(r"\$\{(\w+)\.Arn\}", norm(resource["Properties"]["Role"]))[1]
        for document in role_documents(resources, role):
            for statement in statements(norm(document)):
                actions = [a for a in as_list(statement["Action"]) if a.startswith("s3:")]
                if not actions or statement.get("Effect") != "Allow":
                    continue
                for arn in as_list(statement["Resource"]):
                    match = RESOURCE.fullmatch(arn) if isinstance(arn, str) else None
                    if not match or match[1] not in BUCKETS:
                        strange.append(f"{binary}: {actions} on {arn}, not a bucket of the layout")
                        continue
                    bucket, pattern = BUCKETS[match[1]], match[2]
                    granted = access.setdefault(binary, {}).setdefault(bucket, empty_access())
                    for action in actions:
                        if action in OBJECT_ACTIONS and pattern is not None:
                            granted[OBJECT_ACTIONS[action]].add(pattern)
                        elif action == "s3:ListBucket" and pattern is None:
                            granted["list"] = True
                        else:
                            strange.append(f"{binary}: {action} on {arn}")
    return access, strange


def differences(template: dict) -> list[str]:
    got, strange = template_access(template)
    want = layout_access()
    found = list(strange)
    for function in sorted(set(got) | set(want)):
        for bucket in sorted(set(got.get(function, {})) | set(want.get(function, {}))):
            g = got.get(function, {}).get(bucket, empty_access())
            w = want.get(function, {}).get(bucket, empty_access())
            for action in ("read", "write"):
                for pattern in sorted(g[action] - w[action]):
                    found.append(f"{function} may {action} {bucket}/{pattern}: the layout does not say so")
                for pattern in sorted(w[action] - g[action]):
                    found.append(f"{function} may not {action} {bucket}/{pattern}: the layout needs it")
            if g["list"] != w["list"]:
                found.append(f"{function}: ListBucket on {bucket} is {g['list']}, the layout says {w['list']}")
    return found


@pytest.fixture(scope="session")
def sam_template() -> dict:
    return load_sam()


def test_the_layout_file_is_complete():
    prefixes = {bucket: set(p) for bucket, p in LAYOUT["buckets"].items()}
    assert set(prefixes) == set(BUCKETS.values())
    assert LAYOUT["functions"], "the layout grants nothing"
    for function, buckets in LAYOUT["functions"].items():
        for bucket, grants in buckets.items():
            for pattern in grants["read"] + grants["write"]:
                assert any(pattern.startswith(p) for p in prefixes[bucket]), (
                    f"{function}: {bucket}/{pattern} is in no prefix of the layout"
                )
    token = re.compile(LAYOUT["safe_token"]["pattern"])
    assert token.fullmatch("0193a5b0-7c1e-7d3a-9f10-2b8c4e5d6f70")
    for unsafe in ("../x", "a/b", "a.json", "", "x" * 129):
        assert not token.fullmatch(unsafe), unsafe


def test_the_sam_template_grants_exactly_the_layout(sam_template):
    assert differences(sam_template) == []


def test_the_cdk_app_grants_exactly_the_layout(cdk_template):
    assert differences(cdk_template) == []


def statement_of(template: dict, role: str, action: str) -> dict:
    for statement in template["Resources"][role]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]:
        if action in as_list(statement["Action"]):
            return statement
    raise AssertionError(f"{role} has no {action}")


def test_a_grant_wider_or_narrower_than_the_layout_is_found(sam_template):
    wider = copy.deepcopy(sam_template)
    statement_of(wider, "PdfMailerRole", "s3:PutObject")["Resource"] = [
        {"Fn::Sub": "${DocumentsBucket.Arn}/mail/*"},
        {"Fn::Sub": "${DocumentsBucket.Arn}/invoices/*"},
    ]
    assert differences(wider) == [
        "pdf-mailer may write documents/invoices/*: the layout does not say so"
    ]
    narrower = copy.deepcopy(sam_template)
    statement_of(narrower, "EventArchiverRole", "s3:PutObject")["Resource"] = {
        "Fn::Sub": "${ArchiveBucket.Arn}/events/date=*"
    }
    assert sorted(differences(narrower)) == [
        "event-archiver may not write archive/events/*: the layout needs it",
        "event-archiver may write archive/events/date=*: the layout does not say so",
    ]
