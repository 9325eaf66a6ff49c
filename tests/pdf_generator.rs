//! The pdf-generator against real parts: moto's server as S3, SNS and SQS, the real adapters,
//! and the function's own handler fed SQS batches as Lambda would feed them. E-invoices are
//! checked by tools no one here wrote (`scripts/check_pdfa.py`: pikepdf and factur-x's reader;
//! `scripts/check_einvoice.py`: the official XML Schema and EN 16931 schematron).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_pipeline::digest::sha256_hex;
use paperflow_pipeline::generate::EInvoiceFormat;
use paperflow_pipeline::store::xml_key;
use paperflow_pipeline::{PdfGenerator, ThemeCache, pdf_key};
use paperflow_render::{RenderOptions, ThemeFile};
use paperflow_tests::moto::Moto;
use paperflow_tests::stack::{
    DOCUMENTS_BUCKET, TestStack, failed_ids, finalized_event, sqs_batch, sqs_event,
};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::path::Path;
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
        let requests = requests_for(&sdk, &stack, EInvoiceFormat::None);
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

/// The function's records processor, making `default_einvoice` of documents that name none.
fn requests_for(
    sdk: &aws_config::SdkConfig,
    stack: &TestStack,
    default_einvoice: EInvoiceFormat,
) -> Arc<Requests> {
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(sdk), DOCUMENTS_BUCKET);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(sdk),
        stack.document_events_arn.as_str(),
    );
    let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
    // Themes are asked for on every use, so that an edit between two deliveries is seen.
    let generator = PdfGenerator::new(store, publisher, fonts, RenderOptions::default())
        .with_default_einvoice(default_einvoice)
        .with_theme_cache(ThemeCache::new(Duration::ZERO));
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
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
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
    let message = failed["data"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("source-sha256"), "{message}");
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

/// A sample document as the data of an event.
fn sample_document(name: &str) -> Value {
    serde_json::from_slice(&paperflow_tests::sample(name)).expect("JSON")
}

/// `bytes` written to `name` in `dir`, for a script to read.
fn file_in(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("written");
    path
}

/// The ready notices among `notices`, which must be all of them.
fn ready_data(notices: &[Value]) -> Vec<&Value> {
    assert!(
        notices
            .iter()
            .all(|notice| notice["type"] == "invoice.pdf.ready.v1"),
        "{notices:?}"
    );
    notices.iter().map(|notice| &notice["data"]).collect()
}

#[tokio::test]
async fn a_factur_x_document_becomes_one_pdf_a_3b_with_its_xml_inside_and_a_redelivery_is_a_duplicate()
 {
    let harness = Harness::start().await;
    let document = sample_document("einvoice-de-reverse-charge.json");
    let id = document["invoice_id"].as_str().expect("an id").to_owned();
    let body = finalized("fx-1", document.clone());
    harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    let response = harness.run(sqs_batch(&[body])).await;
    assert!(response.batch_item_failures.is_empty());

    let pdf = harness
        .stack
        .object(&pdf_key(&id, 1))
        .await
        .expect("the PDF is stored");
    assert_eq!(
        harness.stack.keys().await,
        [
            format!("invoices/{id}/latest.json"),
            format!("invoices/{id}/r1.pdf")
        ],
        "no separate XML for Factur-X"
    );
    let notices = harness.stack.notices(2, WAIT).await;
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert_eq!(notices[0]["id"], notices[1]["id"], "one notice id");
    for data in ready_data(&notices) {
        assert_eq!(data["einvoice"], "factur-x");
        assert!(data.get("xml_key").is_none() && data.get("xml_sha256").is_none());
        assert_eq!(data["sha256"], sha256_hex(&pdf));
        assert_eq!(data["size"], pdf.len());
    }

    let dir = tempfile::tempdir().expect("a temporary folder");
    let stored = file_in(&dir, "stored.pdf", &pdf);
    let found = dir.path().join("factur-x.xml");
    let report = paperflow_tests::run_project_script(
        "check_pdfa.py",
        &[&stored, Path::new("--xml-out"), &found],
    );
    assert!(report.contains(", 0 failed"), "{report}");
    let invoice = paperflow_invoice::invoice_from_value(&document).expect("valid");
    let expected = paperflow_einvoice::to_xml(&invoice, EInvoiceFormat::FacturX).expect("an XML");
    assert!(
        std::fs::read(&found).expect("the XML found") == expected,
        "factur-x's reader finds the XML paperflow built"
    );
    paperflow_tests::run_project_script("check_einvoice.py", &[&found]);
}

#[tokio::test]
async fn an_xrechnung_document_stores_its_xml_beside_the_pdf_and_announces_both() {
    let harness = Harness::start().await;
    let document = sample_document("einvoice-xrechnung.json");
    let id = document["invoice_id"].as_str().expect("an id").to_owned();
    let body = finalized("xr-1", document);
    harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    let response = harness.run(sqs_batch(&[body])).await;
    assert!(response.batch_item_failures.is_empty());

    let keys = harness.stack.keys().await;
    assert_eq!(
        keys,
        [
            format!("invoices/{id}/latest.json"),
            format!("invoices/{id}/r1.pdf"),
            format!("invoices/{id}/r1.xml"),
        ]
    );
    let xml = harness
        .stack
        .object(&xml_key(&id, 1))
        .await
        .expect("the XML");
    let pdf = harness
        .stack
        .object(&pdf_key(&id, 1))
        .await
        .expect("the PDF");
    let head = harness
        .stack
        .s3
        .head_object()
        .bucket(DOCUMENTS_BUCKET)
        .key(xml_key(&id, 1))
        .send()
        .await
        .expect("the XML's metadata");
    assert_eq!(head.content_type(), Some("application/xml"));
    assert_eq!(
        head.metadata().and_then(|m| m.get("sha256")),
        Some(&sha256_hex(&xml))
    );

    let notices = harness.stack.notices(2, WAIT).await;
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert_eq!(notices[0]["id"], notices[1]["id"], "one notice id");
    for data in ready_data(&notices) {
        assert_eq!(data["einvoice"], "xrechnung");
        assert_eq!(data["xml_key"], xml_key(&id, 1));
        assert_eq!(data["xml_sha256"], sha256_hex(&xml));
        assert_eq!(data["sha256"], sha256_hex(&pdf));
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    paperflow_tests::run_project_script("check_einvoice.py", &[&file_in(&dir, "r1.xml", &xml)]);
}

#[tokio::test]
async fn the_deployment_default_applies_to_documents_that_name_no_einvoice() {
    let mut harness = Harness::start().await;
    let sdk = harness.moto.sdk_config().await;
    harness.requests = requests_for(&sdk, &harness.stack, EInvoiceFormat::XRechnung);
    let mut unnamed = sample_document("einvoice-xrechnung.json");
    unnamed
        .as_object_mut()
        .expect("an object")
        .remove("einvoice");
    unnamed["invoice_id"] = json!("INV-DEFAULT");
    // A document's own choice wins over the default.
    let mut plain = invoice_document("INV-PLAIN", 1);
    plain["einvoice"] = json!("none");
    let response = harness
        .run(sqs_batch(&[
            finalized("d-1", unnamed),
            finalized("d-2", plain),
        ]))
        .await;
    assert!(response.batch_item_failures.is_empty());
    let keys = harness.stack.keys().await;
    assert!(keys.contains(&xml_key("INV-DEFAULT", 1)), "{keys:?}");
    assert!(!keys.contains(&xml_key("INV-PLAIN", 1)), "{keys:?}");
    let notices = harness.stack.notices(2, WAIT).await;
    let data = ready_data(&notices);
    let of = |id: &str| {
        data.iter()
            .find(|data| data["invoice_id"] == id)
            .unwrap_or_else(|| panic!("a notice of {id}: {notices:?}"))
    };
    assert_eq!(of("INV-DEFAULT")["einvoice"], "xrechnung");
    assert!(of("INV-PLAIN").get("einvoice").is_none());
}

#[tokio::test]
async fn a_document_that_cannot_become_its_einvoice_stores_nothing_and_lists_every_reason() {
    let harness = Harness::start().await;
    let mut document = invoice_document("INV-NOT-XR", 1);
    document["einvoice"] = json!("xrechnung");
    let response = harness.run(sqs_batch(&[finalized("i-1", document)])).await;
    assert!(response.batch_item_failures.is_empty(), "permanent");
    assert_eq!(
        harness.stack.keys().await,
        ["invoices/INV-NOT-XR/r1.failed.json"],
        "no PDF without its XML"
    );
    let notices = harness.stack.notices(1, WAIT).await;
    assert_eq!(notices[0]["type"], "invoice.pdf.failed.v1");
    let data = &notices[0]["data"];
    assert_eq!(data["code"], "einvoice_impossible");
    let message = data["message"].as_str().unwrap_or_default();
    for expected in [
        "/buyer_reference: required for XRechnung",
        "(BT-10, BR-DE-15)",
        "/seller/electronic_address",
        "(BT-34,",
        "/payment",
        "(BG-16, BR-DE-1)",
    ] {
        assert!(message.contains(expected), "{expected:?} in {message}");
    }
}

#[tokio::test]
async fn a_foreign_object_without_metadata_is_compared_by_its_bytes() {
    let harness = Harness::start().await;
    let put = |key: String, body: Vec<u8>| {
        let s3 = harness.stack.s3.clone();
        async move {
            s3.put_object()
                .bucket(DOCUMENTS_BUCKET)
                .key(key)
                .body(body.into())
                .send()
                .await
                .expect("a foreign object is put");
        }
    };
    // The same bytes, put there by another tool: a duplicate, announced as ready.
    let same = invoice_document("INV-FOREIGN-SAME", 1);
    put(pdf_key("INV-FOREIGN-SAME", 1), rendered(&same)).await;
    // Other bytes under the PDF's key, and under an XML's key.
    put(
        pdf_key("INV-FOREIGN-OTHER", 1),
        b"%PDF-1.4 not ours".to_vec(),
    )
    .await;
    let mut xrechnung = sample_document("einvoice-xrechnung.json");
    xrechnung["invoice_id"] = json!("INV-FOREIGN-XML");
    put(xml_key("INV-FOREIGN-XML", 1), b"<Invoice/>".to_vec()).await;

    let response = harness
        .run(sqs_batch(&[
            finalized("f-1", same),
            finalized("f-2", invoice_document("INV-FOREIGN-OTHER", 1)),
            finalized("f-3", xrechnung),
        ]))
        .await;
    assert!(
        response.batch_item_failures.is_empty(),
        "none is left for redelivery: {:?}",
        response.batch_item_failures
    );
    let notices = harness.stack.notices(3, WAIT).await;
    assert_eq!(notices.len(), 3, "{notices:?}");
    let of = |id: &str| {
        notices
            .iter()
            .find(|notice| notice["subject"] == id)
            .unwrap_or_else(|| panic!("a notice of {id}: {notices:?}"))
    };
    assert_eq!(of("INV-FOREIGN-SAME")["type"], "invoice.pdf.ready.v1");
    for conflicting in ["INV-FOREIGN-OTHER", "INV-FOREIGN-XML"] {
        let notice = of(conflicting);
        assert_eq!(notice["type"], "invoice.pdf.failed.v1", "{notice}");
        assert_eq!(notice["data"]["code"], "revision_conflict", "{notice}");
        let message = notice["data"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("no paperflow metadata"), "{message}");
    }
    let keys = harness.stack.keys().await;
    assert!(
        !keys.contains(&pdf_key("INV-FOREIGN-XML", 1)),
        "no PDF when its XML conflicts: {keys:?}"
    );
}

/// The user metadata of the object under `key`.
async fn metadata_of(harness: &Harness, key: &str) -> std::collections::HashMap<String, String> {
    harness
        .stack
        .s3
        .head_object()
        .bucket(DOCUMENTS_BUCKET)
        .key(key)
        .send()
        .await
        .expect("the object's metadata")
        .metadata()
        .cloned()
        .unwrap_or_default()
}

/// Puts `body` under `key` with `metadata`, as an earlier delivery (or an earlier paperflow)
/// would have stored it.
async fn put_stored(
    harness: &Harness,
    key: &str,
    body: &[u8],
    metadata: std::collections::HashMap<String, String>,
) {
    harness
        .stack
        .s3
        .put_object()
        .bucket(DOCUMENTS_BUCKET)
        .key(key)
        .body(body.to_vec().into())
        .set_metadata(Some(metadata))
        .send()
        .await
        .expect("an object is put");
}

fn theme_json(accent: &str) -> Vec<u8> {
    json!({ "accent_color": accent }).to_string().into_bytes()
}

fn rendered_with_theme(document: &Value, theme: &[u8]) -> Vec<u8> {
    let invoice = paperflow_invoice::invoice_from_value(document).expect("a valid invoice");
    let theme = ThemeFile::parse(theme)
        .expect("a valid theme")
        .with_logo(None)
        .expect("no logo");
    let options = RenderOptions {
        theme: Some(Arc::new(theme)),
        ..RenderOptions::default()
    };
    let fonts = paperflow_bundled_fonts::font_set().expect("bundled fonts");
    paperflow_render::render(&invoice, &fonts, &options)
        .expect("renders")
        .bytes
}

#[tokio::test]
async fn a_theme_edited_between_two_deliveries_of_a_revision_keeps_the_first_pdf_and_announces_it_twice()
 {
    let harness = Harness::start().await;
    let mut document = invoice_document("INV-THEME-EDIT", 1);
    document["theme"] = json!("edited");
    let theme_key = "themes/edited/theme.json";
    let (before, after) = (theme_json("#0B5FFF"), theme_json("#C0392B"));
    let body = finalized("theme-1", document.clone());

    put_stored(&harness, theme_key, &before, Default::default()).await;
    let first = harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    assert!(first.batch_item_failures.is_empty());
    // The sender edits the theme; SQS then delivers the same message again (a crash between
    // "stored" and "announced").
    put_stored(&harness, theme_key, &after, Default::default()).await;
    let again = harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    assert!(again.batch_item_failures.is_empty());

    let key = pdf_key("INV-THEME-EDIT", 1);
    let stored = harness.stack.object(&key).await.expect("stored");
    assert!(
        stored == rendered_with_theme(&document, &before),
        "the first delivery's PDF stays"
    );
    assert!(
        stored != rendered_with_theme(&document, &after),
        "the edited theme renders other bytes, or this test proves nothing"
    );
    let notices = harness.stack.notices(2, WAIT).await;
    assert_eq!(notices.len(), 2, "{notices:?}");
    for notice in &notices {
        assert_eq!(notice["type"], "invoice.pdf.ready.v1", "{notice}");
        assert_eq!(notice["id"], notices[0]["id"], "one notice id");
        assert_eq!(notice["data"]["sha256"], sha256_hex(&stored), "{notice}");
        assert_eq!(notice["data"]["size"], stored.len(), "{notice}");
    }
    let metadata = metadata_of(&harness, &key).await;
    assert_eq!(
        metadata.get("source-sha256"),
        Some(&paperflow_pipeline::digest::json_sha256(&document)),
        "the PDF names the document it was made from: {metadata:?}"
    );
}

#[tokio::test]
async fn a_redelivery_after_a_renderer_upgrade_announces_the_stored_pdf() {
    let harness = Harness::start().await;
    let body = finalized("upgrade-1", invoice_document("INV-UPGRADE", 1));
    harness.run(sqs_batch(std::slice::from_ref(&body))).await;
    // What an older renderer made of the same document, with the metadata it stored.
    let key = pdf_key("INV-UPGRADE", 1);
    let older = b"%PDF-1.7 what an older renderer made of this invoice".to_vec();
    let mut metadata = metadata_of(&harness, &key).await;
    metadata.insert("sha256".to_owned(), sha256_hex(&older));
    put_stored(&harness, &key, &older, metadata).await;

    let response = harness.run(sqs_batch(&[body])).await;
    assert!(response.batch_item_failures.is_empty());
    assert!(harness.stack.object(&key).await.expect("stored") == older);
    let notices = harness.stack.notices(2, WAIT).await;
    let last = notices.last().expect("a notice");
    assert_eq!(last["type"], "invoice.pdf.ready.v1", "{last}");
    assert_eq!(last["data"]["sha256"], sha256_hex(&older));
    assert_eq!(last["data"]["size"], older.len());
}

#[tokio::test]
async fn an_object_stored_before_source_digests_is_compared_by_its_bytes() {
    let harness = Harness::start().await;
    let earlier_paperflow = |bytes: &[u8]| {
        std::collections::HashMap::from([
            ("sha256".to_owned(), sha256_hex(bytes)),
            ("revision".to_owned(), "1".to_owned()),
            ("pages".to_owned(), "1".to_owned()),
        ])
    };
    let same = invoice_document("INV-EARLIER-SAME", 1);
    let same_bytes = rendered(&same);
    put_stored(
        &harness,
        &pdf_key("INV-EARLIER-SAME", 1),
        &same_bytes,
        earlier_paperflow(&same_bytes),
    )
    .await;
    let other_bytes = b"%PDF-1.7 an earlier rendering".to_vec();
    put_stored(
        &harness,
        &pdf_key("INV-EARLIER-OTHER", 1),
        &other_bytes,
        earlier_paperflow(&other_bytes),
    )
    .await;

    let response = harness
        .run(sqs_batch(&[
            finalized("e-1", same),
            finalized("e-2", invoice_document("INV-EARLIER-OTHER", 1)),
        ]))
        .await;
    assert!(response.batch_item_failures.is_empty());
    let notices = harness.stack.notices(2, WAIT).await;
    let of = |id: &str| {
        notices
            .iter()
            .find(|notice| notice["subject"] == id)
            .unwrap_or_else(|| panic!("a notice of {id}: {notices:?}"))
    };
    let ready = of("INV-EARLIER-SAME");
    assert_eq!(ready["type"], "invoice.pdf.ready.v1", "{ready}");
    assert_eq!(ready["data"]["sha256"], sha256_hex(&same_bytes));
    let conflict = of("INV-EARLIER-OTHER");
    assert_eq!(conflict["data"]["code"], "revision_conflict", "{conflict}");
    let message = conflict["data"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("before source-sha256"), "{message}");
}
