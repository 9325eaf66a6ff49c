"""infra/openapi.yaml against the invoice API's problems (functions/invoice-api/src/problem.rs).

Every problem type the function can answer is in the spec's `Problem.type` enum and nothing
else is; every operation lists the two answers a failed dependency gives (500
`service-misconfigured`, 503 `service-unavailable`), since each one reads or writes the document
store or the event topic. schemathesis holds the running API to the spec; this holds the spec to
the code, without a server.
"""

from __future__ import annotations

import re

import yaml

from sam_translate import INFRA

PROBLEM_RS = INFRA.parent / "functions" / "invoice-api" / "src" / "problem.rs"
SPEC = yaml.safe_load((INFRA / "openapi.yaml").read_text())
PREFIX = "urn:paperflow:problem:"


def problem_types_in_code() -> set[str]:
    """The first argument of every `Problem::new(...)` in problem.rs."""
    return set(re.findall(r'Problem::new\(\s*"([a-z-]+)"', PROBLEM_RS.read_text()))


def test_the_spec_lists_every_problem_type_the_code_answers_and_no_other():
    listed = {t.removeprefix(PREFIX) for t in SPEC["components"]["schemas"]["Problem"]["properties"]["type"]["enum"]}
    code = problem_types_in_code()
    assert "service-misconfigured" in code
    assert listed == code, f"only in the spec: {listed - code}; only in the code: {code - listed}"


def test_every_operation_describes_a_misconfigured_and_an_unavailable_service():
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses.get("500", {}).get("$ref") == "#/components/responses/ServiceMisconfigured", (
                f"{method.upper()} {path}: no 500 service-misconfigured"
            )
            assert responses.get("503", {}).get("$ref") == "#/components/responses/ServiceUnavailable", (
                f"{method.upper()} {path}: no 503 service-unavailable"
            )
    misconfigured = SPEC["components"]["responses"]["ServiceMisconfigured"]
    assert "Retry-After" not in misconfigured["headers"], "a retry does not help: no Retry-After"
