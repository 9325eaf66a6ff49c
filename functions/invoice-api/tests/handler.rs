//! The invoice API's handler, driven by API Gateway v2 request events in the shape AWS sends
//! (`events/apigw-v2-*.json`, made like the fixtures of the aws_lambda_events crate), through
//! lambda_http's own adapter: what is checked is the proxy answer API Gateway receives,
//! `isBase64Encoded` and all.
//!
//! The ports are the in-memory ones: these tests are about HTTP (routes, status codes,
//! problems, headers, encodings). `tests/invoice_api.rs` runs the same function against S3 and
//! SNS (moto), and `tools/paperflow/tests/local_stack.rs` drives the running function through the
//! local stack's API Gateway front from the OpenAPI spec.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use invoice_api::Api;
use paperflow_einvoice::EInvoiceFormat;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_pipeline::{DependencyError, DirectRenderer, DocumentStore, NewObject, PdfGenerator};
use paperflow_render::{FacturX, FontSet, RenderOptions};
use paperflow_tests::api_gateway::proxy_answer;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::{Arc, OnceLock};

fn fonts() -> Arc<FontSet> {
    static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
    Arc::clone(
        FONTS.get_or_init(|| Arc::new(paperflow_bundled_fonts::font_set().expect("bundled fonts"))),
    )
}

struct Harness {
    api: Arc<Api<MemoryStore, MemoryPublisher>>,
    store: MemoryStore,
    published: MemoryPublisher,
}

impl Harness {
    fn new() -> Harness {
        Harness::with_inline_limit(paperflow_pipeline::direct::INLINE_LIMIT)
    }

    fn with_inline_limit(limit: usize) -> Harness {
        let store = MemoryStore::new();
        let published = MemoryPublisher::new();
        let direct = DirectRenderer::new(store.clone(), fonts(), RenderOptions::default())
            .with_inline_limit(limit);
        let api = Arc::new(Api::new(direct, store.clone(), published.clone()));
        Harness {
            api,
            store,
            published,
        }
    }

    /// The proxy answer to `request` (an API Gateway v2 event), as API Gateway receives it.
    ///
    /// (lambda_http itself panics on a path that is not a valid URI, e.g. with a raw space;
    /// API Gateway never sends one, so the arbitrary requests below stay within URL syntax.)
    async fn call(&self, request: Value) -> Answer {
        let api = &self.api;
        Answer(proxy_answer(|request| invoice_api::handle(api, request), request).await)
    }
}

/// An API Gateway v2 proxy answer.
struct Answer(Value);

impl Answer {
    fn status(&self) -> u64 {
        self.0["statusCode"].as_u64().expect("a status code")
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.0["headers"][name].as_str()
    }

    fn bytes(&self) -> Vec<u8> {
        let body = self.0["body"].as_str().unwrap_or_default();
        if self.0["isBase64Encoded"] == json!(true) {
            STANDARD.decode(body).expect("base64")
        } else {
            body.as_bytes().to_vec()
        }
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes()).expect("a JSON body")
    }

    /// Asserts an RFC 9457 problem of `status` and `slug`, and returns it.
    fn problem(&self, status: u64, slug: &str) -> Value {
        assert_eq!(self.status(), status, "answer: {}", self.0);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        let problem = self.json();
        assert_eq!(problem["type"], format!("urn:paperflow:problem:{slug}"));
        assert_eq!(problem["status"], status);
        assert!(problem["title"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()));
        problem
    }
}

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn event(name: &str) -> Value {
    let path = repo().join("events").join(name);
    serde_json::from_slice(&std::fs::read(&path).expect("the sample event exists"))
        .expect("the sample event is JSON")
}

fn sample(name: &str) -> Value {
    let path = repo().join("samples").join(name);
    serde_json::from_slice(&std::fs::read(path).expect("sample")).expect("JSON")
}

fn small_invoice() -> Value {
    sample("invoice-small.json")
}

/// The PDF `paperflow render` makes of `document` as `format` (none or factur-x).
fn rendered(document: &Value, format: EInvoiceFormat) -> Vec<u8> {
    let invoice = paperflow_invoice::invoice_from_value(document).expect("valid");
    let factur_x = match format {
        EInvoiceFormat::None => None,
        _ => Some(FacturX {
            xml: paperflow_einvoice::to_xml(&invoice, format).expect("can be this e-invoice"),
        }),
    };
    let options = RenderOptions {
        factur_x,
        ..RenderOptions::default()
    };
    paperflow_render::render(&invoice, &fonts(), &options)
        .expect("renders")
        .bytes
}

/// The pointers of a problem's violations.
fn pointers(problem: &Value) -> Vec<String> {
    problem["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|violation| violation["pointer"].as_str().expect("a pointer").to_owned())
        .collect()
}

/// `request` with another body (text).
fn with_body(mut request: Value, body: &str) -> Value {
    request["body"] = json!(body);
    request["headers"]["content-length"] = json!(body.len().to_string());
    request
}

fn with_header(mut request: Value, name: &str, value: &str) -> Value {
    request["headers"][name] = json!(value);
    request
}

fn without_header(mut request: Value, name: &str) -> Value {
    if let Some(headers) = request["headers"].as_object_mut() {
        headers.remove(name);
    }
    request
}

fn at(mut request: Value, method: &str, path: &str, query: &str) -> Value {
    request["rawPath"] = json!(path);
    request["requestContext"]["http"]["path"] = json!(path);
    request["requestContext"]["http"]["method"] = json!(method);
    request["rawQueryString"] = json!(query);
    request
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

// --- POST /v1/invoices/pdf -------------------------------------------------------------------

#[tokio::test]
async fn the_pdf_comes_base64_encoded_with_its_name_and_hash_and_equals_paperflow_render() {
    let harness = Harness::new();
    let answer = harness.call(event("apigw-v2-render-pdf.json")).await;

    assert_eq!(answer.status(), 200, "{}", answer.0);
    assert_eq!(answer.0["isBase64Encoded"], json!(true));
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    assert_eq!(
        answer.header("content-disposition"),
        Some("inline; filename=\"INV-2026-000123.pdf\"")
    );
    let pdf = answer.bytes();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        answer.header("etag"),
        Some(format!("\"{}\"", sha256_hex(&pdf)).as_str())
    );
    assert_eq!(
        answer.header("x-correlation-id"),
        Some("corr-api-sample-0001")
    );

    let invoice = paperflow_invoice::invoice_from_value(&small_invoice()).expect("valid");
    let expected =
        paperflow_render::render(&invoice, &fonts(), &RenderOptions::default()).expect("renders");
    assert!(pdf == expected.bytes, "the API's PDF is paperflow render's");
    assert_eq!(
        harness.published.count(),
        0,
        "the direct way publishes nothing"
    );
    assert!(harness.store.keys().is_empty(), "and stores nothing");
}

#[tokio::test]
async fn a_missing_correlation_id_is_made_fresh_and_answered() {
    let harness = Harness::new();
    let request = without_header(event("apigw-v2-render-pdf.json"), "x-correlation-id");
    let answer = harness.call(request).await;
    assert_eq!(answer.status(), 200);
    let id = answer.header("x-correlation-id").expect("a correlation id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
}

#[tokio::test]
async fn a_pdf_too_large_to_answer_is_stored_and_answered_303_with_a_presigned_url() {
    let harness = Harness::with_inline_limit(1_000);
    let answer = harness.call(event("apigw-v2-render-pdf.json")).await;

    assert_eq!(answer.status(), 303, "{}", answer.0);
    let location = answer.header("location").expect("a Location");
    let body = answer.json();
    assert_eq!(body["url"], location);
    assert_eq!(body["expires_in_seconds"], 900);
    let key = format!("api/{}.pdf", body["sha256"].as_str().expect("sha256"));
    assert!(location.contains(&key), "{location} names {key}");
    let stored = harness.store.body(&key).expect("the PDF is stored");
    assert!(stored.starts_with(b"%PDF-"));
    assert_eq!(body["size"], stored.len());
}

#[tokio::test]
async fn a_base64_encoded_request_body_is_read_like_a_plain_one() {
    let harness = Harness::new();
    let mut request = event("apigw-v2-render-pdf.json");
    let body = request["body"].as_str().expect("a body").to_owned();
    request["body"] = json!(STANDARD.encode(body));
    request["isBase64Encoded"] = json!(true);
    assert_eq!(harness.call(request).await.status(), 200);
}

#[tokio::test]
async fn an_invalid_invoice_is_a_422_naming_every_pointer_and_rule() {
    let harness = Harness::new();
    let answer = harness
        .call(event("apigw-v2-render-pdf-invalid.json"))
        .await;
    let problem = answer.problem(422, "invalid-invoice");
    let violations = problem["violations"].as_array().expect("violations");
    let pointers: Vec<&str> = violations
        .iter()
        .filter_map(|v| v["pointer"].as_str())
        .collect();
    assert!(pointers.contains(&"/currency"), "{pointers:?}");
    assert!(pointers.contains(&"/lines/0/quantity"), "{pointers:?}");
    assert!(violations.iter().all(|v| v["rule"].as_str().is_some()));
    assert_eq!(
        answer.header("x-correlation-id"),
        Some("corr-api-sample-0001")
    );
}

#[tokio::test]
async fn bodies_that_are_not_an_invoice_document_get_their_own_problem() {
    let harness = Harness::new();
    let base = event("apigw-v2-render-pdf.json");

    let not_json = harness
        .call(with_body(base.clone(), "{\"invoice_id\": "))
        .await;
    not_json.problem(400, "not-json");

    let empty = harness.call(with_body(base.clone(), "")).await;
    empty.problem(400, "not-json");

    let array = harness.call(with_body(base.clone(), "[1, 2]")).await;
    array.problem(422, "invalid-invoice");

    let text = with_header(base.clone(), "content-type", "text/plain");
    harness
        .call(text)
        .await
        .problem(415, "unsupported-media-type");

    let missing = without_header(base.clone(), "content-type");
    harness
        .call(missing)
        .await
        .problem(415, "unsupported-media-type");

    let charset = with_header(
        base.clone(),
        "content-type",
        "application/json; charset=utf-8",
    );
    assert_eq!(harness.call(charset).await.status(), 200);

    let huge = format!("{{\"notes\": \"{}\"}}", "x".repeat(1024 * 1024));
    harness
        .call(with_body(base, &huge))
        .await
        .problem(413, "payload-too-large");
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let harness = Harness::new();
    let base = event("apigw-v2-render-pdf.json");

    harness
        .call(at(base.clone(), "GET", "/v2/anything", ""))
        .await
        .problem(404, "not-found");
    harness
        .call(at(base.clone(), "POST", "/", ""))
        .await
        .problem(404, "not-found");

    let get_pdf = harness
        .call(at(base.clone(), "GET", "/v1/invoices/pdf", ""))
        .await;
    get_pdf.problem(405, "method-not-allowed");
    assert_eq!(get_pdf.header("allow"), Some("POST"));

    let delete = harness
        .call(at(base.clone(), "DELETE", "/v1/invoices", ""))
        .await;
    delete.problem(405, "method-not-allowed");
    assert_eq!(delete.header("allow"), Some("POST"));

    let put = harness
        .call(at(base, "PUT", "/v1/invoices/INV-1", ""))
        .await;
    put.problem(405, "method-not-allowed");
    assert_eq!(put.header("allow"), Some("GET"));
}

#[tokio::test]
async fn a_wrong_method_or_path_is_answered_before_the_headers_are_checked() {
    // schemathesis found it: `TRACE /v1/invoices` with an empty correlation id was a 400,
    // where the OpenAPI document promises 405 for a method no operation has.
    let harness = Harness::new();
    let base = with_header(event("apigw-v2-render-pdf.json"), "x-correlation-id", "");
    let trace = harness
        .call(at(base.clone(), "TRACE", "/v1/invoices", ""))
        .await;
    trace.problem(405, "method-not-allowed");
    assert_eq!(trace.header("allow"), Some("POST"));
    harness
        .call(at(base, "GET", "/v2/anything", ""))
        .await
        .problem(404, "not-found");
}

#[tokio::test]
async fn a_named_stage_in_the_path_is_not_part_of_the_route() {
    let harness = Harness::new();
    let mut request = at(
        event("apigw-v2-render-pdf.json"),
        "POST",
        "/prod/v1/invoices/pdf",
        "",
    );
    request["requestContext"]["stage"] = json!("prod");
    assert_eq!(harness.call(request).await.status(), 200);
}

#[tokio::test]
async fn a_malformed_correlation_id_is_a_400_problem_that_names_the_header() {
    let harness = Harness::new();
    let request = with_header(event("apigw-v2-render-pdf.json"), "x-correlation-id", "a b");
    let answer = harness.call(request).await;
    let problem = answer.problem(400, "invalid-request");
    assert_eq!(
        problem["violations"][0]["pointer"],
        "/headers/x-correlation-id"
    );
    assert!(answer.header("x-correlation-id").is_some());
}

// --- POST /v1/invoices/pdf?einvoice= -----------------------------------------------------------

#[tokio::test]
async fn einvoice_factur_x_answers_the_hybrid_pdf_over_the_documents_own_format() {
    let harness = Harness::new();
    // The sample's own format is XRechnung; the request asks for Factur-X, and wins.
    let request = event("apigw-v2-render-pdf-factur-x.json");
    assert_eq!(request["rawQueryString"], "einvoice=factur-x");
    let document: Value =
        serde_json::from_str(request["body"].as_str().expect("a body")).expect("JSON");
    assert_eq!(document["einvoice"], "xrechnung");

    let answer = harness.call(request).await;
    assert_eq!(answer.status(), 200, "{}", answer.0);
    assert_eq!(answer.header("content-type"), Some("application/pdf"));
    let pdf = answer.bytes();
    assert!(
        pdf == rendered(&document, EInvoiceFormat::FacturX),
        "the API's Factur-X is paperflow render --einvoice factur-x's"
    );
    assert_eq!(
        answer.header("etag"),
        Some(format!("\"{}\"", sha256_hex(&pdf)).as_str())
    );
    assert!(harness.store.keys().is_empty(), "nothing stored");
}

#[tokio::test]
async fn a_document_asking_for_factur_x_gets_it_unless_the_request_says_none() {
    let harness = Harness::new();
    let document = sample("einvoice-fr-discount.json");
    assert_eq!(document["einvoice"], "factur-x");
    let base = with_body(event("apigw-v2-render-pdf.json"), &document.to_string());

    let own = harness.call(base.clone()).await;
    assert_eq!(own.status(), 200, "{}", own.0);
    assert!(own.bytes() == rendered(&document, EInvoiceFormat::FacturX));

    let plain = harness
        .call(at(base, "POST", "/v1/invoices/pdf", "einvoice=none"))
        .await;
    assert_eq!(plain.status(), 200, "{}", plain.0);
    assert!(plain.bytes() == rendered(&document, EInvoiceFormat::None));
}

#[tokio::test]
async fn an_invoice_that_cannot_become_factur_x_is_a_422_listing_every_missing_business_term() {
    let harness = Harness::new();
    let request = at(
        event("apigw-v2-render-pdf.json"),
        "POST",
        "/v1/invoices/pdf",
        "einvoice=factur-x",
    );
    let answer = harness.call(request).await;
    let problem = answer.problem(422, "einvoice-impossible");

    let invoice = paperflow_invoice::invoice_from_value(&small_invoice()).expect("valid");
    let missing = paperflow_einvoice::check(&invoice, EInvoiceFormat::FacturX)
        .expect_err("the small sample lacks what Factur-X needs");
    assert!(!missing.is_empty());
    let expected: Vec<Value> = missing
        .iter()
        .map(|violation| json!({ "pointer": violation.pointer, "rule": violation.rule }))
        .collect();
    assert_eq!(problem["violations"], json!(expected), "every one of them");
    assert!(
        missing
            .iter()
            .all(|violation| violation.rule.contains("BT-")),
        "each names its business term: {missing:?}"
    );
    assert!(harness.store.keys().is_empty(), "no PDF without its XML");
}

#[tokio::test]
async fn the_xml_formats_and_unknown_values_are_a_400_naming_the_parameter_and_what_it_allows() {
    let harness = Harness::new();
    let base = event("apigw-v2-render-pdf-factur-x.json");
    for value in ["xrechnung", "peppol", "zugferd", "FACTUR-X", ""] {
        let query = format!("einvoice={value}");
        let answer = harness
            .call(at(base.clone(), "POST", "/v1/invoices/pdf", &query))
            .await;
        let problem = answer.problem(400, "invalid-request");
        assert_eq!(pointers(&problem), ["/query/einvoice"], "{query}");
        let rule = problem["violations"][0]["rule"].as_str().expect("a rule");
        for allowed in ["\"none\"", "\"factur-x\"", "POST /v1/invoices"] {
            assert!(rule.contains(allowed), "{query}: {rule}");
        }
    }
    assert!(harness.store.keys().is_empty());
    assert_eq!(harness.published.count(), 0);
}

#[tokio::test]
async fn a_document_asking_for_an_xml_format_is_a_422_at_its_einvoice_field() {
    let harness = Harness::new();
    for name in ["einvoice-xrechnung.json", "einvoice-peppol.json"] {
        let document = sample(name);
        let request = with_body(event("apigw-v2-render-pdf.json"), &document.to_string());
        let answer = harness.call(request).await;
        let problem = answer.problem(422, "einvoice-impossible");
        assert_eq!(pointers(&problem), ["/einvoice"], "{name}");
        assert!(
            problem["violations"][0]["rule"]
                .as_str()
                .is_some_and(|rule| rule.contains("?einvoice=factur-x")),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn a_large_factur_x_is_stored_and_answered_303_like_a_plain_pdf() {
    let harness = Harness::with_inline_limit(1_000);
    let answer = harness
        .call(event("apigw-v2-render-pdf-factur-x.json"))
        .await;
    assert_eq!(answer.status(), 303, "{}", answer.0);
    let body = answer.json();
    let key = format!("api/{}.pdf", body["sha256"].as_str().expect("sha256"));
    let stored = harness.store.body(&key).expect("the PDF is stored");
    let document: Value = serde_json::from_str(
        event("apigw-v2-render-pdf-factur-x.json")["body"]
            .as_str()
            .expect("a body"),
    )
    .expect("JSON");
    assert!(stored == rendered(&document, EInvoiceFormat::FacturX));
    let head = harness
        .store
        .head(&key)
        .await
        .expect("readable")
        .expect("there");
    assert_eq!(
        head.metadata.get("einvoice").map(String::as_str),
        Some("factur-x")
    );
}

// --- POST /v1/invoices -----------------------------------------------------------------------

#[tokio::test]
async fn a_submission_publishes_invoice_finalized_and_answers_202_with_location() {
    let harness = Harness::new();
    let request = without_header(event("apigw-v2-submit-invoice.json"), "idempotency-key");
    let answer = harness.call(request).await;

    assert_eq!(answer.status(), 202, "{}", answer.0);
    assert_eq!(
        answer.header("location"),
        Some("/v1/invoices/INV-2026-000123")
    );
    let body = answer.json();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["correlation_id"], "corr-api-sample-0001");
    assert_eq!(body["revision"], 1);

    let events = harness.published.events();
    assert_eq!(events.len(), 1);
    let published = &events[0];
    assert_eq!(published.event_type, "invoice.finalized.v1");
    assert_eq!(published.id, body["event_id"].as_str().expect("event id"));
    assert_eq!(published.source, "paperflow/invoice-api");
    assert_eq!(published.subject.as_deref(), Some("INV-2026-000123"));
    assert_eq!(published.correlation_id(), "corr-api-sample-0001");
    assert_eq!(published.data, small_invoice());
}

/// What a refusing or failing dependency says.
fn dependency_error(service: &'static str, retryable: bool) -> DependencyError {
    DependencyError {
        service,
        retryable,
        message: "HTTP 403 AccessDenied: User: arn:aws:sts::123456789012:assumed-role/x is not \
                  authorized to perform: sns:Publish on resource: arn:aws:sns:eu-west-1:123456789012:t"
            .into(),
    }
}

#[tokio::test]
async fn a_misconfigured_dependency_is_a_500_that_says_so_without_retry_after_or_arns() {
    let harness = Harness::new();
    harness
        .published
        .fail_with(Some(dependency_error("sns", false)));
    let request = without_header(event("apigw-v2-submit-invoice.json"), "idempotency-key");
    let answer = harness.call(request).await;
    let problem = answer.problem(500, "service-misconfigured");
    assert_eq!(problem["title"], "The service is misconfigured");
    assert_eq!(answer.header("retry-after"), None, "a retry cannot help");
    let detail = problem["detail"].as_str().expect("a detail");
    assert!(detail.contains("sns_misconfigured"), "{detail}");
    assert!(
        !detail.contains("arn:"),
        "no resource names leave: {detail}"
    );
}

#[tokio::test]
async fn a_dependency_that_may_recover_is_a_503_with_retry_after() {
    let harness = Harness::new();
    harness.store.fail_with(Some(dependency_error("s3", true)));
    let request = event("apigw-v2-invoice-status.json");
    let answer = harness.call(request).await;
    let problem = answer.problem(503, "service-unavailable");
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert!(
        !problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("arn:")
    );

    harness.store.fail_with(Some(dependency_error("s3", false)));
    let request = event("apigw-v2-invoice-status.json");
    let answer = harness.call(request).await;
    answer.problem(500, "service-misconfigured");
    assert_eq!(answer.header("retry-after"), None);
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_answer_the_same_without_publishing_again() {
    let harness = Harness::new();
    let request = event("apigw-v2-submit-invoice.json");
    let first = harness.call(request.clone()).await;
    assert_eq!(first.status(), 202);
    assert_eq!(first.header("idempotent-replayed"), None);

    // A retry with the same body, reformatted, under another correlation id.
    let pretty = serde_json::to_string_pretty(&small_invoice()).expect("JSON");
    let retry = with_header(
        with_body(request.clone(), &pretty),
        "x-correlation-id",
        "retry",
    );
    let second = harness.call(retry).await;
    assert_eq!(second.status(), 202);
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(second.json(), first.json(), "the same result");
    assert_eq!(harness.published.count(), 1, "published once");

    let mut changed = small_invoice();
    changed["notes"] = json!("Changed after the first request.");
    let conflict = with_body(request, &changed.to_string());
    harness
        .call(conflict)
        .await
        .problem(409, "idempotency-key-reused");
    assert_eq!(
        harness.published.count(),
        1,
        "nothing published for the conflict"
    );
}

#[tokio::test]
async fn a_rejected_submission_publishes_nothing() {
    let harness = Harness::new();
    let invalid = event("apigw-v2-render-pdf-invalid.json")["body"]
        .as_str()
        .expect("body")
        .to_owned();
    let request = with_body(event("apigw-v2-submit-invoice.json"), &invalid);
    harness.call(request).await.problem(422, "invalid-invoice");

    let bad_key = with_header(event("apigw-v2-submit-invoice.json"), "idempotency-key", "");
    let problem = harness.call(bad_key).await.problem(400, "invalid-request");
    assert_eq!(
        problem["violations"][0]["pointer"],
        "/headers/idempotency-key"
    );

    assert_eq!(harness.published.count(), 0);
    assert!(
        harness.store.keys().is_empty(),
        "{:?}",
        harness.store.keys()
    );
}

#[tokio::test]
async fn a_submission_whose_own_einvoice_is_impossible_is_a_422_and_publishes_nothing() {
    let harness = Harness::new();
    let mut document = sample("einvoice-xrechnung.json");
    let buyer_reference = document
        .as_object_mut()
        .expect("an object")
        .remove("buyer_reference");
    assert!(buyer_reference.is_some(), "the sample has BT-10");
    let request = with_body(
        without_header(event("apigw-v2-submit-invoice.json"), "idempotency-key"),
        &document.to_string(),
    );
    let answer = harness.call(request).await;
    let problem = answer.problem(422, "einvoice-impossible");
    assert!(
        problem["violations"]
            .as_array()
            .is_some_and(|violations| violations.iter().any(|v| v["pointer"]
                == "/buyer_reference"
                && v["rule"]
                    .as_str()
                    .is_some_and(|rule| rule.contains("BT-10")))),
        "{problem}"
    );
    assert_eq!(harness.published.count(), 0);
    assert!(
        harness.store.keys().is_empty(),
        "{:?}",
        harness.store.keys()
    );

    // The same document with its BT-10 is accepted.
    let whole = with_body(
        without_header(event("apigw-v2-submit-invoice.json"), "idempotency-key"),
        &sample("einvoice-xrechnung.json").to_string(),
    );
    assert_eq!(harness.call(whole).await.status(), 202);
    assert_eq!(harness.published.count(), 1);
}

// --- GET /v1/invoices/{id} -------------------------------------------------------------------

#[tokio::test]
async fn the_status_goes_from_pending_to_ready_with_a_presigned_url() {
    let harness = Harness::new();
    let status_request = event("apigw-v2-invoice-status.json");
    harness
        .call(status_request.clone())
        .await
        .problem(404, "invoice-not-found");

    let submitted = harness.call(event("apigw-v2-submit-invoice.json")).await;
    assert_eq!(submitted.status(), 202);
    let pending = harness.call(status_request.clone()).await;
    assert_eq!(pending.status(), 200, "{}", pending.0);
    let body = pending.json();
    assert_eq!(body["status"], "pending");
    assert_eq!(body["event_id"], submitted.json()["event_id"]);

    // The pdf-generator handles the published event, on the same store.
    let generator = PdfGenerator::new(
        harness.store.clone(),
        MemoryPublisher::new(),
        fonts(),
        RenderOptions::default(),
    );
    let published = harness.published.events().remove(0);
    let generated = generator
        .generate(&serde_json::to_string(&published).expect("JSON"))
        .await
        .expect("renders");

    let ready = harness.call(status_request).await.json();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["revision"], 1);
    assert_eq!(ready["sha256"], generated.notice.data.sha256);
    assert_eq!(ready["pages"], 1);
    assert_eq!(ready["url_expires_in_seconds"], 900);
    assert!(
        ready["url"]
            .as_str()
            .is_some_and(|url| url.contains("invoices/INV-2026-000123/r1.pdf"))
    );
    assert!(
        ready.get("xml_url").is_none(),
        "no XML, no xml_url: {ready}"
    );
    // Without ?revision the latest is answered: the same here.
    let latest = harness
        .call(at(
            event("apigw-v2-invoice-status.json"),
            "GET",
            "/v1/invoices/INV-2026-000123",
            "",
        ))
        .await
        .json();
    assert_eq!(latest["status"], "ready");
}

#[tokio::test]
async fn a_ready_revision_with_its_xml_beside_it_answers_both_urls() {
    let harness = Harness::new();
    let object = |key: &str, body: &[u8], content_type: &str| NewObject {
        key: key.to_owned(),
        body: body.to_vec(),
        content_type: content_type.to_owned(),
        metadata: [("sha256".to_owned(), sha256_hex(body))].into(),
    };
    // What the pdf-generator leaves for an XRechnung: the XML first, then the PDF.
    for stored in [
        object(
            "invoices/INV-2026-000123/r1.xml",
            b"<rsm:CrossIndustryInvoice/>",
            "application/xml",
        ),
        object(
            "invoices/INV-2026-000123/r1.pdf",
            b"%PDF-1.7",
            "application/pdf",
        ),
    ] {
        harness.store.put_new(stored).await.expect("stored");
    }
    let answer = harness.call(event("apigw-v2-invoice-status.json")).await;
    assert_eq!(answer.status(), 200, "{}", answer.0);
    let ready = answer.json();
    assert_eq!(ready["status"], "ready");
    assert!(
        ready["url"]
            .as_str()
            .is_some_and(|url| url.contains("invoices/INV-2026-000123/r1.pdf")),
        "{ready}"
    );
    assert!(
        ready["xml_url"]
            .as_str()
            .is_some_and(|url| url.contains("invoices/INV-2026-000123/r1.xml")),
        "{ready}"
    );
}

#[tokio::test]
async fn a_failed_revision_says_why() {
    let harness = Harness::new();
    let generator = PdfGenerator::new(
        harness.store.clone(),
        MemoryPublisher::new(),
        fonts(),
        RenderOptions::default(),
    );
    // A producer published an invalid revision 2 straight to the topic.
    let mut document = small_invoice();
    document["revision"] = json!(2);
    document["currency"] = json!("XYZ");
    let event = paperflow_events::CloudEvent::new(
        "0193a5b0-7c2e-7d3a-9f10-5a1b2c3d4e99",
        "erp/billing",
        paperflow_events::EventType::InvoiceFinalized,
        "INV-2026-000123",
        time::OffsetDateTime::now_utc(),
        document,
    );
    let body = serde_json::to_string(&event).expect("JSON");
    let failure = generator.generate(&body).await.expect_err("invalid");
    generator.reject(&body, &failure).await.expect("announced");

    let status = at(
        self::event("apigw-v2-invoice-status.json"),
        "GET",
        "/v1/invoices/INV-2026-000123",
        "",
    );
    let answer = harness.call(status).await;
    assert_eq!(answer.status(), 200, "{}", answer.0);
    let failed = answer.json();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["revision"], 2);
    assert_eq!(failed["failure"]["code"], "invalid_invoice");
    assert!(
        failed["failure"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("/currency")),
        "{failed}"
    );
}

#[tokio::test]
async fn status_parameters_are_checked() {
    let harness = Harness::new();
    let base = event("apigw-v2-invoice-status.json");
    for query in [
        "revision=0",
        "revision=abc",
        "revision=-1",
        "revision=99999999999",
    ] {
        let answer = harness
            .call(at(base.clone(), "GET", "/v1/invoices/INV-1", query))
            .await;
        let problem = answer.problem(400, "invalid-request");
        assert_eq!(
            problem["violations"][0]["pointer"], "/query/revision",
            "{query}"
        );
    }
    let traversal = harness
        .call(at(base.clone(), "GET", "/v1/invoices/..%2F..%2Fetc", ""))
        .await;
    let problem = traversal.problem(400, "invalid-request");
    assert_eq!(problem["violations"][0]["pointer"], "/path/id");

    // An id with slashes travels percent-encoded.
    let slashed = harness
        .call(at(base, "GET", "/v1/invoices/ACME%2F2026%2F0001", ""))
        .await;
    let problem = slashed.problem(404, "invoice-not-found");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("ACME/2026/0001"))
    );
}

// --- never a panic, never a 5xx for what a client sends ----------------------------------------

mod arbitrary_requests {
    use super::*;
    use proptest::prelude::*;

    fn method() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
        ])
    }

    fn path() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("/v1/invoices/pdf".to_owned()),
            Just("/v1/invoices".to_owned()),
            "/v1/invoices/[A-Za-z0-9%./_-]{0,80}",
            // What API Gateway can put in rawPath: URL characters, percent-escapes.
            "/[A-Za-z0-9%._~!$&'()*+,;=:@/-]{0,40}",
        ]
    }

    fn body() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            Just(String::new()),
            Just("null".to_owned()),
            Just("{\"invoice_id\": 7, \"lines\": {}}".to_owned()),
            "\\{\"invoice_id\": \"[ -~]{0,80}\", \"revision\": -?[0-9]{1,12}\\}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        #[test]
        fn any_request_gets_an_answer_below_500(
            method in method(),
            path in path(),
            body in body(),
            content_type in prop::sample::select(vec!["application/json", "text/plain", "application/problem+json", ""]),
            key in "[ -~]{0,140}",
            query in "((revision|einvoice)=[A-Za-z0-9%+._-]{0,12})?",
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            let harness = Harness::new();
            let mut request = at(event("apigw-v2-submit-invoice.json"), method, &path, &query);
            request = with_body(request, &body);
            request = with_header(request, "content-type", content_type);
            request = with_header(request, "idempotency-key", &key);
            let answer = runtime.block_on(harness.call(request));
            prop_assert!(answer.status() < 500, "{}", answer.0);
            prop_assert!(answer.header("x-correlation-id").is_some());
        }
    }
}
