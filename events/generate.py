#!/usr/bin/env python3
"""Writes the sample trigger events of this folder, in exactly the shape AWS delivers them.

Run from the project's root: `python3 events/generate.py`. The invoice comes from samples/; the
SQS record shape follows the fixtures of the aws_lambda_events crate (messageId, receiptHandle,
body, md5OfBody, attributes, eventSource, eventSourceARN, awsRegion), the SNS notification wrapper
follows what SNS delivers to SQS with RawMessageDelivery off, and the SNS trigger event what
Lambda hands a function subscribed to a topic. The ready notices describe the PDF (and XML) that
`paperflow render` makes of the sample (size, SHA-256, pages), so the mailer accepts them once the
pdf-generator has stored those files, and the failed notice quotes what `paperflow validate` says
of its input: regenerate after a change to the renderer's output or the validator's messages
(`tests/function_invoke.rs` and `tests/json_schemas.rs` say when they disagree).
"""
import hashlib
import json
import pathlib
import subprocess
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
INVOICE = json.loads((HERE.parent / "samples" / "invoice-small.json").read_text())
# An XRechnung document (its own `einvoice`), the 1.1 shape: the direct way's Factur-X request and
# the ready notice of an XML stored beside its PDF.
XRECHNUNG_SAMPLE = HERE.parent / "samples" / "einvoice-xrechnung.json"
XRECHNUNG = json.loads(XRECHNUNG_SAMPLE.read_text())
QUEUE_ARN = "arn:aws:sqs:eu-central-1:123456789012:paperflow-pdf-requests"
ARCHIVE_QUEUE_ARN = "arn:aws:sqs:eu-central-1:123456789012:paperflow-archive"
TOPIC_ARN = "arn:aws:sns:eu-central-1:123456789012:paperflow-invoice-events"
DOCUMENT_EVENTS_ARN = "arn:aws:sns:eu-central-1:123456789012:paperflow-document-events"
# The documents bucket of the test kit (paperflow_tests::stack::DOCUMENTS_BUCKET).
DOCUMENTS_BUCKET = "paperflow-documents"


def finalized(event_id, data, event_type="invoice.finalized.v1", subject=None):
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "erp/billing",
        "type": event_type,
        "subject": subject or data.get("invoice_id", "unknown"),
        "time": "2026-11-26T14:05:41.123Z",
        "datacontenttype": "application/json",
        "correlationid": "corr-" + event_id[-12:],
        "data": data,
    }


def sns_notification(event, message_id, topic_arn, timestamp):
    """What SNS publishes for `event` on `topic_arn`: as it arrives in an SQS body with
    RawMessageDelivery off."""
    subscription = topic_arn + ":8a21d249-4329-4871-acc6-7be709ed2b2f"
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
        "Message": json.dumps(event, ensure_ascii=False),
        "Timestamp": timestamp,
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        "UnsubscribeURL": "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + subscription,
        "MessageAttributes": {
            "type": {"Type": "String", "Value": event["type"]},
            "subject": {"Type": "String", "Value": event.get("subject", "")},
            "correlationid": {"Type": "String", "Value": event["correlationid"]},
        },
    }


def sns_wrapped(event, message_id):
    return sns_notification(event, message_id, TOPIC_ARN, "2026-11-26T14:05:41.200Z")


def record(message_id, body, queue_arn=QUEUE_ARN):
    return {
        "messageId": message_id,
        "receiptHandle": "AQEB" + hashlib.sha256(message_id.encode()).hexdigest(),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1795701941200",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1795701941210",
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": "eu-central-1",
    }


def write(name, records):
    path = HERE / name
    path.write_text(json.dumps({"Records": records}, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote events/{name} ({len(records)} record(s))")


good = finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e01", INVOICE)
write("sqs-raw-invoice-finalized.json", [record("5f1c9a2e-0001-4c43-8e8f-1d2a3b4c5d01", json.dumps(good))])
write(
    "sqs-sns-wrapped-invoice-finalized.json",
    [record("5f1c9a2e-0002-4c43-8e8f-1d2a3b4c5d02", json.dumps(sns_wrapped(good, "b6a4e0c2-2f0e-5b1a-9f3c-6d7e8f9a0b12")))],
)

invalid = dict(INVOICE, invoice_id="INV-2026-000124", currency="XYZ")
invalid["lines"] = [dict(INVOICE["lines"][0], quantity=0)]
second = dict(INVOICE, invoice_id="INV-2026-000125")
write(
    "sqs-mixed-batch.json",
    [
        record("5f1c9a2e-0003-4c43-8e8f-1d2a3b4c5d03", json.dumps(finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e03", second))),
        record("5f1c9a2e-0004-4c43-8e8f-1d2a3b4c5d04", "this is not JSON {"),
        record("5f1c9a2e-0005-4c43-8e8f-1d2a3b4c5d05", json.dumps(finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e05", invalid))),
        record(
            "5f1c9a2e-0006-4c43-8e8f-1d2a3b4c5d06",
            json.dumps(finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e06", INVOICE, event_type="invoice.finalized.v2")),
        ),
    ],
)


# --- API Gateway HTTP API (payload format 2.0) requests for the invoice-api --------------------
# The shape of aws_lambda_events' example-apigw-v2-request-iam.json: IAM authorization, the
# $default stage, the body as text (API Gateway sends JSON bodies unencoded).


def http_request(method, path, body=None, headers=None, query=""):
    all_headers = {
        "accept": "*/*",
        "content-length": str(len(body.encode())) if body else "0",
        "host": "abc123def4.execute-api.eu-central-1.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-6745d6f1-0123456789abcdef01234567",
        "x-forwarded-for": "198.51.100.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    all_headers.update(headers or {})
    # The deployed routes: every method, the status route greedy (ids may contain "/").
    route = "ANY /v1/invoices/{id+}" if method == "GET" else f"ANY {path}"
    request = {
        "version": "2.0",
        "routeKey": route,
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123def4",
            "authorizer": {
                "iam": {
                    "accessKey": "ASIAEXAMPLEEXAMPLE01",
                    "accountId": "123456789012",
                    "callerId": "AROAEXAMPLEEXAMPLE01:billing",
                    "principalOrgId": None,
                    "userArn": "arn:aws:sts::123456789012:assumed-role/billing/billing",
                    "userId": "AROAEXAMPLEEXAMPLE01:billing",
                }
            },
            "domainName": "abc123def4.execute-api.eu-central-1.amazonaws.com",
            "domainPrefix": "abc123def4",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.7",
                "userAgent": "curl/8.5.0",
            },
            "requestId": "Bx0Pqj7SFiAEJmw=",
            "routeKey": route,
            "stage": "$default",
            "time": "26/Nov/2026:14:05:41 +0000",
            "timeEpoch": 1795701941123,
        },
        "isBase64Encoded": False,
    }
    if query:
        request["queryStringParameters"] = dict(pair.split("=", 1) for pair in query.split("&"))
    if method == "GET":
        request["pathParameters"] = {"id": path.removeprefix("/v1/invoices/")}
    if body is not None:
        request["body"] = body
    return request


def write_request(name, request):
    path = HERE / name
    path.write_text(json.dumps(request, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote events/{name}")


JSON_HEADERS = {"content-type": "application/json", "x-correlation-id": "corr-api-sample-0001"}
write_request("apigw-v2-render-pdf.json", http_request("POST", "/v1/invoices/pdf", json.dumps(INVOICE), JSON_HEADERS))
write_request(
    "apigw-v2-submit-invoice.json",
    http_request(
        "POST",
        "/v1/invoices",
        json.dumps(INVOICE),
        dict(JSON_HEADERS, **{"idempotency-key": "erp-billing-INV-2026-000123-r1"}),
    ),
)
write_request("apigw-v2-invoice-status.json", http_request("GET", "/v1/invoices/" + INVOICE["invoice_id"], query="revision=1"))
write_request(
    "apigw-v2-render-pdf-invalid.json",
    http_request("POST", "/v1/invoices/pdf", json.dumps(invalid), JSON_HEADERS),
)
# The request's format wins over the document's own ("xrechnung"): one Factur-X PDF/A-3b answer.
write_request(
    "apigw-v2-render-pdf-factur-x.json",
    http_request(
        "POST", "/v1/invoices/pdf", json.dumps(XRECHNUNG, ensure_ascii=False), JSON_HEADERS, query="einvoice=factur-x"
    ),
)


# --- Notices on document-events, for the pdf-mailer (SNS trigger) and the event-archiver -------


def paperflow(*args, check=True):
    """Runs the `paperflow` command of this checkout."""
    return subprocess.run(
        ["cargo", "run", "--quiet", "-p", "paperflow-cli", "--", *args],
        cwd=HERE.parent,
        check=check,
        capture_output=True,
        text=True,
    )


def rendered_facts(sample):
    """Size, SHA-256 and page count (pdfinfo) of the PDF `paperflow render` makes of `sample`, as
    its own `einvoice` asks, and the SHA-256 of the XML written beside it (None without one)."""
    with tempfile.TemporaryDirectory() as scratch:
        pdf_path = pathlib.Path(scratch) / "invoice.pdf"
        paperflow("render", str(sample), "-o", str(pdf_path))
        info = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True, text=True).stdout
        pdf = pdf_path.read_bytes()
        xml_path = pdf_path.with_suffix(".xml")
        xml_sha256 = hashlib.sha256(xml_path.read_bytes()).hexdigest() if xml_path.exists() else None
    pages = next(int(line.split()[1]) for line in info.splitlines() if line.startswith("Pages:"))
    return len(pdf), hashlib.sha256(pdf).hexdigest(), pages, xml_sha256


def invalid_message(document):
    """The message of the pdf-generator's `invalid_invoice` failure for `document`: every problem
    `paperflow validate` finds, with its pointer, in the generator's words."""
    with tempfile.TemporaryDirectory() as scratch:
        path = pathlib.Path(scratch) / "invalid.json"
        path.write_text(json.dumps(document))
        report = paperflow("validate", str(path), check=False)
    assert report.returncode == 2, report.stdout + report.stderr
    problems = [line.strip() for line in report.stdout.splitlines() if line.startswith("  ")]
    return "the invoice is invalid: " + "; ".join(problems)


def notice(event_id, source, event_type, cause, data):
    """A notice caused by `cause`: its correlation id, and `causationid` = the cause's id."""
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": source,
        "type": event_type,
        "subject": data.get("invoice_id") or cause["subject"],
        "time": "2026-11-26T14:05:42.500Z",
        "datacontenttype": "application/json",
        "correlationid": cause["correlationid"],
        "causationid": cause["id"],
        "data": data,
    }


def sns_trigger(event, message_id):
    """The event Lambda hands a function subscribed to document-events (one record): the same
    notification, with `Subject` and Lambda's spelling of the two URLs (`…Url`, not `…URL`)."""
    sns = sns_notification(event, message_id, DOCUMENT_EVENTS_ARN, "2026-11-26T14:05:42.600Z")
    sns["Subject"] = None
    sns["SigningCertUrl"] = sns.pop("SigningCertURL")
    sns["UnsubscribeUrl"] = sns.pop("UnsubscribeURL")
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": DOCUMENT_EVENTS_ARN + ":8a21d249-4329-4871-acc6-7be709ed2b2f",
                "Sns": sns,
            }
        ]
    }


size, sha256, pages, _ = rendered_facts(HERE.parent / "samples" / "invoice-small.json")
key = f"invoices/{INVOICE['invoice_id']}/r1.pdf"
ready = notice(
    "0193a5b0-7c2f-7d3a-9f10-5a1b2c3d4e01",
    "paperflow/pdf-generator",
    "invoice.pdf.ready.v1",
    good,
    {
        "invoice_id": INVOICE["invoice_id"],
        "revision": 1,
        "bucket": DOCUMENTS_BUCKET,
        "key": key,
        "size": size,
        "sha256": sha256,
        "pages": pages,
        "buyer_email": INVOICE["buyer"]["email"],
    },
)
write_request("sns-invoice-pdf-ready.json", sns_trigger(ready, "c7b5f1d3-3a1f-5c2b-8e4d-7f8a9b0c1d23"))

# The 1.1 ready notice: an XRechnung, its XML stored beside the PDF (`xml_key`, `xml_sha256`).
xrechnung_cause = finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e07", XRECHNUNG)
size, sha256, pages, xml_sha256 = rendered_facts(XRECHNUNG_SAMPLE)
folder = f"invoices/{XRECHNUNG['invoice_id']}/r{XRECHNUNG['revision']}"
xrechnung_ready = notice(
    "0193a5b0-7c2f-7d3a-9f10-5a1b2c3d4e07",
    "paperflow/pdf-generator",
    "invoice.pdf.ready.v1",
    xrechnung_cause,
    {
        "invoice_id": XRECHNUNG["invoice_id"],
        "revision": XRECHNUNG["revision"],
        "bucket": DOCUMENTS_BUCKET,
        "key": folder + ".pdf",
        "size": size,
        "sha256": sha256,
        "pages": pages,
        "buyer_email": XRECHNUNG["buyer"]["email"],
        "einvoice": "xrechnung",
        "xml_key": folder + ".xml",
        "xml_sha256": xml_sha256,
    },
)
write_request(
    "sns-invoice-pdf-ready-xrechnung.json", sns_trigger(xrechnung_ready, "c7b5f1d3-3a1f-5c2b-8e4d-7f8a9b0c1d27")
)

failed = notice(
    "0193a5b0-7c2f-7d3a-9f10-5a1b2c3d4e05",
    "paperflow/pdf-generator",
    "invoice.pdf.failed.v1",
    finalized("0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e05", invalid),
    {
        "invoice_id": invalid["invoice_id"],
        "code": "invalid_invoice",
        "message": invalid_message(invalid),
        "input": invalid,
    },
)
emailed = notice(
    "0193a5b0-7c30-7d3a-9f10-5a1b2c3d4e01",
    "paperflow/pdf-mailer",
    "invoice.emailed.v1",
    ready,
    {
        "invoice_id": INVOICE["invoice_id"],
        "revision": 1,
        "recipient": INVOICE["buyer"]["email"],
        "message_id": "0100019a0b1c2d3e-5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c-000000",
    },
)
write(
    "sqs-archive-batch.json",
    [
        record("5f1c9a2e-0101-4c43-8e8f-1d2a3b4c5e01", json.dumps(good), ARCHIVE_QUEUE_ARN),
        record("5f1c9a2e-0102-4c43-8e8f-1d2a3b4c5e02", json.dumps(ready), ARCHIVE_QUEUE_ARN),
        record("5f1c9a2e-0103-4c43-8e8f-1d2a3b4c5e03", json.dumps(failed), ARCHIVE_QUEUE_ARN),
        record("5f1c9a2e-0104-4c43-8e8f-1d2a3b4c5e04", json.dumps(emailed), ARCHIVE_QUEUE_ARN),
        record("5f1c9a2e-0105-4c43-8e8f-1d2a3b4c5e05", "this is not JSON {", ARCHIVE_QUEUE_ARN),
    ],
)
