//! invoice-api: a Lambda function behind API Gateway's HTTP API (payload format 2.0).
//!
//! | route | what it does |
//! |---|---|
//! | `POST /v1/invoices/pdf[?einvoice=none\|factur-x]` | the direct way: the invoice document in, `200 application/pdf` out (base64 in the proxy answer), a Factur-X PDF/A-3b when asked (by the parameter, else the document's `einvoice`); a PDF too large for Lambda's 6 MB answer is stored and answered `303 See Other` with a presigned URL |
//! | `POST /v1/invoices` | the producer way: validate (the document's own `einvoice` too), publish `invoice.finalized.v1`, answer `202 Accepted` with `Location`; `Idempotency-Key` makes retries safe |
//! | `GET /v1/invoices/{id}` | the status of the latest (or `?revision=N`) revision: `pending`, `ready` with a presigned URL valid 15 minutes (and `xml_url` for an XML e-invoice stored beside the PDF), or `failed` with the reason |
//!
//! Every answer carries `X-Correlation-Id`: the caller's, or a fresh one; it is the
//! `correlationid` of every event the request causes. Every error is an RFC 9457 problem
//! ([`problem`]); a client error is never a 5xx, and nothing is published for a rejected
//! request. `infra/openapi.yaml` describes all of it, and a test drives this function from it.
//!
//! The work itself is `paperflow_pipeline`'s ([`DirectRenderer`], [`Submitter`],
//! [`revision_status`]); this crate reads HTTP and writes HTTP.

pub mod problem;
pub mod routes;

use lambda_http::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use lambda_http::{Body, Request, RequestExt};
use paperflow_invoice::{Invoice, parse_invoice_id};
use paperflow_lambda::metrics::{Unit, emit};
use paperflow_pipeline::direct::{AnswerFormat, URL_LIFETIME};
use paperflow_pipeline::{
    DirectError, DirectPdf, DirectRenderer, DocumentStore, EventPublisher, RevisionStatus,
    SubmitError, Submitter, ThemeSource, revision_status,
};
use problem::{Problem, Violation};
use routes::Route;
use serde_json::{Value, json};
use std::time::Instant;
use tracing::Instrument;

const FUNCTION: &str = "invoice-api";

/// The largest request body accepted, in bytes (1 MiB): far above any real invoice of the
/// maximum 5,000 lines, far below what would strain the function's memory.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The correlation id header, in and out.
pub const CORRELATION_HEADER: &str = "x-correlation-id";

/// The idempotency key header of `POST /v1/invoices`.
pub const IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// The longest correlation id or idempotency key accepted, in characters.
pub const MAX_TOKEN_CHARS: usize = 128;

/// The API's parts, built once per cold start.
pub struct Api<S, P> {
    direct: DirectRenderer<S>,
    submitter: Submitter<S, P>,
    store: S,
}

impl<S: DocumentStore + ThemeSource + Clone, P: EventPublisher> Api<S, P> {
    /// The API over `store` (documents bucket) and `publisher` (invoice-events topic).
    pub fn new(direct: DirectRenderer<S>, store: S, publisher: P) -> Self {
        Api {
            direct,
            submitter: Submitter::new(store.clone(), publisher),
            store,
        }
    }
}

/// Answers one request. Never fails: every error is a problem answer.
pub async fn handle<S, P>(api: &Api<S, P>, request: Request) -> Response<Body>
where
    S: DocumentStore + ThemeSource + Clone,
    P: EventPublisher,
{
    let started = Instant::now();
    let (correlation_id, correlation_problem) = correlation_id(request.headers());
    let route = routes::route(&request);
    let span = tracing::info_span!(
        "request",
        correlation_id = correlation_id.as_str(),
        method = %request.method(),
        route = ?route
    );
    let answer = async {
        // Where the request goes is answered first: a wrong path or method is a 404 or 405
        // whatever its headers hold, as the OpenAPI document promises for every operation.
        match (route, correlation_problem) {
            (Route::MethodNotAllowed(allow), _) => Err(Problem::method_not_allowed(
                request.method().as_str(),
                allow,
            )),
            (Route::NotFound(path), _) => Err(Problem::no_route(&path)),
            (_, Some(problem)) => Err(problem),
            (Route::RenderPdf, None) => render_pdf(api, &request).await,
            (Route::Submit, None) => submit(api, &request, &correlation_id).await,
            (Route::Status(id), None) => status(api, &request, &id).await,
        }
        .unwrap_or_else(Problem::into_response)
    }
    .instrument(span.clone())
    .await;
    let mut response = answer;
    if let Ok(value) = HeaderValue::from_str(&correlation_id) {
        response.headers_mut().insert(CORRELATION_HEADER, value);
    }
    let status = response.status().as_u16();
    span.in_scope(|| tracing::info!(status, "answered"));
    emit(
        FUNCTION,
        &[
            ("requests", 1.0, Unit::Count),
            (
                "client_errors",
                f64::from(u8::from((400..500).contains(&status))),
                Unit::Count,
            ),
            (
                "server_errors",
                f64::from(u8::from(status >= 500)),
                Unit::Count,
            ),
            (
                "latency_ms",
                started.elapsed().as_secs_f64() * 1000.0,
                Unit::Milliseconds,
            ),
        ],
    );
    response
}

/// The caller's correlation id, or a fresh one; and the problem, if the caller's is unusable.
fn correlation_id(headers: &HeaderMap) -> (String, Option<Problem>) {
    let Some(value) = headers.get(CORRELATION_HEADER) else {
        return (paperflow_events::new_event_id(), None);
    };
    match token(value, "/headers/x-correlation-id") {
        Ok(id) => (id, None),
        Err(violation) => (
            paperflow_events::new_event_id(),
            Some(Problem::invalid_request(vec![violation])),
        ),
    }
}

/// A header that must be a short printable token (a correlation id, an idempotency key).
fn token(value: &HeaderValue, pointer: &str) -> Result<String, Violation> {
    let violation = |rule: &str| Violation {
        pointer: pointer.to_owned(),
        rule: rule.to_owned(),
    };
    let text = value
        .to_str()
        .map_err(|_| violation("must be printable ASCII"))?;
    if text.is_empty() || text.len() > MAX_TOKEN_CHARS {
        return Err(violation(&format!(
            "must be 1 to {MAX_TOKEN_CHARS} characters"
        )));
    }
    if !text.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(violation(
            "must be printable ASCII without spaces (letters, digits, punctuation)",
        ));
    }
    Ok(text.to_owned())
}

/// The body as a validated invoice and the JSON it came from: 415, 413, 400 or 422 otherwise.
fn read_invoice(request: &Request) -> Result<(Invoice, Value), Problem> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    if !content_type.as_deref().is_some_and(is_json_media_type) {
        return Err(Problem::unsupported_media_type(content_type.as_deref()));
    }
    let body: &[u8] = request.body().as_ref();
    if body.len() > MAX_BODY_BYTES {
        return Err(Problem::too_large(body.len(), MAX_BODY_BYTES));
    }
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let document: Value =
        serde_json::from_slice(body).map_err(|error| Problem::not_json(&error.to_string()))?;
    let invoice = paperflow_invoice::invoice_from_value(&document)
        .map_err(|violations| Problem::invalid_invoice(&violations))?;
    Ok((invoice, document))
}

/// `application/json`, with parameters or not, and the `+json` family.
fn is_json_media_type(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

async fn render_pdf<S, P>(api: &Api<S, P>, request: &Request) -> Result<Response<Body>, Problem>
where
    S: DocumentStore + ThemeSource + Clone,
    P: EventPublisher,
{
    let asked = einvoice_parameter(request)?;
    let (invoice, _) = read_invoice(request)?;
    let started = Instant::now();
    let pdf = api
        .direct
        .render(&invoice, asked)
        .await
        .map_err(|error| match error {
            DirectError::EInvoiceImpossible(violations) => {
                Problem::einvoice_impossible(&violations)
            }
            DirectError::Render(message) => {
                Problem::internal(format!("rendering failed: {message}"))
            }
            DirectError::Theme { message, .. } => Problem::unusable_theme(message),
            DirectError::Dependency(error) => Problem::dependency(&error),
        })?;
    let render_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(invoice_id = invoice.id.as_str(), render_ms, "rendered");
    let response = match pdf {
        DirectPdf::Inline { bytes, sha256, .. } => Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/pdf")
            .header(
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"{}.pdf\"",
                    file_name(invoice.id.as_str())
                ),
            )
            .header(header::ETAG, format!("\"{sha256}\""))
            .body(Body::Binary(bytes)),
        DirectPdf::Stored { url, sha256, size } => Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, url.as_str())
            .header(header::ETAG, format!("\"{sha256}\""))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::Text(
                json!({
                    "invoice_id": invoice.id.as_str(),
                    "url": url,
                    "size": size,
                    "sha256": sha256,
                    "expires_in_seconds": URL_LIFETIME.as_secs(),
                })
                .to_string(),
            )),
    };
    response.map_err(|error| Problem::internal(error.to_string()))
}

/// The invoice id as a file name: its slashes (allowed in ids) become underscores.
fn file_name(invoice_id: &str) -> String {
    invoice_id.replace('/', "_")
}

async fn submit<S, P>(
    api: &Api<S, P>,
    request: &Request,
    correlation_id: &str,
) -> Result<Response<Body>, Problem>
where
    S: DocumentStore + ThemeSource + Clone,
    P: EventPublisher,
{
    let idempotency_key = match request.headers().get(IDEMPOTENCY_HEADER) {
        Some(value) => Some(
            token(value, "/headers/idempotency-key")
                .map_err(|violation| Problem::invalid_request(vec![violation]))?,
        ),
        None => None,
    };
    let (invoice, document) = read_invoice(request)?;
    let accepted = api
        .submitter
        .submit(
            &invoice,
            &document,
            correlation_id,
            idempotency_key.as_deref(),
        )
        .await
        .map_err(|error| match error {
            SubmitError::EInvoiceImpossible(violations) => {
                Problem::einvoice_impossible(&violations)
            }
            SubmitError::KeyReused => Problem::idempotency_key_reused(),
            SubmitError::Dependency(error) => Problem::dependency(&error),
        })?;
    let submission = accepted.submission;
    tracing::info!(
        invoice_id = submission.invoice_id.as_str(),
        revision = submission.revision,
        event_id = submission.event_id.as_str(),
        replayed = accepted.replayed,
        "accepted"
    );
    let location = format!(
        "/v1/invoices/{}",
        percent_encoding::utf8_percent_encode(&submission.invoice_id, PATH_SEGMENT)
    );
    let body = json!({
        "status": "pending",
        "invoice_id": submission.invoice_id,
        "revision": submission.revision,
        "event_id": submission.event_id,
        "correlation_id": submission.correlation_id,
    });
    let mut response = Response::builder()
        .status(StatusCode::ACCEPTED)
        .header(header::LOCATION, location)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(body.to_string()))
        .map_err(|error| Problem::internal(error.to_string()))?;
    if accepted.replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// What must be escaped in one path segment: an id's `/` travels as `%2F`.
const PATH_SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_');

async fn status<S, P>(
    api: &Api<S, P>,
    request: &Request,
    id: &str,
) -> Result<Response<Body>, Problem>
where
    S: DocumentStore + ThemeSource + Clone,
    P: EventPublisher,
{
    let invoice_id = parse_invoice_id(id, "/path/id").map_err(|violations| {
        Problem::invalid_request(
            violations
                .iter()
                .map(|violation| Violation {
                    pointer: violation.pointer.clone(),
                    rule: violation.rule.clone(),
                })
                .collect(),
        )
    })?;
    let revision = revision_parameter(request)?;
    let found = revision_status(&api.store, &invoice_id, revision)
        .await
        .map_err(|error| Problem::dependency(&error))?;
    let Some(found) = found else {
        return Err(Problem::unknown_invoice(invoice_id.as_str(), revision));
    };
    let body = match &found {
        RevisionStatus::Pending(submitted) => json!({
            "status": "pending",
            "invoice_id": submitted.invoice_id,
            "revision": submitted.revision,
            "event_id": submitted.event_id,
            "correlation_id": submitted.correlation_id,
            "submitted_at": submitted.submitted_at,
        }),
        RevisionStatus::Ready(ready) => {
            let url = api
                .store
                .presign_get(&ready.key, URL_LIFETIME)
                .await
                .map_err(|error| Problem::dependency(&error))?;
            let mut body = json!({
                "status": "ready",
                "invoice_id": ready.invoice_id,
                "revision": ready.revision,
                "sha256": ready.sha256,
                "pages": ready.pages,
                "size": ready.size,
                "url": url,
                "url_expires_in_seconds": URL_LIFETIME.as_secs(),
            });
            if let Some(xml_key) = &ready.xml_key {
                let xml_url = api
                    .store
                    .presign_get(xml_key, URL_LIFETIME)
                    .await
                    .map_err(|error| Problem::dependency(&error))?;
                body["xml_url"] = json!(xml_url);
            }
            body
        }
        RevisionStatus::Failed(failed) => json!({
            "status": "failed",
            "invoice_id": failed.invoice_id,
            "revision": failed.revision,
            "correlation_id": failed.correlation_id,
            "failed_at": failed.failed_at,
            "failure": { "code": failed.code, "message": failed.message },
        }),
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        // A status changes; a presigned URL must not outlive its expiry in a cache.
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(body.to_string()))
        .map_err(|error| Problem::internal(error.to_string()))
}

/// `?einvoice=`: absent (the document decides), or a format that is one PDF.
fn einvoice_parameter(request: &Request) -> Result<Option<AnswerFormat>, Problem> {
    let parameters = request.query_string_parameters_ref();
    let Some(given) = parameters.and_then(|parameters| parameters.first("einvoice")) else {
        return Ok(None);
    };
    AnswerFormat::parse(given).map(Some).map_err(|rule| {
        Problem::invalid_request(vec![Violation {
            pointer: "/query/einvoice".to_owned(),
            rule: rule.to_owned(),
        }])
    })
}

/// `?revision=N`: absent, or a whole number from 1 to the highest revision.
fn revision_parameter(request: &Request) -> Result<Option<u32>, Problem> {
    let parameters = request.query_string_parameters_ref();
    let Some(given) = parameters.and_then(|parameters| parameters.first("revision")) else {
        return Ok(None);
    };
    let max = paperflow_invoice::limits::MAX_REVISION;
    match given.parse::<u32>() {
        Ok(revision) if (1..=max).contains(&revision) => Ok(Some(revision)),
        _ => Err(Problem::invalid_request(vec![Violation {
            pointer: "/query/revision".to_owned(),
            rule: format!("must be a whole number from 1 to {max}"),
        }])),
    }
}
