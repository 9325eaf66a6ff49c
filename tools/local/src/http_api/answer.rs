//! The function's answer turned into the HTTP response, or into API Gateway's own error answers
//! (500 for a malformed answer or a failed function, 503 for a timeout). Pure: no I/O.

use super::{INTEGRATION_TIMEOUT, MAX_INVOKE_PAYLOAD};
use crate::invoke::{Invocation, InvokeError};
use base64::Engine as _;
use serde_json::{Value, json};

/// What the client gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayResponse {
    /// The status code.
    pub status: u16,
    /// Headers in order (`set-cookie` may repeat).
    pub headers: Vec<(String, String)>,
    /// The body's bytes.
    pub body: Vec<u8>,
}

impl GatewayResponse {
    /// One of API Gateway's own answers: `{"message":"…"}` as JSON.
    pub fn gateway_error(status: u16, message: &str) -> GatewayResponse {
        GatewayResponse {
            status,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: json!({ "message": message }).to_string().into_bytes(),
        }
    }

    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// How the integration ended.
#[derive(Debug)]
pub enum IntegrationResult {
    /// The function answered (normally or with a function error).
    Answered(Invocation),
    /// The function could not be invoked, or Lambda ended it.
    Failed(InvokeError),
    /// The gateway stopped waiting after [`INTEGRATION_TIMEOUT`].
    TimedOut,
}

/// The answer to the client and, for API Gateway's own errors, why.
#[derive(Clone, Debug)]
pub struct Translated {
    /// What the client gets.
    pub response: GatewayResponse,
    /// Why the gateway answered with an error instead of the function's answer.
    pub problem: Option<String>,
}

/// The client's answer for how the integration ended, per payload format 2.0.
pub fn translate(result: IntegrationResult) -> Translated {
    let internal = |problem: String| Translated {
        response: GatewayResponse::gateway_error(500, "Internal Server Error"),
        problem: Some(problem),
    };
    match result {
        IntegrationResult::Answered(invocation) => {
            if let Some(error) = &invocation.function_error {
                // A function error is an integration failure: HTTP APIs answer 500.
                return internal(format!(
                    "the function failed ({error}): {}",
                    String::from_utf8_lossy(&invocation.payload)
                ));
            }
            match function_response(&invocation.payload) {
                Ok(response) => Translated {
                    response,
                    problem: None,
                },
                Err(problem) => internal(format!("invalid function response: {problem}")),
            }
        }
        // Lambda ends a function at its own Timeout and reports a function error, which API
        // Gateway answers with 500; only when the gateway gives up first (its 30-second
        // integration timeout) is the answer 503.
        IntegrationResult::Failed(InvokeError::Timeout(limit)) if limit < INTEGRATION_TIMEOUT => {
            internal(format!("the function timed out after {limit:?}"))
        }
        IntegrationResult::Failed(InvokeError::Timeout(limit)) => Translated {
            response: GatewayResponse::gateway_error(503, "Service Unavailable"),
            problem: Some(format!(
                "the function ran past the integration timeout ({limit:?})"
            )),
        },
        IntegrationResult::TimedOut => Translated {
            response: GatewayResponse::gateway_error(503, "Service Unavailable"),
            problem: Some(format!(
                "no answer within the integration timeout ({INTEGRATION_TIMEOUT:?})"
            )),
        },
        IntegrationResult::Failed(error) => internal(error.to_string()),
    }
}

/// A function's successful answer as the client's response: the payload format 2.0 rules.
///
/// With a `statusCode`, the answer is `{statusCode, headers, cookies, body, isBase64Encoded}`:
/// each cookie becomes a `set-cookie` header and a base64 body is decoded to bytes. Without
/// one, "API Gateway can infer the response format": valid JSON becomes a 200 with
/// `content-type: application/json` and the function's JSON as the body.
pub fn function_response(payload: &[u8]) -> Result<GatewayResponse, String> {
    if payload.len() > MAX_INVOKE_PAYLOAD {
        return Err(format!(
            "the response payload has {} bytes, over Lambda's {MAX_INVOKE_PAYLOAD}",
            payload.len()
        ));
    }
    let value: Value =
        serde_json::from_slice(payload).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let Some(status) = value.as_object().and_then(|o| o.get("statusCode")) else {
        return Ok(GatewayResponse {
            status: 200,
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: payload.to_vec(),
        });
    };
    let status = match status {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .filter(|code| (100..=599).contains(code))
    .ok_or_else(|| format!("statusCode {status} is not an HTTP status"))? as u16;

    let mut headers = Vec::new();
    match value.get("headers") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (name, value) in map {
                let value = match value {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    other => return Err(format!("header {name} has the value {other}")),
                };
                let name = name.to_ascii_lowercase();
                // The gateway frames the body itself.
                if matches!(
                    name.as_str(),
                    "content-length" | "transfer-encoding" | "connection"
                ) {
                    continue;
                }
                headers.push((name, value));
            }
        }
        Some(other) => return Err(format!("headers is not an object: {other}")),
    }
    match value.get("cookies") {
        None | Some(Value::Null) => {}
        Some(Value::Array(cookies)) => {
            for cookie in cookies {
                let cookie = cookie
                    .as_str()
                    .ok_or_else(|| format!("cookie {cookie} is not a string"))?;
                headers.push(("set-cookie".to_owned(), cookie.to_owned()));
            }
        }
        Some(other) => return Err(format!("cookies is not an array: {other}")),
    }
    let is_base64 = match value.get("isBase64Encoded") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => return Err(format!("isBase64Encoded is not a boolean: {other}")),
    };
    let body = match value.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(body)) if is_base64 => base64::engine::general_purpose::STANDARD
            .decode(body.trim())
            .map_err(|e| format!("the body is not base64: {e}"))?,
        Some(Value::String(body)) => body.clone().into_bytes(),
        Some(other) => return Err(format!("body is not a string: {other}")),
    };
    Ok(GatewayResponse {
        status,
        headers,
        body,
    })
}
