//! Whether a failed AWS call is worth retrying: one decision for every adapter.

use aws_runtime::retries::classifiers::{THROTTLING_ERRORS, TRANSIENT_ERRORS};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use paperflow_pipeline::DependencyError;

/// Codes the SDK's retry classifiers do not list, but that mean "retry" for the services
/// paperflow calls. Everything else that means so is the SDK's own classification:
/// [`THROTTLING_ERRORS`] and [`TRANSIENT_ERRORS`] (the codes its standard retry strategy
/// retries), and any 5xx or 429 status.
const RETRYABLE_BEYOND_THE_SDK: &[&str] = &[
    // S3: another conditional write to the same key was in flight (409); AWS says retry.
    "ConditionalRequestConflict",
    // SNS, publishing to a topic encrypted with a KMS key that is throttling (400).
    "KMSThrottlingException",
    "KMSThrottling",
];

/// Whether an answered error with `code` and HTTP `status` is worth retrying.
fn retryable_answer(status: u16, code: &str) -> bool {
    status >= 500
        || status == 429
        || THROTTLING_ERRORS.contains(&code)
        || TRANSIENT_ERRORS.contains(&code)
        || RETRYABLE_BEYOND_THE_SDK.contains(&code)
}

/// Turns an SDK error into a [`DependencyError`] of `service`, deciding whether it is
/// retryable.
///
/// Retryable: the request never got an answer (dispatch, connection, I/O, timeouts), the
/// answer could not be read, throttling and timeout codes, and every 5xx. Not retryable:
/// every other answer (4xx such as `AccessDenied`, `NoSuchBucket`, `NotFound` topics,
/// validation errors) and requests that could not be built.
pub fn classify<E>(service: &'static str, error: &SdkError<E, HttpResponse>) -> DependencyError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let (retryable, message) = match error {
        SdkError::ConstructionFailure(_) => (false, format!("request not built: {}", chain(error))),
        SdkError::TimeoutError(_) => (true, format!("timed out: {}", chain(error))),
        SdkError::DispatchFailure(_) => (true, format!("no answer: {}", chain(error))),
        SdkError::ResponseError(context) => (
            true,
            format!(
                "unreadable answer (HTTP {}): {}",
                context.raw().status().as_u16(),
                chain(error)
            ),
        ),
        SdkError::ServiceError(context) => {
            let status = context.raw().status().as_u16();
            let code = error.code().unwrap_or("");
            let retryable = retryable_answer(status, code);
            let text = error.message().unwrap_or("");
            let code = if code.is_empty() {
                "no error code"
            } else {
                code
            };
            (
                retryable,
                format!("HTTP {status} {code}: {text}")
                    .trim_end_matches([':', ' '])
                    .to_owned(),
            )
        }
        _ => (true, format!("unexpected failure: {}", chain(error))),
    };
    DependencyError {
        service,
        retryable,
        message,
    }
}

/// The error and its sources, "outer: inner: innermost".
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.contains(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::error::ErrorMetadata;
    use aws_sdk_s3::operation::put_object::PutObjectError;
    use aws_sdk_s3::primitives::SdkBody;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::http::StatusCode;

    fn answered(status: u16, code: &str) -> SdkError<PutObjectError, HttpResponse> {
        let metadata = ErrorMetadata::builder()
            .code(code)
            .message("what S3 said")
            .build();
        let status = StatusCode::try_from(status).expect("a status code");
        SdkError::service_error(
            PutObjectError::generic(metadata),
            HttpResponse::new(status, SdkBody::empty()),
        )
    }

    fn retryable(error: &SdkError<PutObjectError, HttpResponse>) -> bool {
        let classified = classify("s3", error);
        assert_eq!(classified.service, "s3");
        classified.retryable
    }

    #[test]
    fn throttling_timeouts_and_5xx_are_retryable() {
        for (status, code) in [
            (503, "SlowDown"),
            (400, "Throttling"),
            (400, "ThrottlingException"),
            (400, "RequestLimitExceeded"),
            (400, "KMSThrottlingException"),
            (400, "PriorRequestNotComplete"),
            (400, "RequestTimeout"),
            (409, "ConditionalRequestConflict"),
            (429, "TooManyRequests"),
            (500, "InternalError"),
            (502, ""),
            (504, "GatewayTimeout"),
        ] {
            assert!(retryable(&answered(status, code)), "{status} {code}");
        }
    }

    #[test]
    fn client_errors_are_permanent() {
        for (status, code) in [
            (403, "AccessDenied"),
            (404, "NoSuchBucket"),
            (400, "InvalidArgument"),
            (400, "InvalidParameter"),
            (404, "NotFound"),
            (413, "EntityTooLarge"),
        ] {
            assert!(!retryable(&answered(status, code)), "{status} {code}");
        }
    }

    #[test]
    fn no_answer_is_retryable_and_a_request_not_built_is_not() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let dispatch: SdkError<PutObjectError, HttpResponse> =
            SdkError::dispatch_failure(ConnectorError::io(Box::new(io)));
        assert!(retryable(&dispatch));
        let timeout: SdkError<PutObjectError, HttpResponse> =
            SdkError::timeout_error("operation timeout");
        assert!(retryable(&timeout));
        let construction: SdkError<PutObjectError, HttpResponse> =
            SdkError::construction_failure("bucket is required");
        assert!(!retryable(&construction));
    }

    #[test]
    fn the_message_names_status_code_and_text() {
        let error = classify("s3", &answered(403, "AccessDenied"));
        assert_eq!(error.message, "HTTP 403 AccessDenied: what S3 said");
        assert_eq!(
            error.to_string(),
            "s3 (permanent): HTTP 403 AccessDenied: what S3 said"
        );
    }
}
