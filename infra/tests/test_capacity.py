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


def test_the_mailer_pacing_of_the_template_is_the_computed_one():
    # floor(rate x 0.175 s), at least 1: the mailer's 3 GETs (15 ms), 2 PUTs (25 ms), one SES
    # send (60 ms), one publish (15 ms) and 5 ms of MIME work.
    assert capacity.mailer_duration_s() == pytest.approx(0.175)
    table = capacity.pacing_table(TEMPLATE)
    assert table == capacity.settings(TEMPLATE).pacing
    assert (table["1"], table["10"], table["14"], table["100"]) == (1, 1, 2, 17)
    # Paced: at the computed concurrency the mailer never outruns SES from 10/s up.
    for rate, concurrency in table.items():
        if float(rate) >= 10:
            assert concurrency / 0.175 <= float(rate)


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
    measured = capacity.Measured(generator_record_s=0.010, api_request_s=0.004, render_s=0.001, measured_on="test")
    result = capacity.model(TEMPLATE, capacity.Scenario(3600, 14, email=False), measured)
    durations = result["durations_s"]
    # The API: HEAD (15 ms), PUT (25 ms), publish (15 ms), then 4 ms of CPU.
    assert durations["invoice-api"] == pytest.approx(0.059)
    # The generator, a batch of 1: PUT the PDF (25), GET + PUT latest.json (15 + 25), publish
    # (15), 10 ms of CPU.
    assert durations["pdf-generator (batch)"] == pytest.approx(0.090)
    # The archiver, a batch of 10 events of 2 types: its objects one after another, 2 ms a record.
    assert durations["event-archiver (batch)"] == pytest.approx(2 * (1 - 0.5**10) * 0.025 + 0.020)


def test_the_measured_figures_are_read_from_the_committed_file_and_checked(tmp_path):
    measured = capacity.load_measured()
    assert 0 < measured.render_s < measured.generator_record_s < 0.1
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
