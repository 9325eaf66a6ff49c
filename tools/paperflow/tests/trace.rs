//! `paperflow trace` on flows driven through the real functions: an invoice.finalized published
//! on the invoice-events topic, the pdf-generator's handler, the pdf-mailer's handler and the
//! event-archiver's handler, all in this process against one moto server, with the archive
//! queue subscribed to both topics as deployed. The built `paperflow` binary then reads the
//! archive the way a user's shell would, pointed at moto by `AWS_ENDPOINT_URL`.

use paperflow_aws::{S3DocumentStore, SesMailer, SnsEventPublisher};
use paperflow_pipeline::PdfGenerator;
use paperflow_pipeline::archive::EventArchiver;
use paperflow_pipeline::mail::{MailSettings, PdfMailer, Sender};
use paperflow_render::RenderOptions;
use paperflow_tests::consumers::{
    ARCHIVE_BUCKET, ArchiveStack, MAIL_FROM, SENDER_ADDRESS, sns_event, verify_sender,
};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack, finalized_event, sqs_batch};
use serde_json::{Value, json};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

fn invoice(id: &str) -> Value {
    let mut document: Value =
        serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
    document["invoice_id"] = json!(id);
    document
}

/// Drives two flows through the functions and archives every event: `corr-ev-good` (finalized,
/// ready, emailed) and `corr-ev-bad` (finalized with an invalid invoice, failed).
async fn drive_flows(moto: &Moto) {
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let invoice_events = stack
        .sns
        .create_topic()
        .name("paperflow-invoice-events")
        .send()
        .await
        .expect("the topic is created")
        .topic_arn()
        .expect("an ARN")
        .to_owned();
    let archive = ArchiveStack::create(
        &sdk,
        &[invoice_events.as_str(), stack.document_events_arn.as_str()],
    )
    .await;
    verify_sender(&sdk, SENDER_ADDRESS).await;

    // A producer publishes; the pdf-requests queue would hand the generator these bodies.
    let good = finalized_event("erp/billing", "ev-good", &invoice("INV-TRACE-1"));
    let mut broken = invoice("INV-TRACE-2");
    broken["currency"] = json!("XXX");
    let bad = finalized_event("erp/billing", "ev-bad", &broken);
    for body in [&good, &bad] {
        stack
            .sns
            .publish()
            .topic_arn(&invoice_events)
            .message(body.as_str())
            .send()
            .await
            .expect("published");
    }

    let generator = PdfGenerator::new(
        S3DocumentStore::from_conf(&sdk, DOCUMENTS_BUCKET),
        SnsEventPublisher::from_conf(&sdk, stack.document_events_arn.as_str()),
        Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts")),
        RenderOptions::default(),
    );
    let response = pdf_generator::handle(
        Arc::new(pdf_generator::PdfRequests::new(generator)),
        sqs_batch(&[good, bad]),
    )
    .await
    .expect("the batch is answered");
    assert!(response.batch_item_failures.is_empty());

    // SNS hands the mailer each notice of the document-events topic.
    let mailer = PdfMailer::new(
        S3DocumentStore::from_conf(&sdk, DOCUMENTS_BUCKET),
        SnsEventPublisher::from_conf(&sdk, stack.document_events_arn.as_str()),
        SesMailer::from_conf(&sdk),
        MailSettings::new(Sender::parse(MAIL_FROM).expect("a sender")),
    );
    let notices = stack.notices(2, WAIT).await;
    assert_eq!(notices.len(), 2, "{notices:?}");
    for notice in &notices {
        pdf_mailer::handle(
            &mailer,
            sns_event(&notice.to_string(), "sns-trace"),
            Duration::from_secs(60),
        )
        .await
        .expect("the mailer succeeds");
    }

    // Everything reached the archive queue: 2 finalized, 1 ready, 1 failed, 1 emailed.
    let batch = archive.receive_batch(5, WAIT).await;
    assert_eq!(batch.records.len(), 5);
    let records = Arc::new(event_archiver::ArchiveRecords::new(EventArchiver::new(
        S3DocumentStore::from_conf(&sdk, ARCHIVE_BUCKET),
    )));
    let response = event_archiver::handle(records, batch)
        .await
        .expect("the batch is answered");
    assert!(response.batch_item_failures.is_empty());
}

fn paperflow(moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_paperflow"))
        .args(args)
        .env_clear()
        .envs(moto.env_for())
        .env("ARCHIVE_BUCKET", ARCHIVE_BUCKET)
        .output()
        .expect("paperflow runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn trace_shows_a_flow_from_finalized_to_emailed_in_order_and_a_failure_with_its_reason() {
    let moto = Moto::start();
    drive_flows(&moto).await;

    // The table, by correlation id.
    let output = paperflow(&moto, &["trace", "corr-ev-good"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    let rows: Vec<&str> = table.lines().collect();
    assert_eq!(rows.len(), 5, "header, three events, summary:\n{table}");
    assert!(
        rows[0].starts_with("TIME") && rows[0].contains("OUTCOME"),
        "{table}"
    );
    for (row, (source, kind)) in rows[1..4].iter().zip([
        ("erp/billing", "invoice.finalized.v1"),
        ("paperflow/pdf-generator", "invoice.pdf.ready.v1"),
        ("paperflow/pdf-mailer", "invoice.emailed.v1"),
    ]) {
        assert!(row.contains(source) && row.contains(kind), "{row}\n{table}");
        assert!(row.contains("INV-TRACE-1"), "{row}");
    }
    assert!(rows[3].contains("emailed to ap@contoso.example"), "{table}");
    assert_eq!(rows[4], "3 events, correlation id corr-ev-good");

    // JSON, by invoice id, with the bucket given as a flag.
    let output = paperflow(
        &moto,
        &[
            "trace",
            "INV-TRACE-1",
            "--json",
            "--archive-bucket",
            ARCHIVE_BUCKET,
        ],
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    let types: Vec<&str> = entries
        .iter()
        .filter_map(|entry| entry["type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "invoice.finalized.v1",
            "invoice.pdf.ready.v1",
            "invoice.emailed.v1"
        ]
    );
    assert!(
        entries
            .iter()
            .all(|entry| entry["correlationid"] == "corr-ev-good")
    );
    assert_eq!(entries[2]["causationid"], entries[1]["id"]);
    assert_eq!(entries[1]["causationid"], entries[0]["id"]);

    // A failure shows its reason.
    let output = paperflow(&moto, &["trace", "corr-ev-bad"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(table.contains("failed: invalid_invoice"), "{table}");
    assert!(
        table.contains("    reason: ") && table.contains("/currency"),
        "{table}"
    );
}

#[tokio::test]
async fn trace_says_so_when_nothing_matches_and_fails_clearly_without_a_bucket() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    ArchiveStack::create(&sdk, &[]).await;
    let output = paperflow(&moto, &["trace", "nobody"]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    assert!(
        text(&output.stderr).contains("no archived events"),
        "{}",
        text(&output.stderr)
    );
    let output = paperflow(&moto, &["trace", "nobody", "--json"]);
    assert_eq!(text(&output.stdout).trim(), "[]");

    let output = paperflow(&moto, &["trace", "x", "--archive-bucket", "no-such-bucket"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("cannot list s3://no-such-bucket"),
        "{}",
        text(&output.stderr)
    );
    let output = paperflow(&moto, &["trace", "x", "--since", "yesterday"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("--since"),
        "{}",
        text(&output.stderr)
    );
}

/// One archived line of `event`, as the event-archiver writes it.
fn archived_line(message_id: &str, event: &str) -> String {
    json!({
        "received": "2026-11-25T10:00:01.000Z",
        "message_id": message_id,
        "event": serde_json::from_str::<Value>(event).expect("JSON"),
    })
    .to_string()
}

#[tokio::test]
async fn trace_reads_objects_of_one_event_and_of_a_batch_and_counts_a_message_stored_twice_once() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let archive = ArchiveStack::create(&sdk, &[]).await;
    let finalized = finalized_event("erp/billing", "shapes", &invoice("INV-SHAPES-1"));
    let ready = json!({
        "specversion": "1.0", "id": "ready-shapes", "source": "paperflow/pdf-generator",
        "type": "invoice.pdf.ready.v1", "subject": "INV-SHAPES-1",
        "time": "2099-01-01T00:00:00.000Z", "correlationid": "corr-shapes",
        "data": { "invoice_id": "INV-SHAPES-1", "revision": 1, "key": "invoices/INV-SHAPES-1/r1.pdf",
                  "size": 1, "pages": 1 }
    })
    .to_string();
    // The archive's first layout, one object per message, and today's, one object per part of
    // a batch; the batch holds the first message again (a put whose answer was lost).
    for (key, body) in [
        (
            "events/date=2026-11-25/type=invoice.finalized.v1/m-old.jsonl".to_owned(),
            archived_line("m-old", &finalized) + "\n",
        ),
        (
            "events/date=2026-11-25/type=invoice.pdf.ready.v1/batch-0123.jsonl".to_owned(),
            format!(
                "{}\n{}\n",
                archived_line("m-old", &finalized),
                archived_line("m-new", &ready)
            ),
        ),
    ] {
        archive
            .s3
            .put_object()
            .bucket(ARCHIVE_BUCKET)
            .key(key)
            .body(body.into_bytes().into())
            .send()
            .await
            .expect("stored");
    }
    let output = paperflow(&moto, &["trace", "corr-shapes", "--json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let entries: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON");
    let types: Vec<&str> = entries
        .iter()
        .filter_map(|entry| entry["type"].as_str())
        .collect();
    assert_eq!(types, ["invoice.finalized.v1", "invoice.pdf.ready.v1"]);
}
