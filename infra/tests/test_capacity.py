"""scripts/capacity.py: its arithmetic on small cases worked out by hand, and the template's
pacing table against the one it computes."""

from __future__ import annotations

import json
import math
import sys

import pytest

from sam_translate import INFRA

sys.path.insert(0, str(INFRA.parent / "scripts"))
import capacity  # noqa: E402

TEMPLATE = capacity.load_template()


def test_the_template_is_read_with_its_own_settings():
    s = capacity.settings(TEMPLATE)
    assert (s.memory_mb, s.api_reserved, s.mailer_max_event_age_s) == (512, 20, 21600)
    assert (s.generator.batch_size, s.generator.window_s, s.generator.max_concurrency) == (10, 1, 10)
    assert (s.archiver.batch_size, s.archiver.window_s, s.archiver.max_concurrency) == (10, 5, 5)
    for consumer in (s.generator, s.archiver):
        assert consumer.visibility_s > 6 * consumer.timeout_s + consumer.window_s


def measured(**cpu_s):
    """Measured CPU times for a worked example: these, and 1 ms for the rest."""
    figures = dict(generator_record_s=0.001, api_request_s=0.001, render_s=0.001,
                   mailer_notice_s=0.001, archiver_record_s=0.001)
    return capacity.Measured(**{**figures, **cpu_s}, measured_on="test")


# The template's functions have 512 MB: 512/1769 of a vCPU, so CPU measured on a full core
# lasts 1769/512 times as long in them.
SHARE = 1769 / 512


def test_cpu_lasts_longer_below_one_vcpu_of_memory():
    assert capacity.on_lambda(0.001, 512) == pytest.approx(0.001 * SHARE)
    assert capacity.on_lambda(0.001, 1769) == pytest.approx(0.001)
    assert capacity.on_lambda(0.001, 3008) == pytest.approx(0.001)


def test_the_mailer_pacing_follows_its_duration():
    # The mailer's 3 GETs (15 ms), 2 PUTs (25 ms), one SES send (60 ms) and one publish
    # (15 ms), then its CPU: 5 ms on a full core, 17.3 ms at 512 MB.
    slow = measured(mailer_notice_s=0.005)
    assert capacity.mailer_duration_s(slow, 1769) == pytest.approx(0.175)
    duration = 0.170 + 0.005 * SHARE
    assert capacity.mailer_duration_s(slow, 512) == pytest.approx(duration)
    # floor(rate x 0.187 s), at least 1.
    table = capacity.pacing_table(TEMPLATE, slow)
    assert (table["1"], table["10"], table["14"], table["100"], table["500"]) == (1, 1, 2, 18, 93)


def test_the_mailer_pacing_of_the_template_is_the_one_its_measured_duration_gives():
    duration = capacity.mailer_duration_s(capacity.load_measured(), 512)
    table = capacity.pacing_table(TEMPLATE)
    assert table == capacity.settings(TEMPLATE).pacing, (
        "the template's Mappings.MailerPacing (SAM and CDK) must be `scripts/capacity.py "
        "--pacing-table` of the committed measurements")
    # Paced: at the computed concurrency the mailer never outruns SES from 10/s up.
    for rate, concurrency in table.items():
        if float(rate) >= 10:
            assert concurrency / duration <= float(rate)


def test_requests_and_cost_of_one_invoice_per_second_without_email():
    result = capacity.model(TEMPLATE, capacity.Scenario(rate_per_hour=3600, ses_rate=14, email=False))
    # 1 invoice/s: the generator's 1 s window holds 1 record; the archiver's 5 s window holds
    # 2 events/s x 5 s = 10, its batch size.
    assert result["batches"] == {"pdf-generator": 1, "event-archiver": 10}
    per = result["per_invoice"]
    # PUTs: submitted.json; the PDF and latest.json; the archive's objects: a batch of 10
    # events of 2 types is 2 objects unless all 10 are of one type (2 x 1/2^10), 0.2 batches
    # per invoice.
    archive_puts = 0.2 * 2 * (1 - 0.5**10)
    assert per["s3_put"] == pytest.approx(3 + archive_puts)
    # HEAD submitted.json, GET latest.json.
    assert per["s3_get"] == 2
    # pdf-requests: delivery, receive, delete (a batch of 1); archive: 2 deliveries, 2/10 + 2/10.
    assert per["sqs"] == pytest.approx(5.4)
    assert per["sns_publish"] == 2
    assert "ses_send" not in per
    assert result["cost"]["S3 PUT"] == pytest.approx((3 + archive_puts) * 5.0)
    assert result["cost"]["SQS"] == pytest.approx(2.16)
    assert result["cost"]["SNS"] == pytest.approx(1.00)
    assert result["cost"]["HTTP API"] == pytest.approx(1.00)
    assert result["cost"]["SES (e-mails)"] == 0


def test_a_batch_writes_one_archive_object_per_event_type_it_holds():
    assert capacity.archive_objects_per_batch(1, 3) == 1
    # Two events of two types: the same type half the time.
    assert capacity.archive_objects_per_batch(2, 2) == pytest.approx(1.5)
    assert capacity.archive_objects_per_batch(10, 3) == pytest.approx(3 * (1 - (2 / 3) ** 10))
    per_event = capacity.model(TEMPLATE, capacity.Scenario(3600, 14, email=False, archive_per_event=True))
    batched = capacity.model(TEMPLATE, capacity.Scenario(3600, 14, email=False))
    saved = 2 - 0.2 * 2 * (1 - 0.5**10)
    assert per_event["per_invoice"]["s3_put"] - batched["per_invoice"]["s3_put"] == pytest.approx(saved)
    assert per_event["cost"]["S3 PUT"] - batched["cost"]["S3 PUT"] == pytest.approx(saved * 5.0)


def test_durations_are_the_measured_cpu_plus_each_request_s_latency():
    cpu = measured(generator_record_s=0.010, api_request_s=0.004, archiver_record_s=0.002)
    result = capacity.model(TEMPLATE, capacity.Scenario(3600, 14, email=False), cpu)
    durations = result["durations_s"]
    # The API: HEAD (15 ms), PUT (25 ms), publish (15 ms), then 4 ms of CPU at 512 MB.
    assert durations["invoice-api"] == pytest.approx(0.055 + 0.004 * SHARE)
    # The generator, a batch of 1: PUT the PDF (25), GET + PUT latest.json (15 + 25), publish
    # (15), 10 ms of CPU at 512 MB.
    assert durations["pdf-generator (batch)"] == pytest.approx(0.080 + 0.010 * SHARE)
    # The archiver, a batch of 10 events of 2 types: its objects one after another, 2 ms a
    # record at 512 MB.
    assert durations["event-archiver (batch)"] == pytest.approx(2 * (1 - 0.5**10) * 0.025 + 10 * 0.002 * SHARE)


def test_the_measured_figures_are_read_from_the_committed_file_and_checked(tmp_path):
    committed = capacity.load_measured()
    assert 0 < committed.render_s < committed.generator_record_s < 0.1
    for cpu_s in (committed.api_request_s, committed.mailer_notice_s, committed.archiver_record_s):
        assert 0 < cpu_s < 0.1
    bad = tmp_path / "measured.json"
    bad.write_text(json.dumps({"measured_on": "x", "cpu_ms": {
        "pdf_generator_record": {"median_ms": 0}, "invoice_api_request": {"median_ms": 1},
        "render_one_page_12_lines": {"median_ms": 1}}}))
    with pytest.raises(ValueError, match="cpu_ms.pdf_generator_record.median_ms must be a positive"):
        capacity.load_measured(bad)


def test_a_mailer_slower_than_its_notices_builds_a_backlog():
    # 10 notices/s against SES's 1/s: 9/s pile up, 32,400 in an hour, drained in 9 hours; an
    # event arriving after t hours waits 9t, past the 6-hour event age once t > 6/9 h.
    result = capacity.model(TEMPLATE, capacity.Scenario(rate_per_hour=36000, ses_rate=1))
    mailer = result["mailer"]
    assert mailer["capacity_per_s"] == 1
    assert mailer["backlog_per_hour"] == pytest.approx(32400)
    assert mailer["drain_hours_after_one_hour"] == pytest.approx(9)
    assert mailer["hours_until_events_expire"] == pytest.approx(6 / 9)
    # One instance (175 ms a notice) sends 5.7/s: faster than 1/s, which concurrency cannot fix.
    assert not mailer["paced"]


def test_a_mailer_that_keeps_up_has_no_backlog():
    mailer = capacity.model(TEMPLATE, capacity.Scenario(rate_per_hour=10000, ses_rate=14))["mailer"]
    assert mailer["paced"] and mailer["backlog_per_hour"] == 0
    assert math.isinf(mailer["hours_until_events_expire"])


def test_bad_rates_are_refused_with_the_flag_named(capsys):
    with pytest.raises(SystemExit):
        capacity.main(["--rate", "0"])
    assert "--rate: must be a positive number" in capsys.readouterr().err


def test_recorded_figures_are_criterion_medians_per_unit_of_work(tmp_path):
    def estimate(group, bench, median_ns):
        folder = tmp_path / group / bench / "new"
        folder.mkdir(parents=True)
        (folder / "estimates.json").write_text(json.dumps({"median": {"point_estimate": median_ns}}))

    estimate("handler", "render_one_page_12_lines", 2_500_000)
    estimate("handler", "sqs_batch_10_records", 28_000_000)
    estimate("handler", "sqs_batch_10_records_json_logs", 30_000_000)
    estimate("invoice_api", "submit_202", 400_000)
    estimate("mailer", "ready_notice_attached_pdf", 900_000)
    estimate("archiver", "sqs_batch_10_records", 1_500_000)
    figures = capacity.record_measured("load average 1", tmp_path, "2026-12-05")
    cpu = {name: entry["median_ms"] for name, entry in figures["cpu_ms"].items()}
    # A batch's median over its 10 records; of the generator's two batches the slower one.
    assert cpu == {"render_one_page_12_lines": 2.5, "pdf_generator_record": 3.0,
                   "invoice_api_request": 0.4, "pdf_mailer_notice": 0.9, "event_archiver_record": 0.15}
    assert "handler/sqs_batch_10_records_json_logs" in figures["cpu_ms"]["pdf_generator_record"]["from"]
    assert figures["measured_on"].startswith("2026-12-05, load average 1")
    recorded = tmp_path / "measured.json"
    recorded.write_text(json.dumps(figures))
    assert capacity.load_measured(recorded).archiver_record_s == pytest.approx(0.00015)
    (tmp_path / "archiver" / "sqs_batch_10_records" / "new" / "estimates.json").unlink()
    with pytest.raises(ValueError, match="archiver/sqs_batch_10_records"):
        capacity.record_measured("x", tmp_path, "2026-12-05")
