//! The error answers a service really gives for throttling and for a fault of its own, in the
//! shape its protocol has, so that the SDK parses and classifies them as it would in AWS:
//! S3's `<Error><Code>SlowDown</Code>` (503) and `InternalError` (500); the query protocol's
//! `<ErrorResponse>` (SNS `Throttling` 400, `InternalError` 500); SQS's JSON protocol
//! (`__type` and `x-amzn-query-error`); SES v2's REST-JSON (`x-amzn-ErrorType`:
//! `TooManyRequestsException` 429, `InternalFailure` 500).

use super::call::{Call, Protocol};
use super::spec::FaultKind;

/// An answer to send instead of forwarding the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The error code the SDK will read (`SlowDown`, `Throttling`, …).
    pub code: &'static str,
    /// Headers besides Content-Length.
    pub headers: Vec<(&'static str, String)>,
    /// The body (empty for a HEAD request, as S3 sends it).
    pub body: Vec<u8>,
}

/// The answer of `call`'s service for `kind` (throttle or error); `request_id` is the answer's
/// request id. `head` is true for a HEAD request, whose answer has no body.
pub fn error_answer(call: &Call, kind: FaultKind, request_id: &str, head: bool) -> ErrorAnswer {
    let throttled = kind == FaultKind::Throttle;
    let mut answer = match call.protocol {
        Protocol::RestXml => {
            let (status, code, message) = if throttled {
                (503, "SlowDown", "Please reduce your request rate.")
            } else {
                (
                    500,
                    "InternalError",
                    "We encountered an internal error. Please try again.",
                )
            };
            ErrorAnswer {
                status,
                code,
                headers: vec![
                    ("content-type", "application/xml".to_owned()),
                    ("x-amz-request-id", request_id.to_owned()),
                ],
                body: format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId><HostId>paperflow-faults</HostId></Error>"
                )
                .into_bytes(),
            }
        }
        Protocol::Query => {
            let (status, code, fault, message) = if throttled {
                (400, "Throttling", "Sender", "Rate exceeded")
            } else {
                (500, "InternalError", "Receiver", "Internal error")
            };
            let namespace = match call.service.as_str() {
                "sqs" => "http://queue.amazonaws.com/doc/2012-11-05/",
                "ses" => "http://ses.amazonaws.com/doc/2010-12-01/",
                _ => "http://sns.amazonaws.com/doc/2010-03-31/",
            };
            ErrorAnswer {
                status,
                code,
                headers: vec![
                    ("content-type", "text/xml".to_owned()),
                    ("x-amzn-requestid", request_id.to_owned()),
                ],
                body: format!(
                    "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{fault}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
                )
                .into_bytes(),
            }
        }
        Protocol::AwsJson => {
            let (status, code, fault, message) = if throttled {
                (400, "RequestThrottled", "Sender", "Request is throttled.")
            } else {
                (
                    500,
                    "InternalError",
                    "Receiver",
                    "We encountered an internal error.",
                )
            };
            ErrorAnswer {
                status,
                code,
                headers: vec![
                    ("content-type", "application/x-amz-json-1.0".to_owned()),
                    ("x-amzn-requestid", request_id.to_owned()),
                    ("x-amzn-query-error", format!("{code};{fault}")),
                ],
                body: serde_json::json!({
                    "__type": format!("com.amazonaws.{}#{code}", call.service),
                    "message": message,
                })
                .to_string()
                .into_bytes(),
            }
        }
        Protocol::RestJson => {
            let (status, code, message) = if throttled {
                (
                    429,
                    "TooManyRequestsException",
                    "Maximum sending rate exceeded.",
                )
            } else {
                (
                    500,
                    "InternalFailure",
                    "The request processing has failed because of an unknown error.",
                )
            };
            ErrorAnswer {
                status,
                code,
                headers: vec![
                    ("content-type", "application/json".to_owned()),
                    ("x-amzn-requestid", request_id.to_owned()),
                    ("x-amzn-errortype", code.to_owned()),
                ],
                body: serde_json::json!({ "message": message })
                    .to_string()
                    .into_bytes(),
            }
        }
    };
    if head {
        answer.body.clear();
    }
    answer
}
