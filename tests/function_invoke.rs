//! The pdf-generator as a built Lambda function: `cargo lambda watch` runs it (on loopback,
//! against moto), and `cargo lambda invoke` sends it each trigger event of `events/`, exactly
//! as a developer would by hand.

use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack};
use paperflow_tests::watch::Watch;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn the_built_function_answers_every_sample_event() {
    let moto = Moto::start();
    let stack = TestStack::create(&moto.sdk_config().await).await;
    let watch = Watch::start(
        &moto,
        &[
            ("DOCUMENTS_BUCKET", DOCUMENTS_BUCKET),
            ("DOCUMENT_EVENTS_TOPIC_ARN", &stack.document_events_arn),
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
}
