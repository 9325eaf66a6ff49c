//! The functions as built Lambda functions: `cargo lambda watch` runs them (on loopback,
//! against moto), and `cargo lambda invoke` sends each the trigger events of `events/` meant for
//! it, exactly as a developer would by hand: the pdf-generator its SQS batches, then the
//! pdf-mailer the ready notice of the PDF the generator stored, then the event-archiver a batch
//! from the archive queue.

use paperflow_tests::consumers::{
    ARCHIVE_BUCKET, ArchiveStack, MAIL_FROM, SENDER_ADDRESS, sent_emails, verify_sender,
};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack};
use paperflow_tests::watch::Watch;
use serde_json::Value;
use std::time::Duration;

/// One developer's session by hand, in order (generator, then mailer with the generator's notice,
/// then archiver): longer than 100 lines because each step feeds on what the previous one stored.
#[tokio::test(flavor = "multi_thread")]
async fn the_built_functions_answer_every_sample_event() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let archive = ArchiveStack::create(&sdk, &[]).await;
    verify_sender(&sdk, SENDER_ADDRESS).await;
    // The queue consumers send a record only a deployment fix can process to their DLQ, and
    // refuse to start without one.
    let dead_letters = paperflow_tests::stack::create_queue(
        &aws_sdk_sqs::Client::new(&sdk),
        "paperflow-dead-letters",
    )
    .await;
    // The functions carry no font: their DejaVu Sans comes from the fonts layer's folder.
    let fonts_layer = tempfile::tempdir().expect("a temporary folder");
    paperflow_bundled_fonts::export(fonts_layer.path()).expect("the faces are written");
    let fonts_folder = fonts_layer.path().display().to_string();
    let watch = Watch::start(
        &moto,
        &[
            ("PAPERFLOW_FALLBACK_FONTS", &fonts_folder),
            ("DOCUMENTS_BUCKET", DOCUMENTS_BUCKET),
            ("DEAD_LETTER_QUEUE_URL", &dead_letters),
            ("ARCHIVE_BUCKET", ARCHIVE_BUCKET),
            ("DOCUMENT_EVENTS_TOPIC_ARN", &stack.document_events_arn),
            ("MAIL_FROM", MAIL_FROM),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ],
    );

    for file in [
        "sqs-raw-invoice-finalized.json",
        "sqs-sns-wrapped-invoice-finalized.json",
        "sqs-mixed-batch.json",
    ] {
        let response = tokio::task::block_in_place(|| watch.invoke("pdf-generator", file));
        assert_eq!(
            response["batchItemFailures"],
            serde_json::json!([]),
            "{file}: only transient failures are listed, and there are none: {response}"
        );
    }
    let keys = stack.keys().await;
    assert!(
        keys.contains(&"invoices/INV-2026-000123/r1.pdf".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"invoices/INV-2026-000125/r1.pdf".to_owned()),
        "{keys:?}"
    );
    // Raw and wrapped deliveries of one event, then the mixed batch: 2 ready (one repeated),
    // 1 ready and 3 failed.
    let notices = stack.notices(6, Duration::from_secs(10)).await;
    let count = |kind: &str| {
        notices
            .iter()
            .filter(|notice| notice["type"] == kind)
            .count()
    };
    assert_eq!(count("invoice.pdf.ready.v1"), 3, "{notices:?}");
    assert_eq!(count("invoice.pdf.failed.v1"), 3, "{notices:?}");

    // The mailer, given the ready notice of the PDF just stored, twice (SNS delivers at least
    // once): one e-mail, and one emailed notice per delivery with the same id.
    let sample: Value = serde_json::from_slice(
        &std::fs::read(paperflow_tests::repo_root().join("events/sns-invoice-pdf-ready.json"))
            .expect("the ready sample"),
    )
    .expect("JSON");
    let ready: Value = serde_json::from_str(
        sample["Records"][0]["Sns"]["Message"]
            .as_str()
            .expect("a message"),
    )
    .expect("a notice");
    let stored = notices
        .iter()
        .find(|notice| {
            notice["subject"] == "INV-2026-000123" && notice["type"] == "invoice.pdf.ready.v1"
        })
        .expect("the generator's ready notice");
    assert_eq!(
        ready["data"]["sha256"], stored["data"]["sha256"],
        "events/sns-invoice-pdf-ready.json describes another PDF than the renderer makes now: \
         run `python3 events/generate.py`"
    );
    for _ in 0..2 {
        let response = tokio::task::block_in_place(|| {
            watch.invoke("pdf-mailer", "sns-invoice-pdf-ready.json")
        });
        assert_eq!(response, Value::Null, "the mailer succeeds");
    }
    let emails = sent_emails(&moto);
    assert_eq!(emails.len(), 1, "one e-mail for two deliveries: {emails:?}");
    // moto lists the recipient once per place it finds it (the call and the To header).
    assert!(
        emails[0]
            .destinations
            .iter()
            .all(|to| to == "ap@contoso.example"),
        "{emails:?}"
    );
    let emailed = stack.notices(2, Duration::from_secs(10)).await;
    assert_eq!(emailed.len(), 2, "{emailed:?}");
    assert!(
        emailed.iter().all(|n| n["type"] == "invoice.emailed.v1"),
        "{emailed:?}"
    );
    assert_eq!(
        emailed[0]["id"], emailed[1]["id"],
        "a re-announcement keeps the id"
    );
    assert_eq!(emailed[0]["causationid"], ready["id"]);

    // The archiver: every message of the batch kept, the unparseable one with its raw body.
    let response =
        tokio::task::block_in_place(|| watch.invoke("event-archiver", "sqs-archive-batch.json"));
    assert_eq!(
        response["batchItemFailures"],
        serde_json::json!([]),
        "{response}"
    );
    let objects = archive.objects().await;
    let types: Vec<&str> = objects
        .iter()
        .filter_map(|(key, _)| key.split("/type=").nth(1)?.split('/').next())
        .collect();
    assert_eq!(
        types,
        [
            "invoice.emailed.v1",
            "invoice.finalized.v1",
            "invoice.pdf.failed.v1",
            "invoice.pdf.ready.v1",
            "unparseable"
        ],
        "{objects:?}"
    );
}
