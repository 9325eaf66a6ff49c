"""The SAM template and the CDK app describe the same stack.

Both are reduced to one model: the SAM template through the SAM transform (offline, see
sam_translate.py), the CDK app through an offline synth (no bundling). The model keeps every
resource by logical id (the CDK app gives each the SAM template's id) with its CloudFormation
properties, written the same way whatever tool wrote them: intrinsics become `${Name}` /
`${Name.Attr}` strings, policy statements become sorted sets, and the HTTP API's routes become
`METHOD path -> function (auth, payload version)` whether SAM wrote them as an OpenAPI body or
CDK as Route and Integration resources. What only one tool adds (SAM's `lambda:createdBy` tag,
the code location, CDK's DependsOn) is left out, and nothing else: a resource type the model
does not know fails the test, so a resource added on one side only cannot slip through.

Run: .tools/infra-venv/bin/python -m pytest infra/tests (make infra-test does). Set
PAPERFLOW_CDK_TEMPLATE to an already synthesized template to skip the synth.
"""

from __future__ import annotations

import copy
import json
import re

import pytest

from sam_translate import load_sam, translate

# Resource types compared property by property, and the properties that only one tool writes.
PLAIN_TYPES = {
    "AWS::KMS::Key": set(),
    "AWS::KMS::Alias": set(),
    "AWS::S3::Bucket": set(),
    "AWS::S3::BucketPolicy": set(),
    "AWS::SNS::Topic": set(),
    "AWS::SNS::TopicPolicy": set(),
    "AWS::SNS::Subscription": set(),
    "AWS::SQS::Queue": set(),
    "AWS::SQS::QueuePolicy": set(),
    "AWS::Logs::LogGroup": set(),
    "AWS::IAM::Role": set(),
    "AWS::Lambda::Function": {"Code"},
    "AWS::Lambda::EventSourceMapping": set(),
    "AWS::Lambda::EventInvokeConfig": set(),
    "AWS::ApiGatewayV2::Stage": set(),
    "AWS::CloudWatch::Alarm": set(),
    # SAM uploads the layer's folder, CDK its asset: the same files, named differently.
    "AWS::Lambda::LayerVersion": {"Content"},
}
# Compared through a summary (see `model`), because the two tools name and shape them differently.
SUMMARISED_TYPES = {
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGatewayV2::Integration",
    "AWS::Lambda::Permission",
    "AWS::IAM::Policy",
}
# Bookkeeping of the CDK toolkit, not part of the stack.
IGNORED_TYPES = {"AWS::CDK::Metadata"}
METADATA_KEYS = ("BuildMethod", "BuildProperties")


# --- normalisation --------------------------------------------------------------------------------


def norm(value):
    """Intrinsics to `${...}` strings, recursively; everything else as it is."""
    if isinstance(value, dict):
        if len(value) == 1:
            (k, v), = value.items()
            if k == "Ref":
                return "${%s}" % v
            if k == "Fn::GetAtt":
                target = v if isinstance(v, str) else ".".join(v)
                return "${%s}" % target
            if k == "Fn::Sub":
                if isinstance(v, str):
                    return v
                text, variables = v
                for name, val in variables.items():
                    text = text.replace("${%s}" % name, str(norm(val)))
                return text
            if k == "Fn::Join":
                sep, parts = v
                parts = [norm(p) for p in parts]
                if all(isinstance(p, str) for p in parts):
                    return sep.join(parts)
                return {"Fn::Join": [sep, parts]}
        return {k: norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [norm(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value
    return value


def scalar(value):
    """Numbers and booleans as CloudFormation reads them: "5" and 5 are the same property."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    return value


def canon(value):
    """A hashable, order-free form for comparing policy statements and similar sets."""
    if isinstance(value, dict):
        return tuple(sorted((k, canon(v)) for k, v in value.items()))
    if isinstance(value, list):
        items = [canon(v) for v in value]
        return ("list",) + tuple(sorted(items, key=repr))
    return scalar(value)


def as_list(value):
    return value if isinstance(value, list) else [value]


def statements(document):
    """A policy document as a sorted list of statements, Sids dropped, one-element lists unwrapped."""
    out = []
    for st in as_list(document.get("Statement", [])):
        st = {k: v for k, v in st.items() if k != "Sid"}
        for key in ("Action", "Resource", "NotAction"):
            if key in st:
                items = sorted(set(as_list(st[key])), key=repr)
                st[key] = items
        if isinstance(st.get("Principal"), dict):
            st["Principal"] = {k: sorted(as_list(v), key=repr) for k, v in st["Principal"].items()}
        elif st.get("Principal") == "*":
            st["Principal"] = {"AWS": ["*"]}
        out.append(st)
    return sorted(out, key=lambda s: repr(canon(s)))


def tidy(rtype, props):
    """Type-specific tidying of properties that mean the same thing but are written differently."""
    props = copy.deepcopy(props)
    for key in ("PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument"):
        if key in props:
            props[key] = statements(props[key])
    if rtype == "AWS::IAM::Role" and "Policies" in props:
        props["Policies"] = sorted(
            ({"PolicyName": p["PolicyName"], "PolicyDocument": statements(p["PolicyDocument"])} for p in props["Policies"]),
            key=lambda p: p["PolicyName"],
        )
    if rtype == "AWS::Lambda::Function":
        tags = [t for t in props.pop("Tags", []) if t.get("Key") != "lambda:createdBy"]
        if tags:
            props["Tags"] = tags
    if rtype == "AWS::ApiGatewayV2::Stage" and isinstance(props.get("Tags"), dict):
        props["Tags"] = {k: v for k, v in props["Tags"].items() if k != "httpapi:createdBy"} or None
        if props["Tags"] is None:
            del props["Tags"]
    if rtype == "AWS::SNS::TopicPolicy" or rtype == "AWS::SQS::QueuePolicy":
        for key in ("Topics", "Queues"):
            if key in props:
                props[key] = sorted(props[key], key=repr)
    return props


def deep_scalar(value):
    if isinstance(value, dict):
        return {k: deep_scalar(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_scalar(v) for v in value]
    return scalar(value)


# --- the model -----------------------------------------------------------------------------------


def routes_from_sam_body(api):
    body = api["Properties"]["Body"]
    out = {}
    for path, methods in body.get("paths", {}).items():
        for method, op in methods.items():
            integration = op["x-amazon-apigateway-integration"]
            function = re.search(r"functions/\$\{(\w+)\.Arn\}/invocations", norm(integration["uri"])).group(1)
            auth = sorted(k for sec in op.get("security", []) for k in sec)
            # SAM writes an ANY route as OpenAPI's API Gateway extension; its route key says ANY.
            method = "ANY" if method == "x-amazon-apigateway-any-method" else method.upper()
            out[f"{method} {path}"] = {
                "function": function,
                "auth": "AWS_IAM" if auth == ["AWS_IAM"] else ",".join(auth) or "NONE",
                "payload": str(integration.get("payloadFormatVersion")),
                "type": integration.get("type"),
            }
    return out


def routes_from_cdk(resources):
    integrations = {
        lid: r["Properties"] for lid, r in resources.items() if r["Type"] == "AWS::ApiGatewayV2::Integration"
    }
    out = {}
    for r in resources.values():
        if r["Type"] != "AWS::ApiGatewayV2::Route":
            continue
        p = r["Properties"]
        target = norm(p["Target"])
        integration = integrations[re.fullmatch(r"integrations/\$\{(\w+)\}", target).group(1)]
        function = re.fullmatch(r"\$\{(\w+)\.Arn\}", norm(integration["IntegrationUri"])).group(1)
        out[p["RouteKey"]] = {
            "function": function,
            "auth": p.get("AuthorizationType", "NONE"),
            "payload": str(integration.get("PayloadFormatVersion")),
            "type": integration.get("IntegrationType", "").lower(),
        }
    return out


def without_layer_hashes(template: dict) -> dict:
    """SAM names a layer version `<logical id><10 hex digits of its content hash>`: the same
    layer by its template name, everywhere it is referred to."""
    text = json.dumps(template)
    for lid, r in template["Resources"].items():
        found = re.fullmatch(r"(\w+?)[0-9a-f]{10}", lid)
        if r["Type"] == "AWS::Lambda::LayerVersion" and found:
            text = re.sub(rf"\b{lid}\b", found.group(1), text)
    return json.loads(text)


def model(template: dict, tool: str) -> dict:
    if tool == "sam":
        template = without_layer_hashes(template)
    resources = template["Resources"]
    m: dict = {"resources": {}, "unknown": [], "permissions": [], "routes": {}, "apis": {}, "role_policies": []}
    for lid, r in sorted(resources.items()):
        rtype = r["Type"]
        if rtype in IGNORED_TYPES:
            continue
        if rtype in PLAIN_TYPES:
            props = {k: v for k, v in r.get("Properties", {}).items() if k not in PLAIN_TYPES[rtype]}
            entry = {"Type": rtype, "Properties": deep_scalar(tidy(rtype, norm(props)))}
            for key in ("DeletionPolicy", "UpdateReplacePolicy"):
                # CloudFormation's default is Delete: leaving it out and writing it are the same.
                entry[key] = r.get(key, "Delete")
            if "Condition" in r:
                entry["Condition"] = r["Condition"]
            # How the function is built: binary name (SAM copies it onto the EventInvokeConfig too).
            meta = {k: r["Metadata"][k] for k in METADATA_KEYS if k in r.get("Metadata", {})}
            if meta and rtype == "AWS::Lambda::Function":
                entry["Metadata"] = meta
            m["resources"][lid] = entry
        elif rtype == "AWS::Lambda::Permission":
            p = norm(r["Properties"])
            # A function named by Ref or by its ARN is the same function.
            function = re.sub(r"^\$\{(\w+)\.Arn\}$", r"${\1}", p["FunctionName"])
            m["permissions"].append((function, p["Principal"], p["Action"]))
        elif rtype == "AWS::ApiGatewayV2::Api":
            p = r["Properties"]
            if "Body" in p:
                m["routes"].update(routes_from_sam_body(r))
                m["apis"][lid] = {"protocol": p["Body"].get("openapi") and "HTTP"}
            else:
                m["apis"][lid] = {"protocol": p["ProtocolType"]}
        elif rtype == "AWS::IAM::Policy":
            # A policy attached to a role outside the role itself (CDK's grant helpers write these).
            m["role_policies"].append(norm(r["Properties"]))
        elif rtype in SUMMARISED_TYPES:
            pass
        else:
            m["unknown"].append(f"{lid} ({rtype})")
    if tool == "cdk":
        m["routes"] = routes_from_cdk(resources)
    m["permissions"].sort()
    m["parameters"] = {
        name: deep_scalar({k: v for k, v in p.items() if k != "Description"})
        for name, p in template.get("Parameters", {}).items()
        if name != "BootstrapVersion"  # the CDK toolkit's own
    }
    m["outputs"] = {name: norm(o["Value"]) for name, o in template.get("Outputs", {}).items()}
    m["conditions"] = deep_scalar(norm(template.get("Conditions", {})))
    # CDK writes a mapping only when a Fn::FindInMap cannot be resolved at synth time; the
    # template's own mappings are the ones compared.
    m["mappings"] = deep_scalar(template.get("Mappings", {}))
    return m


def differences(a: dict, b: dict, path: str = "") -> list[str]:
    """Every place where two models differ, as readable lines."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b), key=str):
            if k not in a:
                out.append(f"{path}/{k}: only in CDK: {json.dumps(b[k], default=str)[:300]}")
            elif k not in b:
                out.append(f"{path}/{k}: only in SAM: {json.dumps(a[k], default=str)[:300]}")
            else:
                out.extend(differences(a[k], b[k], f"{path}/{k}"))
        return out
    if isinstance(a, list) and isinstance(b, list):
        if canon(a) == canon(b):
            return []
        if len(a) == len(b):
            out = []
            for i, (x, y) in enumerate(zip(a, b)):
                out.extend(differences(x, y, f"{path}[{i}]"))
            if out:
                return out
        return [f"{path}: SAM {json.dumps(a, default=str)[:400]} != CDK {json.dumps(b, default=str)[:400]}"]
    if scalar(a) != scalar(b):
        return [f"{path}: SAM {a!r} != CDK {b!r}"]
    return []


# --- fixtures (sam_template and cdk_template are in conftest.py) ---------------------------------


@pytest.fixture(scope="session")
def models(sam_template, cdk_template):
    return model(sam_template, "sam"), model(cdk_template, "cdk")


# --- the proof -----------------------------------------------------------------------------------


def test_every_resource_is_understood(models):
    for m in models:
        assert m["unknown"] == [], "resource types the equivalence model does not compare"


def test_same_resources_with_the_same_properties(models):
    sam, cdk = models
    diff = differences(sam["resources"], cdk["resources"])
    assert diff == [], "SAM and CDK differ:\n" + "\n".join(diff)


def test_same_http_routes(models):
    sam, cdk = models
    assert sam["routes"] == cdk["routes"]
    assert set(sam["routes"]) == {"ANY /v1/invoices/pdf", "ANY /v1/invoices", "ANY /v1/invoices/{id+}"}
    assert all(r["auth"] == "AWS_IAM" and r["payload"] == "2.0" for r in sam["routes"].values())
    assert sam["apis"] == cdk["apis"] == {"HttpApi": {"protocol": "HTTP"}}


def test_same_invoke_permissions(models):
    sam, cdk = models
    # One permission per route (SAM) or per route too (CDK), plus the SNS subscription's.
    assert sorted(set(sam["permissions"])) == sorted(set(cdk["permissions"]))


def test_no_policy_outside_the_roles(models):
    # Every permission of a function is in its own role, written out, on both sides.
    sam, cdk = models
    assert sam["role_policies"] == cdk["role_policies"] == []


def test_same_parameters_and_outputs(models):
    sam, cdk = models
    assert differences(sam["parameters"], cdk["parameters"]) == []
    assert differences(sam["outputs"], cdk["outputs"]) == []


def test_same_conditions_and_mappings(models):
    sam, cdk = models
    assert differences(sam["conditions"], cdk["conditions"]) == []
    assert differences(sam["mappings"], cdk["mappings"]) == []
    assert sam["mappings"]["MailerPacing"]["14"] == {"Concurrency": "2"}
    assert sam["conditions"] == {"HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": ["${AlarmEmail}", ""]}]}}
    assert sam["resources"]["AlarmEmailSubscription"]["Condition"] == "HasAlarmEmail"


def test_the_model_holds_what_the_design_asks_for(models):
    """Not only equal, but equal in what matters: a sanity check on the model itself."""
    sam, _ = models
    res = sam["resources"]
    functions = {lid: r for lid, r in res.items() if r["Type"] == "AWS::Lambda::Function"}
    assert set(functions) == {"InvoiceApiFunction", "PdfGeneratorFunction", "PdfMailerFunction", "EventArchiverFunction"}
    for f in functions.values():
        p = f["Properties"]
        assert (p["Runtime"], p["Architectures"], p["Handler"]) == ("provided.al2023", ["arm64"], "bootstrap")
        assert p["MemorySize"] == "${MemorySize}"
        assert f["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert functions["PdfMailerFunction"]["Properties"]["Environment"]["Variables"] == {
        "DOCUMENTS_BUCKET": "${DocumentsBucket}",
        "DOCUMENT_EVENTS_TOPIC_ARN": "${DocumentEventsTopic}",
        "MAIL_FROM": "${SenderAddress}",
    }
    esm = res["PdfGeneratorFunctionPdfRequests"]["Properties"]
    assert esm["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert esm["EventSourceArn"] == "${PdfRequestsQueue.Arn}"
    # Lambda's advice for SQS sources: visibility at least 6 x the timeout plus the batching window;
    # paperflow keeps a margin over that.
    for queue_id, esm_id, function_id in [
        ("PdfRequestsQueue", "PdfGeneratorFunctionPdfRequests", "PdfGeneratorFunction"),
        ("ArchiveQueue", "EventArchiverFunctionArchive", "EventArchiverFunction"),
    ]:
        timeout = int(functions[function_id]["Properties"]["Timeout"])
        window = int(res[esm_id]["Properties"]["MaximumBatchingWindowInSeconds"])
        visibility = res[queue_id]["Properties"]["VisibilityTimeout"]
        assert visibility == "${QueueVisibilityTimeout}", queue_id
        assert int(sam["parameters"]["QueueVisibilityTimeout"]["Default"]) > 6 * timeout + window, queue_id
    queue = res["PdfRequestsQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == "${PdfRequestsDeadLetterQueue.Arn}"
    sub = res["PdfRequestsSubscription"]["Properties"]
    assert (sub["RawMessageDelivery"], sub["FilterPolicy"]) == ("true", {"type": [{"prefix": "invoice.finalized."}]})
    mailer_sub = res["PdfMailerFunctionPdfReady"]["Properties"]
    assert mailer_sub["FilterPolicy"] == {"type": ["invoice.pdf.ready.v1"]}
    # Every SNS subscription has a dead-letter queue, and SNS may write to it.
    subscriptions = {lid: r for lid, r in res.items() if r["Type"] == "AWS::SNS::Subscription"}
    assert len(subscriptions) == 5
    for lid, r in subscriptions.items():
        dlq = r["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]
        queue_id = dlq.removeprefix("${").removesuffix(".Arn}")
        policy = next(p for p in res.values() if p["Type"] == "AWS::SQS::QueuePolicy" and p["Properties"]["Queues"] == [f"${{{queue_id}}}"])
        senders = [
            st["Condition"]["ArnEquals"]["aws:SourceArn"]
            for st in policy["Properties"]["PolicyDocument"]
            if st["Effect"] == "Allow" and st.get("Principal") == {"Service": ["sns.amazonaws.com"]}
        ]
        assert r["Properties"]["TopicArn"] in senders, f"{lid}: SNS may not write to {queue_id}"
    # Every alarm tells someone: the alarm topic, when it fires and when it is OK again.
    alarms = {lid: r["Properties"] for lid, r in res.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    assert len(alarms) == 23
    for lid, alarm in alarms.items():
        assert alarm["AlarmActions"] == ["${AlarmTopic}"] == alarm["OKActions"], lid
    # The mailer is paced and the API capped; the queue consumers are bounded by their mappings.
    assert functions["PdfMailerFunction"]["Properties"]["ReservedConcurrentExecutions"] == {
        "Fn::FindInMap": ["MailerPacing", "${SesMaxSendRate}", "Concurrency"]
    }
    assert functions["InvoiceApiFunction"]["Properties"]["ReservedConcurrentExecutions"] == "${ApiReservedConcurrency}"
    for lid, r in res.items():
        if r["Type"] == "AWS::IAM::Role":
            for policy in r["Properties"]["Policies"]:
                for st in policy["PolicyDocument"]:
                    assert "s3:PutObjectAcl" not in st["Action"], lid
                    assert "*" not in st["Resource"], f"{lid}: Resource * for {st['Action']}"


# --- the proof fails when one side changes -------------------------------------------------------


def _sam_model_after(change) -> dict:
    sam = load_sam()
    change(sam["Resources"])
    return model(translate(sam), "sam")


@pytest.mark.parametrize(
    "what, change",
    [
        ("function timeout", lambda r: r["PdfGeneratorFunction"]["Properties"].__setitem__("Timeout", 31)),
        ("function memory", lambda r: r["PdfMailerFunction"]["Properties"].__setitem__("MemorySize", 1024)),
        ("architecture", lambda r: r["EventArchiverFunction"]["Properties"].__setitem__("Architectures", ["x86_64"])),
        (
            "environment value",
            lambda r: r["InvoiceApiFunction"]["Properties"]["Environment"]["Variables"].__setitem__(
                "DOCUMENTS_BUCKET", {"Ref": "ArchiveBucket"}
            ),
        ),
        (
            "filter policy",
            lambda r: r["PdfRequestsSubscription"]["Properties"].__setitem__("FilterPolicy", {"type": ["invoice.pdf.ready.v1"]}),
        ),
        ("raw delivery", lambda r: r["ArchiveInvoiceEventsSubscription"]["Properties"].__setitem__("RawMessageDelivery", False)),
        (
            "redrive",
            lambda r: r["ArchiveQueue"]["Properties"]["RedrivePolicy"].__setitem__("maxReceiveCount", 3),
        ),
        (
            "batch size",
            lambda r: r["PdfGeneratorFunction"]["Properties"]["Events"]["PdfRequests"]["Properties"].__setitem__("BatchSize", 5),
        ),
        ("topic name", lambda r: r["DocumentEventsTopic"]["Properties"].__setitem__("TopicName", "documents")),
        (
            "bucket versioning",
            lambda r: r["ArchiveBucket"]["Properties"]["VersioningConfiguration"].__setitem__("Status", "Suspended"),
        ),
        (
            "route",
            lambda r: r["InvoiceApiFunction"]["Properties"]["Events"]["GetInvoice"]["Properties"].__setitem__(
                "Path", "/v1/invoice/{id}"
            ),
        ),
        (
            "role action",
            lambda r: r["PdfMailerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"].append(
                {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": {"Fn::Sub": "${DocumentsBucket.Arn}/mail/*"}}
            ),
        ),
        ("extra resource", lambda r: r.__setitem__("Extra", {"Type": "AWS::SQS::Queue", "Properties": {}})),
        ("subscription redrive", lambda r: r["ArchiveDocumentEventsSubscription"]["Properties"].pop("RedrivePolicy")),
        ("alarm action", lambda r: r["ArchiveAgeAlarm"]["Properties"].pop("OKActions")),
        ("alarm threshold", lambda r: r["PdfRequestsAgeAlarm"]["Properties"].__setitem__("Threshold", 3600)),
        (
            "reserved concurrency",
            lambda r: r["InvoiceApiFunction"]["Properties"].__setitem__("ReservedConcurrentExecutions", 50),
        ),
        ("resource condition", lambda r: r["AlarmEmailSubscription"].pop("Condition")),
    ],
)
def test_a_change_on_one_side_is_found(models, what, change):
    _, cdk = models
    changed = _sam_model_after(change)
    found = (
        differences(changed["resources"], cdk["resources"])
        + differences(changed["routes"], cdk["routes"])
        + changed["unknown"]
    )
    assert found, f"changing the {what} in the SAM template went unnoticed"


def test_a_change_in_the_cdk_output_is_found(models, cdk_template):
    sam, _ = models
    changed = copy.deepcopy(cdk_template)
    changed["Resources"]["PdfGeneratorFunctionPdfRequests"]["Properties"]["FunctionResponseTypes"] = []
    changed["Resources"]["InvoiceApiFunction"]["Properties"]["Timeout"] = 30
    diff = differences(sam["resources"], model(changed, "cdk")["resources"])
    assert any("FunctionResponseTypes" in d for d in diff)
    assert any("InvoiceApiFunction/Properties/Timeout" in d for d in diff)
