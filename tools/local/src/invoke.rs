//! The seam between the triggers (SQS and SNS mappings, the HTTP API) and the functions: one
//! synchronous invocation of a function with a JSON payload, as Lambda's Invoke API does it.
//!
//! `runtime` implements it over `cargo lambda watch`; tests of the triggers may implement it
//! with a function of their own.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What a function answered.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// The response payload (the handler's JSON answer, or the error document on failure).
    pub payload: Vec<u8>,
    /// `Some("Unhandled")` when the function failed (Lambda's `X-Amz-Function-Error`).
    pub function_error: Option<String>,
    /// Wall time of the invocation.
    pub duration: Duration,
}

impl Invocation {
    /// True when the function returned normally.
    pub fn succeeded(&self) -> bool {
        self.function_error.is_none()
    }
}

/// Why an invocation has no answer at all.
#[derive(Debug, thiserror::Error)]
pub enum InvokeError {
    /// The function ran longer than its `Timeout`.
    #[error("the function timed out after {0:?}")]
    Timeout(Duration),
    /// The runtime could not be reached or broke the protocol.
    #[error("the function could not be invoked: {0}")]
    Unavailable(String),
}

/// A boxed future of an invocation.
pub type InvokeFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Invocation, InvokeError>> + Send + 'a>>;

/// Invokes functions by their binary name (`FunctionSpec::binary`).
pub trait Invoke: Send + Sync {
    /// Invokes `function` synchronously with `payload` and waits for its answer.
    fn invoke<'a>(&'a self, function: &'a str, payload: Vec<u8>) -> InvokeFuture<'a>;
}
