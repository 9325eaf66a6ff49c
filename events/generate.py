#!/usr/bin/env python3
"""Writes the sample trigger events of this folder, in exactly the shape AWS delivers them.

Run from anywhere: `python3 events/generate.py`. The invoice comes from samples/; the SQS record
shape follows the fixtures of the aws_lambda_events crate (messageId, receiptHandle, body,
md5OfBody, attributes, eventSource, eventSourceARN, awsRegion), and the SNS notification wrapper
follows what SNS delivers to SQS with RawMessageDelivery off.
"""
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
INVOICE = json.loads((HERE.parent / "samples" / "invoice-small.json").read_text())
QUEUE_ARN = "arn:aws:sqs:eu-central-1:123456789012:paperflow-pdf-requests"
TOPIC_ARN = "arn:aws:sns:eu-central-1:123456789012:paperflow-invoice-events"


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


def sns_wrapped(event, message_id):
    return {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": TOPIC_ARN,
        "Message": json.dumps(event, ensure_ascii=False),
        "Timestamp": "2026-11-26T14:05:41.200Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
        "SigningCertURL": "https://sns.eu-central-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
        "UnsubscribeURL": "https://sns.eu-central-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=" + TOPIC_ARN + ":8a21d249-4329-4871-acc6-7be709ed2b2f",
        "MessageAttributes": {
            "type": {"Type": "String", "Value": event["type"]},
            "subject": {"Type": "String", "Value": event.get("subject", "")},
            "correlationid": {"Type": "String", "Value": event["correlationid"]},
        },
    }


def record(message_id, body):
    return {
        "messageId": message_id,
        "receiptHandle": "AQEB" + hashlib.sha256(message_id.encode()).hexdigest(),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1764165941200",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1764165941210",
        },
        "messageAttributes": {},
        "md5OfBody": hashlib.md5(body.encode()).hexdigest(),
        "eventSource": "aws:sqs",
        "eventSourceARN": QUEUE_ARN,
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
    route = "GET /v1/invoices/{id}" if method == "GET" else f"{method} {path}"
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
            "timeEpoch": 1764165941123,
        },
        "isBase64Encoded": False,
    }
    if query:
        request["queryStringParameters"] = dict(pair.split("=", 1) for pair in query.split("&"))
    if method == "GET":
        request["pathParameters"] = {"id": path.rsplit("/", 1)[1]}
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
