//! `api_request`: the invoice API's request handling, with in-memory ports.
//!
//! The request is built from the fuzzer's bytes with [`arbitrary`]: a method, a path of known and
//! arbitrary segments (percent-encoded or raw, behind an optional stage), query parameters,
//! headers and a body (nothing, arbitrary text or bytes, or a sample document, valid or not). The
//! handler runs with the in-memory store and publisher, which never fail and send nothing.

use arbitrary::{Arbitrary, Unstructured};
use invoice_api::{Api, CORRELATION_HEADER};
use lambda_http::http::header::{ALLOW, CONTENT_TYPE};
use lambda_http::http::{HeaderName, HeaderValue, Method, Response};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt};
use paperflow_pipeline::DirectRenderer;
use paperflow_pipeline::memory::{MemoryPublisher, MemoryStore};
use paperflow_render::{FontSet, RenderOptions};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

/// Documents a request body may be: three the validator accepts and one it refuses.
const SAMPLES: &[&[u8]] = &[
    include_bytes!("../../../samples/invoice-small.json"),
    include_bytes!("../../../samples/invoice-jpy.json"),
    include_bytes!("../../../samples/einvoice-credit-note.json"),
    include_bytes!("../../../samples/invoice-invalid.json"),
];

/// An HTTP request as API Gateway hands it to the function.
#[derive(Debug, Arbitrary)]
pub struct HttpRequest {
    method: MethodChoice,
    stage: Option<String>,
    path: Vec<Segment>,
    query: Vec<(QueryKey, String)>,
    headers: Vec<(HeaderChoice, ValueChoice)>,
    body: BodyChoice,
}

#[derive(Debug, Arbitrary)]
enum MethodChoice {
    Get,
    Post,
    Put,
    Delete,
    Head,
    Options,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum Segment {
    V1,
    Invoices,
    Pdf,
    InvoiceId,
    /// Every byte percent-encoded, as a client sends an id with `/` or non-ASCII in it.
    Encoded(String),
    Raw(String),
}

#[derive(Debug, Arbitrary)]
enum QueryKey {
    Revision,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum HeaderChoice {
    ContentType,
    CorrelationId,
    IdempotencyKey,
    Other(String),
}

#[derive(Debug, Arbitrary)]
enum ValueChoice {
    Json,
    JsonWithCharset,
    ProblemJson,
    Text(String),
    Bytes(Vec<u8>),
}

#[derive(Debug, Arbitrary)]
enum BodyChoice {
    Empty,
    Sample(u8),
    Text(String),
    Bytes(Vec<u8>),
}

impl HttpRequest {
    /// The lambda_http request, with the path as API Gateway's `rawPath`. Header names and
    /// values HTTP itself refuses are left out: they never reach a function.
    fn to_request(&self) -> Request {
        let mut raw_path = String::new();
        if let Some(stage) = &self.stage {
            raw_path.push('/');
            raw_path.push_str(stage);
        }
        for segment in &self.path {
            raw_path.push('/');
            match segment {
                Segment::V1 => raw_path.push_str("v1"),
                Segment::Invoices => raw_path.push_str("invoices"),
                Segment::Pdf => raw_path.push_str("pdf"),
                Segment::InvoiceId => raw_path.push_str("INV-2026-000123"),
                Segment::Encoded(text) => {
                    for byte in text.bytes() {
                        raw_path.push_str(&format!("%{byte:02X}"));
                    }
                }
                Segment::Raw(text) => raw_path.push_str(text),
            }
        }
        if raw_path.is_empty() {
            raw_path.push('/');
        }
        let method = match &self.method {
            MethodChoice::Get => Method::GET,
            MethodChoice::Post => Method::POST,
            MethodChoice::Put => Method::PUT,
            MethodChoice::Delete => Method::DELETE,
            MethodChoice::Head => Method::HEAD,
            MethodChoice::Options => Method::OPTIONS,
            MethodChoice::Other(name) => Method::from_bytes(name.as_bytes()).unwrap_or(Method::GET),
        };
        let body = match &self.body {
            BodyChoice::Empty => Body::Empty,
            BodyChoice::Sample(index) => {
                Body::Binary(SAMPLES[usize::from(*index) % SAMPLES.len()].to_vec())
            }
            BodyChoice::Text(text) => Body::Text(text.clone()),
            BodyChoice::Bytes(bytes) => Body::Binary(bytes.clone()),
        };
        let mut request = Request::new(body);
        *request.method_mut() = method;
        if let Ok(uri) = raw_path.parse() {
            *request.uri_mut() = uri;
        }
        for (name, value) in &self.headers {
            let name = match name {
                HeaderChoice::ContentType => CONTENT_TYPE,
                HeaderChoice::CorrelationId => HeaderName::from_static(CORRELATION_HEADER),
                HeaderChoice::IdempotencyKey => HeaderName::from_static("idempotency-key"),
                HeaderChoice::Other(name) => match HeaderName::from_bytes(name.as_bytes()) {
                    Ok(name) => name,
                    Err(_) => continue,
                },
            };
            let value = match value {
                ValueChoice::Json => Ok(HeaderValue::from_static("application/json")),
                ValueChoice::JsonWithCharset => {
                    Ok(HeaderValue::from_static("application/json; charset=utf-8"))
                }
                ValueChoice::ProblemJson => {
                    Ok(HeaderValue::from_static("application/problem+json"))
                }
                ValueChoice::Text(text) => HeaderValue::from_str(text),
                ValueChoice::Bytes(bytes) => HeaderValue::from_bytes(bytes),
            };
            if let Ok(value) = value {
                request.headers_mut().append(name, value);
            }
        }
        let mut query: HashMap<String, Vec<String>> = HashMap::new();
        for (key, value) in &self.query {
            let key = match key {
                QueryKey::Revision => "revision".to_owned(),
                QueryKey::Other(key) => key.clone(),
            };
            query.entry(key).or_default().push(value.clone());
        }
        let mut context =
            lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.stage = Some(self.stage.clone().unwrap_or_else(|| "$default".to_owned()));
        request
            .with_raw_http_path(raw_path)
            .with_query_string_parameters(query)
            .with_request_context(RequestContext::ApiGatewayV2(context))
    }
}

/// The fonts, parsed once per process (as a function does per cold start).
fn fonts() -> Arc<FontSet> {
    static FONTS: OnceLock<Arc<FontSet>> = OnceLock::new();
    Arc::clone(FONTS.get_or_init(|| {
        Arc::new(paperflow_bundled_fonts::font_set().expect("the bundled fonts load"))
    }))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

/// The request `data` describes (see [`HttpRequest`]) gets an answer that never is a 5xx (the
/// in-memory ports never fail, so no request reaches a failing dependency), always carries a
/// correlation id, is an RFC 9457 problem whenever it is an error (a 405 also names what is
/// allowed), and is a PDF file whenever it says it is one.
pub fn check(data: &[u8]) {
    let Ok(request) = HttpRequest::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let store = MemoryStore::new();
    let direct = DirectRenderer::new(store.clone(), fonts(), RenderOptions::default());
    let api = Api::new(direct, store, MemoryPublisher::new());
    let response = runtime().block_on(invoice_api::handle(&api, request.to_request()));
    check_answer(&request, &response);
}

fn check_answer(request: &HttpRequest, response: &Response<Body>) {
    let status = response.status();
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|value: &HeaderValue| value.to_str().ok())
    };
    assert!(
        !status.is_server_error(),
        "{status} without a failing dependency, for {request:?}"
    );
    assert!(
        header(CORRELATION_HEADER).is_some_and(|id| !id.is_empty()),
        "no correlation id on the answer {status}"
    );
    let body: &[u8] = response.body().as_ref();
    if status.is_client_error() {
        assert_eq!(
            header(CONTENT_TYPE.as_str()),
            Some("application/problem+json"),
            "a {status} that is not a problem"
        );
        let problem: Value = serde_json::from_slice(body).expect("a problem is JSON");
        assert!(
            problem["type"]
                .as_str()
                .is_some_and(|kind| kind.starts_with("urn:paperflow:problem:")),
            "a problem without its type: {problem}"
        );
        assert_eq!(problem["status"], status.as_u16(), "{problem}");
        assert!(
            problem["title"]
                .as_str()
                .is_some_and(|title| !title.is_empty()),
            "a problem without a title: {problem}"
        );
        if status.as_u16() == 405 {
            assert!(header(ALLOW.as_str()).is_some(), "a 405 without Allow");
        }
    }
    if header(CONTENT_TYPE.as_str()) == Some("application/pdf") {
        assert!(
            body.starts_with(b"%PDF-"),
            "application/pdf that is not a PDF"
        );
    }
}
