//! The invoice API against real parts: moto's server as S3, SNS and SQS, the real adapters, and
//! the function's handler fed API Gateway v2 requests (the samples of events/).
//!
//! The whole producer flow: `POST /v1/invoices` publishes to the invoice-events topic, the
//! pdf-requests queue (subscribed with the deployed filter policy) receives it with its message
//! attributes, the pdf-generator's handler renders what the queue delivered, and
//! `GET /v1/invoices/{id}` answers `ready` with a presigned URL whose download is the stored PDF.
//! E-invoices: `?einvoice=factur-x` answers a PDF/A-3b that tools no one here wrote accept
//! (`scripts/check_pdfa.py`, `scripts/check_einvoice.py`, from the project's venv), inline and
//! through the stored path; the status links an XML stored beside the PDF (`xml_url`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use invoice_api::Api;
use paperflow_aws::{S3DocumentStore, SnsEventPublisher};
use paperflow_einvoice::EInvoiceFormat;
use paperflow_pipeline::store::layout::xml_key;
use paperflow_pipeline::{DirectRenderer, PdfGenerator, pdf_key};
use paperflow_render::RenderOptions;
use paperflow_tests::api_gateway::proxy_answer;
use paperflow_tests::moto::{Moto, http_get};
use paperflow_tests::stack::{DOCUMENTS_BUCKET, TestStack, sqs_batch};
use pdf_generator::PdfRequests;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

type TheApi = Api<S3DocumentStore, SnsEventPublisher>;

struct Harness {
    _moto: Moto,
    stack: TestStack,
    api: Arc<TheApi>,
    generator: Arc<PdfRequests<S3DocumentStore, SnsEventPublisher>>,
}

impl Harness {
    async fn start() -> Harness {
        Harness::with_inline_limit(paperflow_pipeline::direct::INLINE_LIMIT).await
    }

    /// The harness, its direct way answering inline only up to `limit` bytes.
    async fn with_inline_limit(limit: usize) -> Harness {
        let moto = Moto::start();
        let sdk = moto.sdk_config().await;
        let stack = TestStack::create(&sdk).await;
        let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
        let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), DOCUMENTS_BUCKET);
        let direct =
            DirectRenderer::new(store.clone(), Arc::clone(&fonts), RenderOptions::default())
                .with_inline_limit(limit);
        let api = Arc::new(Api::new(
            direct,
            store.clone(),
            SnsEventPublisher::new(
                aws_sdk_sns::Client::new(&sdk),
                stack.invoice_events_arn.as_str(),
            ),
        ));
        let generator = Arc::new(PdfRequests::new(PdfGenerator::new(
            store,
            SnsEventPublisher::new(
                aws_sdk_sns::Client::new(&sdk),
                stack.document_events_arn.as_str(),
            ),
            fonts,
            RenderOptions::default(),
        )));
        Harness {
            _moto: moto,
            stack,
            api,
            generator,
        }
    }

    /// The proxy answer to the API Gateway v2 request `request`.
    async fn call(&self, request: Value) -> Value {
        let api = &self.api;
        proxy_answer(|request| invoice_api::handle(api, request), request).await
    }
}

fn request(name: &str) -> Value {
    let bytes = std::fs::read(paperflow_tests::repo_root().join("events").join(name))
        .expect("the sample request exists");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn body_json(answer: &Value) -> Value {
    serde_json::from_str(answer["body"].as_str().expect("a text body")).expect("a JSON body")
}

/// The bytes of a proxy answer's body.
fn body_bytes(answer: &Value) -> Vec<u8> {
    let body = answer["body"].as_str().expect("a body");
    if answer["isBase64Encoded"] == json!(true) {
        STANDARD.decode(body).expect("base64")
    } else {
        body.as_bytes().to_vec()
    }
}

/// Asserts that `pdf` is a Factur-X PDF/A-3b the outside tools accept, whose embedded XML is
/// `expected_xml` and passes the Factur-X EN 16931 schema and schematron.
fn assert_accepted_factur_x(pdf: &[u8], expected_xml: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let pdf_path = dir.path().join("answer.pdf");
    std::fs::write(&pdf_path, pdf).expect("the PDF is written");
    let found = dir.path().join("factur-x.xml");
    let report = paperflow_tests::run_project_script(
        "check_pdfa.py",
        &[&pdf_path, Path::new("--xml-out"), &found],
    );
    assert!(report.contains(", 0 failed"), "{report}");
    let xml = std::fs::read(&found).expect("check_pdfa.py wrote the XML it found");
    assert!(
        xml == expected_xml,
        "the embedded XML is the one paperflow builds"
    );
    paperflow_tests::run_project_script("check_einvoice.py", &[&found]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_submitted_invoice_reaches_the_topic_becomes_a_pdf_and_its_status_downloads_it() {
    let harness = Harness::start().await;

    let accepted = harness.call(request("apigw-v2-submit-invoice.json")).await;
    assert_eq!(accepted["statusCode"], 202, "{accepted}");
    let accepted_body = body_json(&accepted);

    // What the pdf-requests queue received, through the deployed filter policy.
    let received = harness.stack.requests(1, Duration::from_secs(10)).await;
    assert_eq!(received.len(), 1);
    let message = &received[0];
    assert_eq!(message.attributes["type"], "invoice.finalized.v1");
    assert_eq!(message.attributes["subject"], "INV-2026-000123");
    assert_eq!(message.attributes["correlationid"], "corr-api-sample-0001");
    let event: Value = serde_json::from_str(&message.body).expect("a CloudEvent");
    assert_eq!(event["id"], accepted_body["event_id"]);
    assert_eq!(event["source"], "paperflow/invoice-api");
    assert_eq!(event["correlationid"], "corr-api-sample-0001");
    let sample: Value =
        serde_json::from_slice(&paperflow_tests::sample("invoice-small.json")).expect("JSON");
    assert_eq!(event["data"], sample);

    let pending = harness.call(request("apigw-v2-invoice-status.json")).await;
    assert_eq!(pending["statusCode"], 200, "{pending}");
    assert_eq!(body_json(&pending)["status"], "pending");

    // The pdf-generator handles the delivered message.
    let batch = sqs_batch(std::slice::from_ref(&message.body));
    let answer = pdf_generator::handle(Arc::clone(&harness.generator), batch)
        .await
        .expect("answered");
    assert!(answer.batch_item_failures.is_empty());

    let ready = harness.call(request("apigw-v2-invoice-status.json")).await;
    let status = body_json(&ready);
    assert_eq!(status["status"], "ready", "{status}");
    assert_eq!(status["pages"], 1);
    let stored = harness
        .stack
        .object(&pdf_key("INV-2026-000123", 1))
        .await
        .expect("the PDF is stored");
    assert_eq!(status["size"], stored.len());
    let url = status["url"].as_str().expect("a URL");
    assert!(url.contains("X-Amz-Expires=900"), "valid 15 minutes: {url}");
    let download = http_get(url).expect("the presigned URL downloads");
    assert_eq!(download.status, 200);
    assert!(download.body == stored, "the download is the stored PDF");
}

#[tokio::test(flavor = "multi_thread")]
async fn idempotency_key_replays_publish_once() {
    let harness = Harness::start().await;
    let submit = request("apigw-v2-submit-invoice.json");
    let mut answers = Vec::new();
    for _ in 0..3 {
        let answer = harness.call(submit.clone()).await;
        assert_eq!(answer["statusCode"], 202, "{answer}");
        answers.push(body_json(&answer));
    }
    assert!(answers.iter().all(|answer| *answer == answers[0]));

    let mut changed: Value =
        serde_json::from_str(submit["body"].as_str().expect("body")).expect("JSON");
    changed["notes"] = json!("A different request under the same key.");
    let mut conflict = submit.clone();
    conflict["body"] = json!(changed.to_string());
    let answer = harness.call(conflict).await;
    assert_eq!(answer["statusCode"], 409, "{answer}");

    // Wait long enough for a second message to arrive if one had been published.
    let received = harness.stack.requests(2, Duration::from_secs(3)).await;
    assert_eq!(received.len(), 1, "published once");
    let event: Value = serde_json::from_str(&received[0].body).expect("JSON");
    assert_eq!(event["id"], answers[0]["event_id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_direct_pdf_too_large_to_answer_downloads_from_the_presigned_location() {
    let moto = Moto::start();
    let sdk = moto.sdk_config().await;
    let stack = TestStack::create(&sdk).await;
    let store = S3DocumentStore::new(aws_sdk_s3::Client::new(&sdk), DOCUMENTS_BUCKET);
    let fonts = Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"));
    // A limit of 1 KB stands in for the 4.5 MB that a real invoice would need to exceed.
    let direct =
        DirectRenderer::new(store.clone(), fonts, RenderOptions::default()).with_inline_limit(1024);
    let publisher = SnsEventPublisher::new(
        aws_sdk_sns::Client::new(&sdk),
        stack.invoice_events_arn.as_str(),
    );
    let api = Arc::new(Api::new(direct, store, publisher));
    let answer = proxy_answer(
        |request| invoice_api::handle(&api, request),
        request("apigw-v2-render-pdf.json"),
    )
    .await;
    assert_eq!(answer["statusCode"], 303, "{answer}");
    let location = answer["headers"]["location"].as_str().expect("a Location");
    let download = http_get(location).expect("the presigned URL downloads");
    assert_eq!(download.status, 200);
    assert!(download.body.starts_with(b"%PDF-"));
    let etag = answer["headers"]["etag"].as_str().expect("an ETag");
    let sha = paperflow_pipeline::digest::sha256_hex(&download.body);
    assert_eq!(etag, format!("\"{sha}\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn einvoice_factur_x_answers_a_pdf_a_3b_the_outside_tools_accept_inline_and_stored() {
    let request = request("apigw-v2-render-pdf-factur-x.json");
    let document: Value =
        serde_json::from_str(request["body"].as_str().expect("a body")).expect("JSON");
    let invoice = paperflow_invoice::invoice_from_value(&document).expect("valid");
    let xml = paperflow_einvoice::to_xml(&invoice, EInvoiceFormat::FacturX).expect("a Factur-X");

    let inline = Harness::start().await;
    let answer = inline.call(request.clone()).await;
    assert_eq!(answer["statusCode"], 200, "{answer}");
    assert_eq!(answer["headers"]["content-type"], "application/pdf");
    let pdf = body_bytes(&answer);
    assert_accepted_factur_x(&pdf, &xml);

    // A limit of 1 KB stands in for the 4.5 MB a real invoice would need to exceed.
    let stored = Harness::with_inline_limit(1024).await;
    let answer = stored.call(request).await;
    assert_eq!(answer["statusCode"], 303, "{answer}");
    let location = answer["headers"]["location"].as_str().expect("a Location");
    let download = http_get(location).expect("the presigned URL downloads");
    assert_eq!(download.status, 200);
    assert!(
        download.body == pdf,
        "the stored Factur-X is the inline one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_status_links_the_xml_stored_beside_the_pdf_and_only_then() {
    let harness = Harness::start().await;
    let id = "INV-2026-000123";
    let put = |key: String, body: &'static [u8], content_type: &'static str| {
        let s3 = harness.stack.s3.clone();
        async move {
            s3.put_object()
                .bucket(DOCUMENTS_BUCKET)
                .key(key)
                .content_type(content_type)
                .body(body.to_vec().into())
                .send()
                .await
                .expect("stored in moto");
        }
    };
    let xml: &'static [u8] = b"<?xml version=\"1.0\"?><rsm:CrossIndustryInvoice/>\n";
    // Revision 1: an XRechnung, the XML stored before the PDF; revision 2: a plain PDF.
    put(xml_key(id, 1), xml, "application/xml").await;
    put(pdf_key(id, 1), b"%PDF-1.7 revision 1", "application/pdf").await;
    put(pdf_key(id, 2), b"%PDF-1.7 revision 2", "application/pdf").await;

    let first = body_json(&harness.call(request("apigw-v2-invoice-status.json")).await);
    assert_eq!(first["status"], "ready", "{first}");
    assert_eq!(first["revision"], 1);
    let xml_url = first["xml_url"].as_str().expect("an xml_url");
    assert!(
        xml_url.contains("X-Amz-Expires=900"),
        "valid 15 minutes: {xml_url}"
    );
    let download = http_get(xml_url).expect("the presigned URL downloads");
    assert_eq!(download.status, 200);
    assert!(download.body == xml, "the download is the stored XML");

    let mut latest = request("apigw-v2-invoice-status.json");
    latest["rawQueryString"] = json!("");
    latest
        .as_object_mut()
        .expect("an object")
        .remove("queryStringParameters");
    let second = body_json(&harness.call(latest).await);
    assert_eq!(second["status"], "ready", "{second}");
    assert_eq!(second["revision"], 2);
    assert!(
        second.get("xml_url").is_none(),
        "no XML, no xml_url: {second}"
    );
}
