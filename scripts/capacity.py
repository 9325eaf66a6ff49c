#!/usr/bin/env python3
"""paperflow's capacity and cost model, computed from the deployed template's own settings.

    python3 scripts/capacity.py --rate 10000 --ses-rate 14
    python3 scripts/capacity.py --rate 10000 --ses-rate 14 --no-email --json
    python3 scripts/capacity.py --pacing-table      # the template's Mappings.MailerPacing
    python3 scripts/capacity.py --record-measured "load 1.2"   # after make bench's runs

It reads infra/sam/template.yaml (timeouts, memory, batch sizes and windows, the mappings'
concurrency caps, visibility timeouts, the mailer's pacing, the alarms) and answers, for a rate
of invoices per hour and an SES send rate: the concurrency each function needs and is allowed,
the mailer's backlog and the time to drain it, the requests one invoice costs per AWS service
(each with the reason it is made, counted from lib/pipeline), and the cost per million invoices
at list prices. docs/CAPACITY.md explains the model and quotes its output.

Durations are the CPU time `make bench` measured (docs/capacity-measured.json, which
`--record-measured` writes from criterion's estimates of that run, naming each figure's bench)
plus an assumed in-region latency for each AWS request
(REQUEST_LATENCY_S below): nothing in this repository reaches AWS, so the network part cannot
be measured here. Replace them with the p50 of a deployed stack's REPORT lines when there is one.
Needs PyYAML (python3-yaml, or the project's .tools venvs).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "infra" / "sam" / "template.yaml"
MEASURED = REPO / "docs" / "capacity-measured.json"

# --- list prices ---------------------------------------------------------------------------------
# us-east-1 and eu-west-1 list prices, on-demand, without free tier, as published on the AWS
# pricing pages; read 2026-12-04 from the figures the project already used (infra/README.md).
# Check them for your region before relying on the result.
PRICES_DATE = "2026-12-04"
PRICE = {
    "lambda_gb_s_arm64": 0.0000133334,
    "lambda_request": 0.20 / 1e6,
    "sqs_request": 0.40 / 1e6,  # standard queue, per 64 KB chunk
    "sns_publish": 0.50 / 1e6,  # deliveries to SQS and Lambda are free
    "s3_put": 0.005 / 1000,  # PUT, COPY, POST, LIST
    "s3_get": 0.0004 / 1000,  # GET, HEAD
    "s3_gb_month": 0.023,
    "ses_email": 0.10 / 1000,
    "ses_attachment_gb": 0.12,
    "http_api_request": 1.00 / 1e6,
    "kms_request": 0.03 / 10000,
    "kms_key_month": 1.00,
    "logs_ingest_gb": 0.50,
    "alarm_month": 0.10,
}

# --- modelled durations ----------------------------------------------------------------------------
# Assumed p50 latency of one request from a Lambda function to the service in the same region
# (small objects and messages). Not measured here: nothing in this repository reaches AWS.
REQUEST_LATENCY_S = {
    "s3_put": 0.025,
    "s3_get": 0.015,
    "s3_list": 0.025,
    "sns_publish": 0.015,
    "ses_send": 0.060,
}
# "At 1,769 MB, a function has the equivalent of one vCPU (one vCPU-second of credits per
# second)" (Lambda developer guide, "Configuring Lambda function memory"): below that, CPU-bound
# work takes 1769 / MemorySize times as long as on the one full core the benches measure on.
FULL_VCPU_MB = 1769
# The Lambda log lines of one invocation (START, END, REPORT) and of one record (a JSON log line
# and one EMF metrics line), in bytes; plus one API access log line per request.
LOG_BYTES_PER_INVOCATION = 350
LOG_BYTES_PER_RECORD = 900
ACCESS_LOG_BYTES = 350


# --- what make bench measured ---------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """CPU time per unit of work, from docs/capacity-measured.json."""

    generator_record_s: float  # one record of an SQS batch through the pdf-generator's handler
    api_request_s: float  # one POST /v1/invoices (202) through the invoice-api's handler
    render_s: float  # the renderer alone, for reference
    mailer_notice_s: float  # one ready notice through the pdf-mailer's handler, PDF attached
    archiver_record_s: float  # one record of an SQS batch through the event-archiver's handler
    measured_on: str


# Each figure of docs/capacity-measured.json: the criterion benchmarks it is read from (group,
# bench), and the records one iteration of them handles. Of several benchmarks the larger
# median is taken, to be safe on a loaded machine.
BENCHES = {
    "render_one_page_12_lines": ([("handler", "render_one_page_12_lines")], 1),
    "pdf_generator_record": (
        [("handler", "sqs_batch_10_records"), ("handler", "sqs_batch_10_records_json_logs")], 10),
    "invoice_api_request": ([("invoice_api", "submit_202")], 1),
    "pdf_mailer_notice": ([("mailer", "ready_notice_attached_pdf")], 1),
    "event_archiver_record": ([("archiver", "sqs_batch_10_records")], 10),
}
BENCH_COMMANDS = [
    "cargo bench -p pdf-generator --bench handler",
    "cargo bench -p invoice-api --bench sync_route",
    "cargo bench -p pdf-mailer --bench handler",
    "cargo bench -p event-archiver --bench handler",
]


def load_measured(path: Path = MEASURED) -> Measured:
    figures = json.loads(path.read_text())
    cpu = figures["cpu_ms"]

    def seconds(name):
        entry = cpu.get(name, {})
        if not isinstance(entry.get("median_ms"), (int, float)) or entry["median_ms"] <= 0:
            raise ValueError(f"{path.name}: cpu_ms.{name}.median_ms must be a positive number of milliseconds")
        return entry["median_ms"] / 1000

    return Measured(
        generator_record_s=seconds("pdf_generator_record"),
        api_request_s=seconds("invoice_api_request"),
        render_s=seconds("render_one_page_12_lines"),
        mailer_notice_s=seconds("pdf_mailer_notice"),
        archiver_record_s=seconds("event_archiver_record"),
        measured_on=figures["measured_on"],
    )


def criterion_home() -> Path:
    """Where criterion keeps its estimates (as tests/src/bench.rs finds them)."""
    if os.environ.get("CRITERION_HOME"):
        return Path(os.environ["CRITERION_HOME"])
    if os.environ.get("CARGO_TARGET_DIR"):
        return Path(os.environ["CARGO_TARGET_DIR"]) / "criterion"
    return REPO / "target" / "criterion"


def record_measured(conditions: str, home: Path, today: str) -> dict:
    """docs/capacity-measured.json's content from criterion's latest estimates under `home`:
    each figure's median per unit of work and the benchmarks it came from."""
    cpu = {}
    for name, (benches, records) in BENCHES.items():
        medians = {}
        for group, bench in benches:
            estimates = home / group / bench / "new" / "estimates.json"
            if not estimates.is_file():
                raise ValueError(f"{estimates}: no estimates; run `cargo bench` for {group}/{bench} first")
            medians[f"{group}/{bench}"] = json.loads(estimates.read_text())["median"]["point_estimate"] / 1e6
        source, median = max(medians.items(), key=lambda item: item[1])
        per = f" / {records} records" if records > 1 else ""
        cpu[name] = {
            "median_ms": round(median / records, 4),
            "from": f"{source}, criterion's median {median:.3f} ms{per}"
            + (f" (the larger of {', '.join(sorted(medians))})" if len(medians) > 1 else ""),
        }
    return {
        "measured_on": f"{today}, {conditions}, {os.cpu_count()} cores, {platform.machine()}, release profile (fat LTO)",
        "commands": BENCH_COMMANDS,
        "cpu_ms": cpu,
    }


# --- the template --------------------------------------------------------------------------------


class _CfnLoader(yaml.SafeLoader):
    """A YAML loader that reads CloudFormation's short-form tags (!Ref, !Sub, ...) as plain values."""


def _any_tag(loader, tag_suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {f"Fn::{tag_suffix}" if tag_suffix != "Ref" else "Ref": value}


_CfnLoader.add_multi_constructor("!", _any_tag)


def load_template(path: Path = TEMPLATE) -> dict:
    return yaml.load(path.read_text(), Loader=_CfnLoader)


def _default(template: dict, value):
    """A property's value, a Ref to a parameter replaced by the parameter's default."""
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return template["Parameters"][value["Ref"]]["Default"]
    return value


@dataclass(frozen=True)
class Consumer:
    """A queue consumer: its function and the event source mapping that feeds it."""

    timeout_s: int
    batch_size: int
    window_s: int
    max_concurrency: int
    visibility_s: int
    max_receives: int


@dataclass(frozen=True)
class Settings:
    """What the model reads from the template."""

    memory_mb: int
    api_timeout_s: int
    api_reserved: int
    mailer_timeout_s: int
    mailer_max_event_age_s: int
    mailer_retries: int
    pacing: dict[str, int]
    ses_rate_default: str
    generator: Consumer
    archiver: Consumer
    alarms: int


def settings(template: dict) -> Settings:
    resources = template["Resources"]

    def fn(logical_id):
        return resources[logical_id]["Properties"]

    def consumer(function_id, event, queue_id):
        source = fn(function_id)["Events"][event]["Properties"]
        queue = resources[queue_id]["Properties"]
        return Consumer(
            timeout_s=int(fn(function_id)["Timeout"]),
            batch_size=int(source["BatchSize"]),
            window_s=int(source["MaximumBatchingWindowInSeconds"]),
            max_concurrency=int(source["ScalingConfig"]["MaximumConcurrency"]),
            visibility_s=int(_default(template, queue["VisibilityTimeout"])),
            max_receives=int(queue["RedrivePolicy"]["maxReceiveCount"]),
        )

    mailer = fn("PdfMailerFunction")
    return Settings(
        memory_mb=int(_default(template, fn("PdfGeneratorFunction")["MemorySize"])),
        api_timeout_s=int(fn("InvoiceApiFunction")["Timeout"]),
        api_reserved=int(_default(template, fn("InvoiceApiFunction")["ReservedConcurrentExecutions"])),
        mailer_timeout_s=int(mailer["Timeout"]),
        mailer_max_event_age_s=int(mailer["EventInvokeConfig"]["MaximumEventAgeInSeconds"]),
        mailer_retries=int(mailer["EventInvokeConfig"]["MaximumRetryAttempts"]),
        pacing={rate: int(row["Concurrency"]) for rate, row in template["Mappings"]["MailerPacing"].items()},
        ses_rate_default=str(template["Parameters"]["SesMaxSendRate"]["Default"]),
        generator=consumer("PdfGeneratorFunction", "PdfRequests", "PdfRequestsQueue"),
        archiver=consumer("EventArchiverFunction", "Archive", "ArchiveQueue"),
        alarms=sum(1 for r in resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"),
    )


# --- what one invoice costs ----------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One kind of request an invoice causes: how many, from whom, and why it is needed."""

    service: str  # "s3_put", "s3_get", "sns_publish", "sqs", "ses_send", "http_api"
    count: float
    who: str
    why: str


def api_requests(idempotency_key: bool) -> list[Request]:
    """POST /v1/invoices (lib/pipeline/src/submit.rs)."""
    out = [
        Request("http_api", 1, "client", "POST /v1/invoices"),
        Request("s3_get", 1, "invoice-api", "HEAD r{N}.submitted.json: the ETag to replace it by compare-and-swap"),
        Request("s3_put", 1, "invoice-api", "PUT r{N}.submitted.json: the status says pending from now on"),
        Request("sns_publish", 1, "invoice-api", "invoice.finalized.v1 to invoice-events"),
    ]
    if idempotency_key:
        out += [
            Request("s3_get", 1, "invoice-api", "GET idempotency/{key}.json: a replay answers the first result"),
            Request("s3_put", 1, "invoice-api", "PUT idempotency/{key}.json (If-None-Match): claims the key"),
            Request("s3_get", 1, "invoice-api", "HEAD idempotency/{key}.json: its ETag for the swap"),
            Request("s3_put", 1, "invoice-api", "PUT idempotency/{key}.json (If-Match): marks it published"),
        ]
    return out


def generator_requests(batch: float) -> list[Request]:
    """One invoice.finalized through the pdf-generator (lib/pipeline/src/generate.rs)."""
    return [
        Request("sqs", 1, "SNS", "SendMessage of invoice.finalized into pdf-requests (SNS's delivery)"),
        Request("sqs", 1 / batch, "event source mapping", "ReceiveMessage, one per batch"),
        Request("sqs", 1 / batch, "event source mapping", "DeleteMessageBatch of what succeeded, one per batch"),
        Request("s3_put", 1, "pdf-generator", "PUT r{N}.pdf (If-None-Match: *): the PDF, immutable"),
        Request("s3_get", 1, "pdf-generator", "GET latest.json: the pointer is moved only forward"),
        Request("s3_put", 1, "pdf-generator", "PUT latest.json (If-Match): the newest revision"),
        Request("sns_publish", 1, "pdf-generator", "invoice.pdf.ready.v1 to document-events"),
    ]


def mailer_requests() -> list[Request]:
    """One invoice.pdf.ready through the pdf-mailer (lib/pipeline/src/mail.rs)."""
    return [
        Request("s3_get", 1, "pdf-mailer", "GET mail/{notice}.json: already sent, or claimed by another attempt?"),
        Request("s3_get", 1, "pdf-mailer", "GET r{N}.pdf: the attachment, checked against the notice's SHA-256"),
        Request("s3_put", 1, "pdf-mailer", "PUT mail/{notice}.json (If-None-Match): the claim"),
        Request("s3_get", 1, "pdf-mailer", "GET mail/{notice}.json: the claim's ETag, and that it is still ours"),
        Request("ses_send", 1, "pdf-mailer", "SendEmail, raw MIME with the PDF attached"),
        Request("s3_put", 1, "pdf-mailer", "PUT mail/{notice}.json (If-Match): marked sent"),
        Request("sns_publish", 1, "pdf-mailer", "invoice.emailed.v1 to document-events"),
    ]


def archive_objects_per_batch(batch: float, event_types: int) -> float:
    """Objects one archiver batch writes: one per event type it holds (and per day, which only a
    batch across midnight splits). A batch of b events of k types, each an invoice's event, holds
    on average k(1 - (1 - 1/k)^b) types."""
    if batch <= 1:
        return 1.0
    return event_types * (1 - (1 - 1 / event_types) ** batch)


def archiver_requests(events: int, batch: float, per_event_objects: bool) -> list[Request]:
    """Every event of the invoice into the archive (lib/pipeline/src/archive.rs)."""
    if per_event_objects:
        put = Request("s3_put", events, "event-archiver",
                      "PUT events/.../{message id}.jsonl, one object per event (the first layout)")
    else:
        put = Request(
            "s3_put",
            events / batch * archive_objects_per_batch(batch, events),
            "event-archiver",
            "PUT events/date=/type=/batch-{sha256}.jsonl (If-None-Match): one object per event type of a batch",
        )
    return [
        Request("sqs", events, "SNS", "SendMessage of each event into archive (SNS's delivery)"),
        Request("sqs", events / batch, "event source mapping", "ReceiveMessage, one per batch"),
        Request("sqs", events / batch, "event source mapping", "DeleteMessageBatch, one per batch"),
        put,
    ]


def effective_batch(rate_per_s: float, consumer: Consumer) -> float:
    """Records per invocation: what arrives in one batching window, between 1 and BatchSize."""
    return min(consumer.batch_size, max(1.0, rate_per_s * consumer.window_s))


# --- the model -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    rate_per_hour: float
    ses_rate: float
    email: bool = True
    idempotency_key: bool = False
    pdf_kb: float = 50.0
    archive_per_event: bool = False
    drop_latest_pointer: bool = False


def on_lambda(cpu_s: float, memory_mb: int) -> float:
    """`cpu_s` measured on a full core, as it lasts in a function of `memory_mb` (FULL_VCPU_MB)."""
    return cpu_s * max(1.0, FULL_VCPU_MB / memory_mb)


def mailer_duration_s(cpu: Measured, memory_mb: int) -> float:
    """The pdf-mailer's duration for one notice: its requests, one after another, and its CPU
    (the notice, the claim, the MIME message with the PDF) at its memory size's CPU share."""
    requests_s = sum(REQUEST_LATENCY_S[r.service] * r.count for r in mailer_requests())
    return requests_s + on_lambda(cpu.mailer_notice_s, memory_mb)


def pacing_concurrency(ses_rate: float, duration_s: float) -> int:
    """Reserved concurrency that keeps the mailer under `ses_rate`: floor(rate x duration), at least 1.

    Each instance sends at most one e-mail per `duration_s`; n instances at most n / duration_s
    a second. Below 1 / duration_s, one instance is already too fast (see mailer_paced)."""
    return max(1, math.floor(ses_rate * duration_s))


def cost_per_million(per_invoice: dict[str, float], invocations: float, gb_s: float, log_bytes: float,
                     scenario: Scenario) -> dict[str, float]:
    """Dollars per million invoices, item by item, at the list prices above."""
    message_gb = (scenario.pdf_kb * 4 / 3 + 4) / 1e6  # base64 of the PDF plus headers and text
    million = 1e6
    return {
        "Lambda (requests)": invocations * million * PRICE["lambda_request"],
        "Lambda (GB-s, arm64)": gb_s * million * PRICE["lambda_gb_s_arm64"],
        "S3 PUT": per_invoice.get("s3_put", 0) * million * PRICE["s3_put"],
        "S3 GET/HEAD": per_invoice.get("s3_get", 0) * million * PRICE["s3_get"],
        "SQS": per_invoice.get("sqs", 0) * million * PRICE["sqs_request"],
        "SNS": per_invoice.get("sns_publish", 0) * million * PRICE["sns_publish"],
        "HTTP API": per_invoice.get("http_api", 0) * million * PRICE["http_api_request"],
        "SES (e-mails)": per_invoice.get("ses_send", 0) * million * PRICE["ses_email"],
        "SES (attachments)": (message_gb * million * PRICE["ses_attachment_gb"]) if scenario.email else 0.0,
        "CloudWatch Logs (ingestion)": log_bytes * million / 1e9 * PRICE["logs_ingest_gb"],
        # SQS reuses a data key for 5 minutes per queue and principal, S3 bucket keys one per
        # bucket and session: KMS calls follow time and cold starts, not invoices. ~100 calls an
        # hour while busy, at 10,000 invoices an hour 100 hours per million.
        "KMS (requests)": 100 * (million / max(scenario.rate_per_hour, 1)) * PRICE["kms_request"],
    }


def model(template: dict, scenario: Scenario, measured: Measured | None = None) -> dict:
    s = settings(template)
    cpu = measured or load_measured()
    rate = scenario.rate_per_hour / 3600
    events = 3 if scenario.email else 2
    gen_batch = effective_batch(rate, s.generator)
    arc_batch = effective_batch(rate * events, s.archiver)

    generator = generator_requests(gen_batch)
    if scenario.drop_latest_pointer:
        generator = [r for r in generator if "latest.json" not in r.why]
    requests = (
        api_requests(scenario.idempotency_key)
        + generator
        + (mailer_requests() if scenario.email else [])
        + archiver_requests(events, arc_batch, scenario.archive_per_event)
    )

    # Durations (seconds): requests one after another, CPU on top. The records of one batch run
    # concurrently (batch isolation), so a batch takes about one record's time plus the CPU of the rest.
    def latency(who):
        return sum(REQUEST_LATENCY_S.get(r.service, 0) * r.count for r in requests if r.who == who)

    api_s = latency("invoice-api") + on_lambda(cpu.api_request_s, s.memory_mb)
    gen_cpu_s = on_lambda(cpu.generator_record_s, s.memory_mb)
    gen_batch_s = latency("pdf-generator") + gen_batch * gen_cpu_s
    mail_s = mailer_duration_s(cpu, s.memory_mb)
    # The archiver writes its batch's objects one after another (the first layout wrote its one
    # object per event concurrently: about one PUT's time).
    arc_puts_in_series = 1 if scenario.archive_per_event else archive_objects_per_batch(arc_batch, events)
    arc_batch_s = (arc_puts_in_series * REQUEST_LATENCY_S["s3_put"]
                   + on_lambda(cpu.archiver_record_s, s.memory_mb) * arc_batch)

    # Concurrency by Little's law (arrivals per second x seconds each), and the caps.
    mail_cap = s.pacing.get(str(int(scenario.ses_rate)), pacing_concurrency(scenario.ses_rate, mail_s))
    mail_capacity = min(mail_cap / mail_s, scenario.ses_rate) if scenario.email else 0.0
    mail_arrivals = rate if scenario.email else 0.0
    backlog_per_hour = max(0.0, mail_arrivals - mail_capacity) * 3600
    concurrency = {
        "invoice-api": (rate * api_s, s.api_reserved, s.api_reserved / api_s),
        "pdf-generator": (rate / gen_batch * gen_batch_s, s.generator.max_concurrency,
                          s.generator.max_concurrency * s.generator.batch_size / gen_batch_s),
        "pdf-mailer": (mail_arrivals * mail_s, mail_cap, mail_capacity),
        "event-archiver": (rate * events / arc_batch * arc_batch_s, s.archiver.max_concurrency,
                           s.archiver.max_concurrency * s.archiver.batch_size / arc_batch_s / events),
    }

    # Requests and cost per million invoices.
    per_invoice: dict[str, float] = {}
    for r in requests:
        per_invoice[r.service] = per_invoice.get(r.service, 0) + r.count
    invocations = 1 + 1 / gen_batch + (1 if scenario.email else 0) + events / arc_batch
    gb = s.memory_mb / 1024
    gb_s = gb * (api_s + gen_batch_s / gen_batch + (mail_s if scenario.email else 0) + arc_batch_s * events / arc_batch)
    # Lambda bills whole milliseconds; the rounding is small against these durations.
    log_bytes = (
        LOG_BYTES_PER_INVOCATION * invocations
        + LOG_BYTES_PER_RECORD * (1 + 1 + (1 if scenario.email else 0) + events)
        + ACCESS_LOG_BYTES
    )
    cost = cost_per_million(per_invoice, invocations, gb_s, log_bytes, scenario)
    return {
        "settings": s,
        "scenario": scenario,
        "requests": requests,
        "per_invoice": per_invoice,
        "durations_s": {"invoice-api": api_s, "pdf-generator (batch)": gen_batch_s, "pdf-mailer": mail_s,
                        "event-archiver (batch)": arc_batch_s},
        "batches": {"pdf-generator": gen_batch, "event-archiver": arc_batch},
        "concurrency": concurrency,
        "mailer": {
            "arrivals_per_s": mail_arrivals,
            "capacity_per_s": mail_capacity,
            "paced": mail_cap / mail_s <= scenario.ses_rate + 1e-9,
            "backlog_per_hour": backlog_per_hour,
            "drain_hours_after_one_hour": backlog_per_hour / mail_capacity / 3600 if mail_capacity else 0.0,
            "hours_until_events_expire": (
                s.mailer_max_event_age_s / 3600 * mail_capacity / (mail_arrivals - mail_capacity)
                if mail_arrivals > mail_capacity else math.inf
            ),
        },
        "invocations": invocations,
        "gb_s": gb_s,
        "log_kb_per_invoice": log_bytes / 1000,
        "measured_on": cpu.measured_on,
        "cost": cost,
        "total": sum(cost.values()),
        "at_rest_month": PRICE["kms_key_month"] + s.alarms * PRICE["alarm_month"],
    }


# --- output --------------------------------------------------------------------------------------


def pacing_table(template: dict, measured: Measured | None = None) -> dict[str, int]:
    rates = template["Parameters"]["SesMaxSendRate"]["AllowedValues"]
    duration = mailer_duration_s(measured or load_measured(), settings(template).memory_mb)
    return {rate: pacing_concurrency(float(rate), duration) for rate in rates}


def render(result: dict) -> str:
    sc: Scenario = result["scenario"]
    s: Settings = result["settings"]
    lines = [
        f"paperflow at {sc.rate_per_hour:,.0f} invoices/hour ({sc.rate_per_hour / 3600:.2f}/s), SES {sc.ses_rate:g}/s, "
        f"{'with' if sc.email else 'without'} e-mail, {s.memory_mb} MB, list prices of {PRICES_DATE}",
        f"CPU times measured {result['measured_on']} (docs/capacity-measured.json); request latencies assumed",
        "",
        "function         duration   needs   allowed   max invoices/s",
    ]
    for name, (need, cap, throughput) in result["concurrency"].items():
        duration = result["durations_s"].get(name) or result["durations_s"].get(f"{name} (batch)")
        lines.append(f"{name:<16} {duration * 1000:6.0f} ms {need:7.2f} {cap:9d} {throughput:12.1f}")
    b = result["batches"]
    lines.append(f"(records per batch at this rate: pdf-generator {b['pdf-generator']:.1f}, event-archiver {b['event-archiver']:.1f})")
    m = result["mailer"]
    if sc.email:
        lines += [
            "",
            f"mailer: {m['arrivals_per_s']:.2f} notices/s in, at most {m['capacity_per_s']:.2f}/s out; "
            f"backlog {m['backlog_per_hour']:,.0f} per hour of this rate, drained {m['drain_hours_after_one_hour']:.2f} h after it"
            + (f"; events older than {s.mailer_max_event_age_s / 3600:g} h are dropped after {m['hours_until_events_expire']:.1f} h of it"
               if math.isfinite(m["hours_until_events_expire"]) else ""),
        ]
        if not m["paced"]:
            cap = result["concurrency"]["pdf-mailer"][1]
            lines.append(
                f"  WARNING: {cap} mailer instance(s) send up to {cap / result['durations_s']['pdf-mailer']:.1f}/s, more than "
                f"SES's {sc.ses_rate:g}/s: reserved concurrency cannot pace below one instance's rate; SES throttles "
                "and the mailer retries (infra/README.md, Concurrency)"
            )
    lines += ["", "requests per invoice       count   who: why"]
    for r in result["requests"]:
        lines.append(f"  {r.service:<12} {r.count:12.2f}   {r.who}: {r.why}")
    lines += ["", "per million invoices          cost"]
    for item, value in result["cost"].items():
        lines.append(f"  {item:<28} ${value:9.2f}")
    lines.append(f"  {'total':<28} ${result['total']:9.2f}")
    lines.append(
        f"  ({result['invocations']:.2f} invocations, {result['gb_s']:.4f} GB-s and "
        f"{result['log_kb_per_invoice']:.1f} KB of logs per invoice)"
    )
    lines.append(f"at rest: ${result['at_rest_month']:.2f} a month (the KMS key, {s.alarms} alarms)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=10000, help="invoices per hour (default 10000)")
    parser.add_argument("--ses-rate", type=float, default=None, help="SES sends per second (default: the template's SesMaxSendRate)")
    parser.add_argument("--no-email", action="store_true", help="invoices without buyer e-mail")
    parser.add_argument("--idempotency-key", action="store_true", help="every submission carries an Idempotency-Key")
    parser.add_argument("--pdf-kb", type=float, default=50.0, help="PDF size in KB (default 50)")
    parser.add_argument("--archive-per-event", action="store_true", help="model the archive's first layout, one object per event")
    parser.add_argument("--drop-latest-pointer", action="store_true", help="model the generator without latest.json")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument("--pacing-table", action="store_true", help="the mailer's concurrency per SES rate")
    parser.add_argument("--record-measured", metavar="CONDITIONS",
                        help="write docs/capacity-measured.json from the last `cargo bench` runs' estimates; "
                             "CONDITIONS says what the machine was doing (e.g. 'load average 1.2')")
    args = parser.parse_args(argv)
    if args.record_measured:
        figures = record_measured(args.record_measured, criterion_home(), time.strftime("%Y-%m-%d"))
        MEASURED.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(figures["cpu_ms"], indent=1, ensure_ascii=False))
        return 0
    template = load_template(args.template)
    if args.pacing_table:
        print(json.dumps(pacing_table(template), indent=1))
        return 0
    if args.rate <= 0:
        parser.error("--rate: must be a positive number of invoices per hour")
    ses_rate = args.ses_rate if args.ses_rate is not None else float(settings(template).ses_rate_default)
    if ses_rate <= 0:
        parser.error("--ses-rate: must be a positive number of e-mails per second")
    scenario = Scenario(args.rate, ses_rate, not args.no_email, args.idempotency_key, args.pdf_kb,
                        args.archive_per_event, args.drop_latest_pointer)
    result = model(template, scenario)
    if args.json:
        out = {k: v for k, v in result.items() if k not in ("settings", "scenario", "requests")}
        print(json.dumps(out, indent=1, default=str))
    else:
        print(render(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
