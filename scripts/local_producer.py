#!/usr/bin/env python3
"""A producer and observer of the local stack that is not Rust: boto3 and the standard library.

It is what another team's system would do against paperflow: publish invoice.finalized.v1
events to the invoice-events topic, call the HTTP API, and listen to document-events through a
queue of its own. It finds the stack through the state file `paperflow local` writes
(endpoints, topic ARNs, bucket names, the API's URL).

    local_producer.py observe --state STATE            # subscribe an observer queue; prints its URL
    local_producer.py publish --state STATE FILE...    # one event per invoice document
    local_producer.py publish --state STATE --copies 500 samples/invoice-small.json
    local_producer.py render --state STATE FILE -o OUT.pdf   # POST /v1/invoices/pdf
    local_producer.py collect --state STATE --queue URL --expect N [--timeout S]
    local_producer.py get --state STATE --bucket B --key K -o OUT   # an object of the stack

Every command prints one JSON document on stdout.
"""

import argparse
import json
import os
import sys
import time
import urllib.request
import uuid

import boto3

SOURCE = "demo/erp-billing"


def load_state(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def client(state, service):
    # The emulator accepts any credentials; the endpoint is the only thing that matters.
    return boto3.client(
        service,
        endpoint_url=state["endpoint"],
        region_name=state["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def envelope(document, correlation_id):
    """An invoice.finalized.v1 CloudEvent, as DESIGN.md defines it."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": SOURCE,
        "type": "invoice.finalized.v1",
        "subject": str(document.get("invoice_id", "unknown")),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "datacontenttype": "application/json",
        "correlationid": correlation_id,
        "data": document,
    }


def publish(state, documents):
    """Publishes one event per document, with the attributes subscriptions filter on."""
    sns = client(state, "sns")
    topic = state["outputs"]["InvoiceEventsTopicArn"]
    sent = []
    started = time.monotonic()
    for document in documents:
        correlation_id = "corr-" + uuid.uuid4().hex[:12]
        if isinstance(document, str):
            # A poison message: not an event at all, yet of the type the subscription wants.
            event = {"type": "invoice.finalized.v1", "subject": "poison", "id": None}
            message = document
        else:
            event = envelope(document, correlation_id)
            message = json.dumps(event)
        sns.publish(
            TopicArn=topic,
            Message=message,
            MessageAttributes={
                "type": {"DataType": "String", "StringValue": event["type"]},
                "subject": {"DataType": "String", "StringValue": event["subject"]},
                "correlationid": {"DataType": "String", "StringValue": correlation_id},
            },
        )
        sent.append(
            {
                "invoice_id": event["subject"],
                "revision": document.get("revision", 1) if isinstance(document, dict) else None,
                "event_id": event["id"],
                "correlation_id": correlation_id,
            }
        )
    return {"published": sent, "seconds": round(time.monotonic() - started, 3)}


def observe(state, event_type=None):
    """A queue of the observer's own, subscribed raw to document-events (every type, or one)."""
    sqs = client(state, "sqs")
    sns = client(state, "sns")
    name = "observer-" + uuid.uuid4().hex[:8]
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(
        TopicArn=state["outputs"]["DocumentEventsTopicArn"],
        Protocol="sqs",
        Endpoint=arn,
        Attributes=dict(
            {"RawMessageDelivery": "true"},
            **({"FilterPolicy": json.dumps({"type": [event_type]})} if event_type else {}),
        ),
        ReturnSubscriptionArn=True,
    )
    return {"queue_url": url}


def collect(state, queue_url, expect, timeout):
    """Receives notices until `expect` of them arrived (or `timeout` seconds passed)."""
    sqs = client(state, "sqs")
    notices = []
    deadline = time.monotonic() + timeout
    while len(notices) < expect and time.monotonic() < deadline:
        reply = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in reply.get("Messages", []):
            notices.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return {"notices": notices, "complete": len(notices) >= expect}


def render(state, path, out):
    """POST /v1/invoices/pdf: the direct way, one HTTP call."""
    with open(path, "rb") as handle:
        body = handle.read()
    request = urllib.request.Request(
        state["api_url"].rstrip("/") + "/v1/invoices/pdf",
        data=body,
        method="POST",
        headers={"content-type": "application/json", "accept": "application/pdf"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        pdf = response.read()
        status = response.status
        content_type = response.headers.get("content-type")
    with open(out, "wb") as handle:
        handle.write(pdf)
    return {"status": status, "content_type": content_type, "bytes": len(pdf), "path": out}


def get(state, bucket, key, out):
    """Downloads one object of the stack's buckets."""
    client(state, "s3").download_file(bucket, key, out)
    return {"path": out, "bytes": os.path.getsize(out)}


def read_documents(paths, copies):
    documents = []
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            document = json.loads(text)
        except json.JSONDecodeError:
            document = text  # a poison message on purpose: published as it is
        if copies > 1 and isinstance(document, dict):
            for index in range(copies):
                copy = dict(document)
                copy["invoice_id"] = f"{document['invoice_id']}-{index:05d}"
                documents.append(copy)
        else:
            documents.append(document)
    return documents


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("observe", "publish", "render", "collect", "get"):
        command = commands.add_parser(name)
        command.add_argument("--state", required=True, help="the state file of `paperflow local`")
        if name == "publish":
            command.add_argument("files", nargs="+")
            command.add_argument("--copies", type=int, default=1, help="N invoices per file, ids suffixed")
        if name == "render":
            command.add_argument("file")
            command.add_argument("-o", "--out", required=True)
        if name == "observe":
            command.add_argument("--type", help="only notices of this type")
        if name == "get":
            command.add_argument("--bucket", required=True)
            command.add_argument("--key", required=True)
            command.add_argument("-o", "--out", required=True)
        if name == "collect":
            command.add_argument("--queue", required=True)
            command.add_argument("--expect", type=int, required=True)
            command.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    state = load_state(args.state)
    if args.command == "observe":
        result = observe(state, args.type)
    elif args.command == "publish":
        result = publish(state, read_documents(args.files, args.copies))
    elif args.command == "render":
        result = render(state, args.file, args.out)
    elif args.command == "get":
        result = get(state, args.bucket, args.key, args.out)
    else:
        result = collect(state, args.queue, args.expect, args.timeout)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
