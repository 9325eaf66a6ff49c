#!/usr/bin/env python3
"""Asks an emulator the questions paperflow's behaviour rests on, one small probe each, and
prints one line per answer: what docs/EMULATORS.md compares between moto and LocalStack.

    .tools/venv/bin/python scripts/probe-emulator.py http://127.0.0.1:PORT

Every probe uses resources of its own (a random suffix), so it can run against a stack in use.
It talks to loopback only.
"""

import json
import sys
import uuid
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"


def client(endpoint, service):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


def answer_of(call):
    """`ok` or the error's HTTP status and code."""
    try:
        call()
        return "ok"
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return f"{status} {error.response.get('Error', {}).get('Code')}"


def probe(endpoint):
    suffix = uuid.uuid4().hex[:8]
    results = {}
    sts = client(endpoint, "sts")
    results["sts GetCallerIdentity account"] = sts.get_caller_identity()["Account"]

    sesv2 = client(endpoint, "sesv2")
    results["sesv2 ListContactLists"] = answer_of(sesv2.list_contact_lists)

    s3 = client(endpoint, "s3")
    bucket = f"probe-{suffix}"
    s3.create_bucket(Bucket=bucket)
    put = lambda **extra: s3.put_object(Bucket=bucket, Key="k", Body=b"one", **extra)  # noqa: E731
    results["s3 PutObject If-None-Match:* (new key)"] = answer_of(lambda: put(IfNoneMatch="*"))
    results["s3 PutObject If-None-Match:* (existing key)"] = answer_of(lambda: put(IfNoneMatch="*"))
    results["s3 PutObject If-Match wrong ETag"] = answer_of(lambda: put(IfMatch='"0000"'))
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"]
    results["s3 PutObject If-None-Match:<etag> (not *)"] = answer_of(lambda: put(IfNoneMatch=etag))
    results["s3 PutObject If-Match current ETag"] = answer_of(lambda: put(IfMatch=etag))
    results["s3 PutObject If-Match on a missing key"] = answer_of(
        lambda: s3.put_object(Bucket=bucket, Key="missing", Body=b"x", IfMatch=etag)
    )

    sqs = client(endpoint, "sqs")
    dlq_url = sqs.create_queue(QueueName=f"probe-dlq-{suffix}")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    queue_url = sqs.create_queue(
        QueueName=f"probe-q-{suffix}",
        Attributes={
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    results["sqs queue URL"] = queue_url.replace(suffix, "…")
    sqs.send_message(QueueUrl=queue_url, MessageBody="poison")
    first = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    second = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    in_dlq = sqs.receive_message(QueueUrl=dlq_url, WaitTimeSeconds=1, VisibilityTimeout=0).get(
        "Messages", []
    )
    results["sqs redrive after maxReceiveCount 1"] = (
        f"received {len(first)} then {len(second)}; in the DLQ {len(in_dlq)}"
    )
    sources = answer_of(lambda: sqs.list_dead_letter_source_queues(QueueUrl=dlq_url))
    results["sqs ListDeadLetterSourceQueues"] = sources
    move = {}

    def start_move():
        move.update(sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=queue_arn))

    results["sqs StartMessageMoveTask"] = answer_of(start_move)
    if move:
        back = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
        results["sqs message moved back"] = f"{len(back)} in the source queue"
        results["sqs ListMessageMoveTasks"] = answer_of(
            lambda: sqs.list_message_move_tasks(SourceArn=dlq_arn)
        )

    sns = client(endpoint, "sns")
    topic = sns.create_topic(Name=f"probe-topic-{suffix}")["TopicArn"]
    target_url = sqs.create_queue(QueueName=f"probe-target-{suffix}")["QueueUrl"]
    target_arn = sqs.get_queue_attributes(QueueUrl=target_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=target_arn,
        Attributes={
            "RawMessageDelivery": "true",
            "FilterPolicy": json.dumps({"type": ["invoice.finalized.v1"]}),
        },
    )

    def publish(event_type, body):
        sns.publish(
            TopicArn=topic,
            Message=body,
            MessageAttributes={"type": {"DataType": "String", "StringValue": event_type}},
        )

    publish("invoice.finalized.v1", "wanted")
    publish("invoice.pdf.ready.v1", "filtered out")
    sns.publish(TopicArn=topic, Message="no attributes")
    received = []
    for _ in range(3):
        batch = sqs.receive_message(
            QueueUrl=target_url, WaitTimeSeconds=1, MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        received += [message["Body"] for message in batch]
    results["sns filter policy on message attributes"] = f"delivered {sorted(received)}"
    return results


def main():
    endpoint = sys.argv[1] if len(sys.argv) > 1 else ""
    host = urlparse(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit("usage: probe-emulator.py http://127.0.0.1:PORT (loopback emulators only)")
    for question, answer in probe(endpoint).items():
        print(f"{question}: {answer}")


if __name__ == "__main__":
    main()
