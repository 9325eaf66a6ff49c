//! The pdf-generator against real parts: moto's server as S3, SNS and SQS, the real adapters,
//! and the function's own handler fed SQS batches as Lambda would feed them.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_pipeline::{PdfGenerator, pdf_key};
use paperflow_render::{FontSet, RenderOptions};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{
    DOCUMENTS_BUCKET, TestStack, failed_ids, finalized_event, sqs_batch, sqs_event,
};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

type Requests = PdfRequests<S3DocumentStore, SnsEventPublisher>;

struct Harness {
    moto: Moto,
    stack: TestStack,
    requests: Arc<Requests>,
}

impl Harness {
    async fn start() -> Harness {
        let moto = Moto::start();
        let sdk = moto.sdk_config().await;
        let stack = TestStack::create(&sdk).await;
        let requests = requests_for(&sdk, &stack);
        Harness {
            moto,
            stack,
            requests,
        }
    }

    async fn run(&self, batch: SqsEvent) -> SqsBatchResponse {
        pdf_generator::handle(Arc::clone(&self.requests), batch)
            .await
            .expect("the batch is answered")
    }
}

fn requests_for(sdk: &aws_config::SdkConfig, stack: &TestStack) -> Arc<Requests> {
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(sdk), DOCUMENTS_BUCKET);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(sdk),
        stack.document_events_arn.as_str(),
    );
    let fonts = Arc::new(FontSet::bundled().expect("bundled fonts"));
    let generator = PdfGenerator::new(store, publisher, fonts, RenderOptions::default());
    Arc::new(PdfRequests::new(generator))
}

fn invoice_document(id: &str, revision: u32) -> Value {
    let mut document: Value =
        serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
    document["invoice_id"] = json!(id);
    document["revision"] = json!(revision);
    document
}

fn finalized(event_id: &str, data: Value) -> String {
    finalized_event("test/producer", event_id, &data)
}

fn rendered(document: &Value) -> Vec<u8> {
    let invoice = paperflow_invoice::invoice_from_value(document).expect("a valid invoice");
    let fonts = FontSet::bundled().expect("bundled fonts");
    paperflow_render::render(&invoice, &fonts, &RenderOptions::default())
        .expect("renders")
        .bytes
}

const WAIT: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_finalized_invoice_is_stored_byte_identical_and_announced_with_every_field() {
    let harness = Harness::start().await;
    let response = harness
        .run(sqs_event("sqs-raw-invoice-finalized.json"))
        .await;
    assert!(response.batch_item_failures.is_empty());

    let document = invoice_document("INV-2026-000123", 1);
    let expected = rendered(&document);
    let stored = harness
        .stack
        .object("invoices/INV-2026-000123/r1.pdf")
        .await
        .expect("stored");
    assert!(
        stored == expected,
        "the stored PDF differs from what the renderer makes"
    );

    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    let notice = &notices[0];
    assert_eq!(notice["specversion"], "1.0");
    assert_eq!(notice["type"], "invoice.pdf.ready.v1");
    assert_eq!(notice["source"], "paperflow/pdf-generator");
    assert_eq!(notice["subject"], "INV-2026-000123");
    assert_eq!(
        notice["causationid"],
        "0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e01"
    );
    assert_eq!(notice["correlationid"], "corr-5a1b2c3d4e01");
    let data = &notice["data"];
    assert_eq!(data["invoice_id"], "INV-2026-000123");
    assert_eq!(data["revision"], 1);
    assert_eq!(data["bucket"], DOCUMENTS_BUCKET);
    assert_eq!(data["key"], "invoices/INV-2026-000123/r1.pdf");
    assert_eq!(data["size"], expected.len());
    assert_eq!(
        data["sha256"],
        paperflow_pipeline::digest::sha256_hex(&expected)
    );
    assert_eq!(data["pages"], 1);
    assert_eq!(data["buyer_email"], "ap@contoso.example");

    let latest: Value = serde_json::from_slice(
        &harness
            .stack
            .object("invoices/INV-2026-000123/latest.json")
            .await
            .expect("latest"),
    )
    .expect("JSON");
    assert_eq!(latest["revision"], 1);
}

#[tokio::test]
async fn an_sns_wrapped_delivery_is_handled_like_a_raw_one() {
    let harness = Harness::start().await;
    let response = harness
        .run(sqs_event("sqs-sns-wrapped-invoice-finalized.json"))
        .await;
    assert!(response.batch_item_failures.is_empty());
    assert!(
        harness
            .stack
            .object("invoices/INV-2026-000123/r1.pdf")
            .await
            .is_some()
    );
    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices[0]["type"], "invoice.pdf.ready.v1");
}

#[tokio::test]
async fn duplicate_deliveries_store_one_pdf_and_repeat_one_notice_id() {
    let harness = Harness::start().await;
    let body = finalized("dup-1", invoice_document("INV-DUP-1", 1));
    // Sequential: the same message twice.
    harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    // Concurrent: the same message twice in one batch.
    let response = harness.run(sqs_batch(&[body.clone(), body.clone()])).await;
    assert!(response.batch_item_failures.is_empty());

    let keys = harness.stack.keys().await;
    assert_eq!(
        keys,
        [
            "invoices/INV-DUP-1/latest.json",
            "invoices/INV-DUP-1/r1.pdf"
        ]
    );
    let notices = harness.stack.notices(4, WAIT).await;
    assert_eq!(notices.len(), 4, "every delivery is announced");
    let ids: std::collections::BTreeSet<_> = notices
        .iter()
        .map(|notice| notice["id"].to_string())
        .collect();
    assert_eq!(ids.len(), 1, "one notice id for every duplicate: {ids:?}");
}

#[tokio::test]
async fn revisions_arriving_out_of_order_leave_latest_at_the_highest() {
    let harness = Harness::start().await;
    for revision in [3, 1, 2] {
        let body = finalized(
            &format!("rev-{revision}"),
            invoice_document("INV-ORDER", revision),
        );
        let response = harness.run(sqs_batch(&[body])).await;
        assert!(response.batch_item_failures.is_empty());
    }
    let keys = harness.stack.keys().await;
    for revision in 1..=3 {
        assert!(keys.contains(&pdf_key("INV-ORDER", revision)), "{keys:?}");
    }
    let latest: Value = serde_json::from_slice(
        &harness
            .stack
            .object("invoices/INV-ORDER/latest.json")
            .await
            .expect("latest"),
    )
    .expect("JSON");
    assert_eq!(latest["revision"], 3);
    assert_eq!(latest["key"], "invoices/INV-ORDER/r3.pdf");
}

#[tokio::test]
async fn a_mixed_batch_stores_the_good_and_announces_each_bad_one_with_its_reason() {
    let harness = Harness::start().await;
    let response = harness.run(sqs_event("sqs-mixed-batch.json")).await;
    assert!(
        response.batch_item_failures.is_empty(),
        "permanent failures are acknowledged: {:?}",
        response.batch_item_failures
    );
    assert!(
        harness
            .stack
            .object("invoices/INV-2026-000125/r1.pdf")
            .await
            .is_some()
    );
    // The good one's PDF and pointer, and the failure record of the invalid invoice (the only
    // bad one whose invoice id and revision can be read), which its status reports.
    assert_eq!(
        harness.stack.keys().await,
        [
            "invoices/INV-2026-000124/r1.failed.json",
            "invoices/INV-2026-000125/latest.json",
            "invoices/INV-2026-000125/r1.pdf",
        ],
        "only the good one is stored"
    );

    let notices = harness.stack.notices(4, WAIT).await;
    assert_eq!(notices.len(), 4, "{notices:?}");
    let failed: Vec<&Value> = notices
        .iter()
        .filter(|notice| notice["type"] == "invoice.pdf.failed.v1")
        .collect();
    let mut codes: Vec<&str> = failed
        .iter()
        .filter_map(|notice| notice["data"]["code"].as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["invalid_invoice", "not_json", "unsupported_event_version"]
    );
    for notice in &failed {
        assert!(
            !notice["data"]["input"].is_null(),
            "the input travels with the notice: {notice}"
        );
        assert!(
            notice["data"]["message"]
                .as_str()
                .is_some_and(|message| !message.is_empty())
        );
    }
    let invalid = failed
        .iter()
        .find(|notice| notice["data"]["code"] == "invalid_invoice")
        .expect("the invalid invoice is announced");
    let message = invalid["data"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("/currency"), "{message}");
    assert!(
        message.contains("/lines/0/quantity: must not be 0"),
        "{message}"
    );
    assert_eq!(invalid["data"]["invoice_id"], "INV-2026-000124");
    // An event this consumer cannot decode still stays in its flow.
    let newer = failed
        .iter()
        .find(|notice| notice["data"]["code"] == "unsupported_event_version")
        .expect("the v2 event is announced");
    assert_eq!(newer["correlationid"], "corr-5a1b2c3d4e06");
    assert_eq!(newer["causationid"], "0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e06");
}

#[tokio::test]
async fn the_same_revision_with_different_content_is_a_permanent_conflict() {
    let harness = Harness::start().await;
    let first = invoice_document("INV-CONFLICT", 1);
    let mut changed = first.clone();
    changed["notes"] = json!("A different text: a different PDF.");
    harness
        .run(sqs_batch(&[finalized("c-1", first.clone())]))
        .await;
    let response = harness.run(sqs_batch(&[finalized("c-2", changed)])).await;
    assert!(response.batch_item_failures.is_empty());
    let stored = harness
        .stack
        .object("invoices/INV-CONFLICT/r1.pdf")
        .await
        .expect("stored");
    assert!(stored == rendered(&first), "the first document stays");
    let notices = harness.stack.notices(2, WAIT).await;
    let failed = notices
        .iter()
        .find(|notice| notice["type"] == "invoice.pdf.failed.v1")
        .expect("a failed notice");
    assert_eq!(failed["data"]["code"], "revision_conflict");
}

#[tokio::test]
async fn while_s3_is_down_every_record_is_retried_and_after_recovery_nothing_is_lost() {
    let mut harness = Harness::start().await;
    let bodies: Vec<String> = (1..=3)
        .map(|n| {
            finalized(
                &format!("down-{n}"),
                invoice_document(&format!("INV-DOWN-{n}"), 1),
            )
        })
        .collect();
    harness.moto.stop();
    let response = harness.run(sqs_batch(&bodies)).await;
    assert_eq!(
        failed_ids(&response),
        ["m0", "m1", "m2"],
        "none may be acknowledged"
    );

    // moto comes back empty on the same port: the deployment's resources exist again.
    harness.moto.restart();
    let sdk = harness.moto.sdk_config().await;
    harness.stack = TestStack::create(&sdk).await;
    let response = harness.run(sqs_batch(&bodies)).await;
    assert!(response.batch_item_failures.is_empty());
    for n in 1..=3 {
        let key = pdf_key(&format!("INV-DOWN-{n}"), 1);
        assert!(
            harness.stack.object(&key).await.is_some(),
            "{key} is missing"
        );
    }
    assert_eq!(harness.stack.notices(3, WAIT).await.len(), 3);
}
