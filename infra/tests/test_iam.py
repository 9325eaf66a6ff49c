"""Each function's role grants exactly what its code calls: infra/iam-operations.json, the table
of every AWS operation a function makes (and every call Lambda makes with the function's role),
against each role of both templates, both ways; and the table against the SDK calls in
lib/aws/src, so that a new call cannot be added without saying which role needs it.

Nothing local can catch a missing permission (the emulator enforces no IAM): this is where the
pdf-mailer's missing ses:SendRawEmail would have been found.
"""

from __future__ import annotations

import json
import re

import pytest

from sam_translate import INFRA
from test_equivalence import norm

REPO = INFRA.parent
TABLE = json.loads((INFRA / "iam-operations.json").read_text())
FUNCTIONS = sorted(TABLE["functions"])

# lib/aws's adapter types, and the SDK crate each one calls.
ADAPTER_CRATES = {
    "S3DocumentStore": "aws_sdk_s3",
    "S3Archive": "aws_sdk_s3",
    "SnsEventPublisher": "aws_sdk_sns",
    "SesMailer": "aws_sdk_sesv2",
    "SqsDeadLetterQueue": "aws_sdk_sqs",
}


def expected_grants(function: str) -> set[tuple[str, str]]:
    """(IAM action, resource) pairs the table says the function needs."""
    grants = set()
    for call in TABLE["functions"][function]["calls"]:
        operation = TABLE["operations"][call["operation"]]
        grants |= {(action, resource) for action in operation["iam"] for resource in call["resources"]}
    return grants


def role_grants(template: dict, role: str) -> set[tuple[str, str]]:
    """(IAM action, resource) pairs a role allows, intrinsics written as the table writes them."""
    grants = set()
    for policy in template["Resources"][role]["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow", f"{role}: only Allow statements are expected"
            assert set(statement) == {"Effect", "Action", "Resource"}, f"{role}: conditions are not modelled"
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            grants |= {(action, norm(resource)) for action in actions for resource in resources}
    return grants


def show(pairs: set[tuple[str, str]]) -> str:
    return "\n".join(f"  {action} on {resource}" for action, resource in sorted(pairs)) or "  (none)"


@pytest.fixture(scope="module", params=["sam", "cdk"])
def template(request, sam_template, cdk_template):
    return {"sam": sam_template, "cdk": cdk_template}[request.param]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_role_grants_what_its_function_calls_and_nothing_else(template, function):
    role = TABLE["functions"][function]["role"]
    assert norm(template["Resources"][function]["Properties"]["Role"]) == f"${{{role}.Arn}}"
    granted = role_grants(template, role)
    needed = expected_grants(function)
    assert needed - granted == set(), f"{role} lacks what {function} calls:\n{show(needed - granted)}"
    assert granted - needed == set(), f"{role} grants what no call of {function} needs:\n{show(granted - needed)}"


def test_every_function_of_the_templates_is_in_the_table(sam_template, cdk_template):
    for template in (sam_template, cdk_template):
        functions = {lid for lid, r in template["Resources"].items() if r["Type"] == "AWS::Lambda::Function"}
        assert functions == set(FUNCTIONS)


def test_the_mailer_may_send_raw_email():
    # SES v2 SendEmail with raw content is authorised as both actions (issue 15).
    actions = {action for action, _ in expected_grants("PdfMailerFunction")}
    assert {"ses:SendEmail", "ses:SendRawEmail"} <= actions


def test_every_operation_of_the_table_is_used_by_a_function_or_the_code():
    used = {call["operation"] for f in TABLE["functions"].values() for call in f["calls"]}
    scanned = sdk_calls_in_lib_aws()
    for name, operation in TABLE["operations"].items():
        assert name in used or operation.get("sdk") in scanned, f"{name}: neither called nor needed"


# --- the table against the code --------------------------------------------------------------------

# `self.client.put_object()` (spread over lines as rustfmt writes it): an SDK operation call.
FLUENT_CALL = re.compile(r"\.client\s*\.\s*([a-z][a-z0-9_]*)\(\)")
SDK_CRATE = re.compile(r"\buse\s+(aws_sdk_[a-z0-9]+)\b")


def sdk_calls_in_lib_aws() -> dict[str, str]:
    """`crate operation` (plus ` presigned` for a presigned request) → the file that makes it."""
    calls = {}
    for path in sorted((REPO / "lib" / "aws" / "src").glob("*.rs")):
        text = path.read_text()
        matches = list(FLUENT_CALL.finditer(text))
        if not matches:
            continue
        crates = set(SDK_CRATE.findall(text))
        assert len(crates) == 1, f"{path.name}: calls SDK operations but uses the crates {sorted(crates)}"
        (crate,) = crates
        for match in matches:
            # The builder chain ends at the first `;`: presigned if `.presigned(` is in it.
            chain = text[match.end() : text.find(";", match.end())]
            name = f"{crate} {match.group(1)}" + (" presigned" if ".presigned(" in chain else "")
            calls[name] = path.relative_to(REPO).as_posix()
    return calls


def test_the_table_names_exactly_the_sdk_operations_that_lib_aws_calls():
    scanned = sdk_calls_in_lib_aws()
    assert len(scanned) >= 7, f"the scan found too little to be trusted: {scanned}"
    in_table = {operation["sdk"] for operation in TABLE["operations"].values() if "sdk" in operation}
    assert set(scanned) - in_table == set(), (
        "SDK calls without a row in infra/iam-operations.json (add the operation, its IAM actions, "
        f"and the functions that make it): {sorted(set(scanned) - in_table)}"
    )
    assert in_table - set(scanned) == set(), f"rows for SDK calls lib/aws no longer makes: {sorted(in_table - set(scanned))}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_calls_only_services_whose_adapters_its_main_builds(function):
    main = (REPO / TABLE["functions"][function]["crate"] / "src" / "main.rs").read_text()
    built = {crate for adapter, crate in ADAPTER_CRATES.items() if re.search(rf"\b{adapter}::(new|from_conf)\b", main)}
    in_table = {
        TABLE["operations"][call["operation"]]["sdk"].split()[0]
        for call in TABLE["functions"][function]["calls"]
        if "sdk" in TABLE["operations"][call["operation"]]
    }
    assert in_table == built, f"{function}: the table's SDK crates {sorted(in_table)} != the adapters main.rs builds {sorted(built)}"


def test_the_scan_sees_a_new_call():
    # The scan's pattern on rustfmt's layout of a call it has not seen before.
    text = "use aws_sdk_s3::Client;\nlet r = self\n    .client\n    .delete_object()\n    .bucket(b)\n    .send();\n"
    assert [m.group(1) for m in FLUENT_CALL.finditer(text)] == ["delete_object"]
