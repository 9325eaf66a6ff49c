//! RFC 9457 problem details: every error the API answers, as `application/problem+json`.
//!
//! Each kind of problem has a stable `type` (a URN: it names the problem and never moves, and
//! nobody is invited to fetch it), a `title` that stays the same for the type, a `status`, a
//! `detail` for this occurrence, and for validation the list of `{pointer, rule}` violations the
//! caller must fix. `infra/openapi.yaml` lists the types.

use lambda_http::Body;
use lambda_http::http::{HeaderValue, Response, StatusCode, header};
use paperflow_invoice::Violations;
use paperflow_pipeline::{DependencyError, FailureKind, RecordFailure};
use serde::Serialize;

/// One broken rule: an RFC 6901 pointer into the request (`/lines/0/quantity`, or
/// `/headers/idempotency-key` and `/query/revision` for the parts that are not the body) and
/// the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// Where.
    pub pointer: String,
    /// What is wrong.
    pub rule: String,
}

/// A problem answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The short, unchanging summary of the kind.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What happened this time.
    pub detail: String,
    /// The rules the request breaks (validation problems only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// Seconds after which a retry may succeed (503 only).
    #[serde(skip)]
    retry_after: Option<u32>,
    /// The methods the path allows (405 only).
    #[serde(skip)]
    allow: Option<&'static str>,
}

/// The prefix of every problem type.
pub const TYPE_PREFIX: &str = "urn:paperflow:problem:";

impl Problem {
    fn new(slug: &str, title: &'static str, status: StatusCode, detail: impl Into<String>) -> Self {
        Problem {
            problem_type: format!("{TYPE_PREFIX}{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            violations: Vec::new(),
            retry_after: None,
            allow: None,
        }
    }

    /// 400: the body is not JSON.
    pub fn not_json(error: &str) -> Self {
        Problem::new(
            "not-json",
            "The request body is not JSON",
            StatusCode::BAD_REQUEST,
            format!("the body must be a JSON document: {error}"),
        )
    }

    /// 400: a header or a parameter breaks its rule.
    pub fn invalid_request(violations: Vec<Violation>) -> Self {
        let detail = describe(&violations);
        Problem {
            violations,
            ..Problem::new(
                "invalid-request",
                "A header or parameter is invalid",
                StatusCode::BAD_REQUEST,
                detail,
            )
        }
    }

    /// 413: the body is larger than the API accepts.
    pub fn too_large(size: usize, limit: usize) -> Self {
        Problem::new(
            "payload-too-large",
            "The request body is too large",
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body has {size} bytes; at most {limit} are accepted"),
        )
    }

    /// 415: the body is not declared as JSON.
    pub fn unsupported_media_type(content_type: Option<&str>) -> Self {
        let detail = match content_type {
            Some(given) => format!("Content-Type must be application/json, not {given:?}"),
            None => "Content-Type must be application/json, and it is missing".to_owned(),
        };
        Problem::new(
            "unsupported-media-type",
            "The request body must be application/json",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            detail,
        )
    }

    /// 422: the document is JSON but not a valid invoice.
    pub fn invalid_invoice(violations: &Violations) -> Self {
        let violations: Vec<Violation> = violations
            .iter()
            .map(|violation| Violation {
                pointer: violation.pointer.clone(),
                rule: violation.rule.clone(),
            })
            .collect();
        Problem::invalid_fields(violations)
    }

    /// 422: the theme the invoice names does not exist or is invalid: the document's `/theme`
    /// is the field at fault, in the shape of [`Problem::invalid_invoice`].
    pub fn unusable_theme(rule: String) -> Self {
        let violations = vec![Violation {
            pointer: "/theme".to_owned(),
            rule,
        }];
        Problem::invalid_fields(violations)
    }

    /// The 422 `invalid-invoice` problem listing `violations`, each a field and its rule.
    fn invalid_fields(violations: Vec<Violation>) -> Self {
        let detail = describe(&violations);
        Problem {
            violations,
            ..Problem::new(
                "invalid-invoice",
                "The invoice is invalid",
                StatusCode::UNPROCESSABLE_ENTITY,
                detail,
            )
        }
    }

    /// 422: the invoice is valid but cannot become the e-invoice asked for (the request's
    /// `?einvoice=` or the document's own `einvoice`): every missing business term, each with
    /// its pointer, in the shape of [`Problem::invalid_invoice`].
    pub fn einvoice_impossible(violations: &[paperflow_invoice::Violation]) -> Self {
        let violations: Vec<Violation> = violations
            .iter()
            .map(|violation| Violation {
                pointer: violation.pointer.clone(),
                rule: violation.rule.clone(),
            })
            .collect();
        let detail = describe(&violations);
        Problem {
            violations,
            ..Problem::new(
                "einvoice-impossible",
                "The invoice cannot become the e-invoice asked for",
                StatusCode::UNPROCESSABLE_ENTITY,
                detail,
            )
        }
    }

    /// 404: no such route.
    pub fn no_route(path: &str) -> Self {
        Problem::new(
            "not-found",
            "No such resource",
            StatusCode::NOT_FOUND,
            format!("nothing is served at {path:?}"),
        )
    }

    /// 404: the invoice (or its revision) is unknown.
    pub fn unknown_invoice(invoice_id: &str, revision: Option<u32>) -> Self {
        let detail = match revision {
            Some(revision) => format!("revision {revision} of invoice {invoice_id} is unknown"),
            None => format!("invoice {invoice_id} is unknown"),
        };
        Problem::new(
            "invoice-not-found",
            "The invoice is unknown",
            StatusCode::NOT_FOUND,
            detail,
        )
    }

    /// 405: the path exists, the method does not.
    pub fn method_not_allowed(method: &str, allow: &'static str) -> Self {
        Problem {
            allow: Some(allow),
            ..Problem::new(
                "method-not-allowed",
                "The method is not allowed here",
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed here; allowed: {allow}"),
            )
        }
    }

    /// 409: the idempotency key was first used with a different body.
    pub fn idempotency_key_reused() -> Self {
        Problem::new(
            "idempotency-key-reused",
            "The idempotency key was used for a different request",
            StatusCode::CONFLICT,
            "this Idempotency-Key was first sent with a different body; \
             use a new key for a new request",
        )
    }

    /// 503: a dependency failed; the request may be retried.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Problem {
            retry_after: Some(1),
            ..Problem::new(
                "service-unavailable",
                "A service the API depends on is unavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                detail,
            )
        }
    }

    /// 500: the service is misconfigured (a permission, a bucket, a topic, a key): a retry
    /// cannot help until the deployment is fixed, so there is no `Retry-After`.
    pub fn misconfigured(detail: impl Into<String>) -> Self {
        Problem::new(
            "service-misconfigured",
            "The service is misconfigured",
            StatusCode::INTERNAL_SERVER_ERROR,
            detail,
        )
    }

    /// The answer to a failed dependency: 503 with `Retry-After` when it may pass by itself,
    /// 500 `service-misconfigured` when only a fix of the deployment mends it. The caller
    /// learns which part of the service failed and the failure's code; the SDK's own words
    /// (ARNs, bucket names, endpoints) go to the log, not to the internet.
    pub fn dependency(error: &DependencyError) -> Self {
        tracing::error!(service = error.service, retryable = error.retryable, %error, "dependency failed");
        let part = match error.service {
            "s3" | "store" => "the document store",
            "sns" => "the event topic",
            other => other,
        };
        let failure = RecordFailure::from(error.clone());
        match failure.kind {
            FailureKind::Transient => {
                Problem::unavailable(format!("{part} did not answer as expected; retry later"))
            }
            FailureKind::Misconfigured | FailureKind::Permanent => Problem::misconfigured(format!(
                "{part} refused the request ({}); retrying will not help until the service's \
                 operators fix its deployment",
                failure.code
            )),
        }
    }

    /// 500: a bug. Never the answer to anything the client sent.
    pub fn internal(detail: impl Into<String>) -> Self {
        Problem::new(
            "internal",
            "Internal error",
            StatusCode::INTERNAL_SERVER_ERROR,
            detail,
        )
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The answer.
    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_else(|_| {
            format!(r#"{{"type":"{TYPE_PREFIX}internal","title":"Internal error","status":500}}"#)
        });
        let mut response = Response::new(Body::Text(body));
        *response.status_mut() = self.status();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if let Some(allow) = self.allow {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        response
    }
}

/// The violations in one sentence (the first few; the list has them all).
fn describe(violations: &[Violation]) -> String {
    const SHOWN: usize = 3;
    let mut parts: Vec<String> = violations
        .iter()
        .take(SHOWN)
        .map(|violation| {
            if violation.pointer.is_empty() {
                violation.rule.clone()
            } else {
                format!("{}: {}", violation.pointer, violation.rule)
            }
        })
        .collect();
    if violations.len() > SHOWN {
        parts.push(format!("and {} more", violations.len() - SHOWN));
    }
    parts.join("; ")
}
