//! Whether a failed AWS call is worth retrying: one decision for every adapter.
//!
//! Three answers, which `paperflow_pipeline::failure` turns into its three failure kinds:
//!
//! - **retryable** (transient): no answer at all, throttling, timeouts, every 5xx and 429;
//! - **a misconfiguration**: an answer that will be the same until someone changes the
//!   deployment: the role may not do it, the bucket or topic does not exist, the sender is not
//!   verified, the KMS key is disabled or not granted. [`MISCONFIGURATIONS`] lists the codes
//!   AWS answers for each, with what to fix; the hint is part of the error's message;
//! - **every other refusal** (a 4xx not listed: an invalid parameter, an entity too large, a
//!   request that could not be built): paperflow built a request AWS will never accept, which a
//!   new deployment fixes as well. It is not retryable, and so treated like a misconfiguration.

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

/// An error code that means the deployment is wrong, and what an operator must fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Misconfiguration {
    /// The error code AWS answers (`AccessDenied`, `NoSuchBucket`, …).
    pub code: &'static str,
    /// Where it comes from.
    pub services: &'static str,
    /// What to fix, in a few words.
    pub fix: &'static str,
}

const fn misconfiguration(
    code: &'static str,
    services: &'static str,
    fix: &'static str,
) -> Misconfiguration {
    Misconfiguration {
        code,
        services,
        fix,
    }
}

/// Every answer paperflow knows to mean "the deployment is wrong". Whatever its HTTP status, an
/// answer with one of these codes is never retried; any 403 is one too, whatever its code.
pub const MISCONFIGURATIONS: &[Misconfiguration] = &[
    misconfiguration(
        "AccessDenied",
        "S3, SQS",
        "the function's role, the bucket or queue policy, or the KMS key policy must allow the call",
    ),
    misconfiguration(
        "AccessDeniedException",
        "SES, SQS (JSON), KMS",
        "the function's role must allow the call",
    ),
    misconfiguration(
        "AuthorizationError",
        "SNS",
        "the function's role and the topic policy must allow sns:Publish",
    ),
    misconfiguration(
        "AllAccessDisabled",
        "S3",
        "access to the bucket has been disabled",
    ),
    misconfiguration(
        "InvalidAccessKeyId",
        "S3",
        "the function's credentials are not valid in this account",
    ),
    misconfiguration(
        "InvalidClientTokenId",
        "SNS, SQS",
        "the function's credentials are not valid in this account",
    ),
    misconfiguration(
        "UnrecognizedClientException",
        "SES, SQS (JSON)",
        "the function's credentials are not valid in this account",
    ),
    misconfiguration(
        "NoSuchBucket",
        "S3",
        "the bucket named in the function's environment does not exist",
    ),
    misconfiguration(
        "NotFound",
        "SNS",
        "the topic named in the function's environment does not exist",
    ),
    misconfiguration(
        "AWS.SimpleQueueService.NonExistentQueue",
        "SQS",
        "the queue named in the function's environment does not exist",
    ),
    misconfiguration(
        "QueueDoesNotExist",
        "SQS (JSON)",
        "the queue named in the function's environment does not exist",
    ),
    misconfiguration(
        "MessageRejected",
        "SES",
        "the sender (MAIL_FROM) must be a verified identity, and in the sandbox the recipient too",
    ),
    misconfiguration(
        "MailFromDomainNotVerifiedException",
        "SES",
        "the sender's MAIL FROM domain must be verified",
    ),
    misconfiguration(
        "AccountSuspendedException",
        "SES",
        "the account may not send e-mail: contact AWS",
    ),
    misconfiguration(
        "SendingPausedException",
        "SES",
        "sending is paused for the account or configuration set",
    ),
    misconfiguration(
        "KMS.AccessDeniedException",
        "S3, SQS",
        "the KMS key policy must grant the function's role",
    ),
    misconfiguration(
        "KMS.DisabledException",
        "S3, SQS",
        "the KMS key must be enabled",
    ),
    misconfiguration(
        "KMS.KMSInvalidStateException",
        "S3, SQS",
        "the KMS key must be enabled, not pending deletion",
    ),
    misconfiguration("KMS.NotFoundException", "S3, SQS", "the KMS key must exist"),
    misconfiguration(
        "KMSAccessDenied",
        "SNS",
        "the topic's KMS key policy must grant the function's role",
    ),
    misconfiguration("KMSDisabled", "SNS", "the topic's KMS key must be enabled"),
    misconfiguration(
        "KMSInvalidState",
        "SNS",
        "the topic's KMS key must be enabled, not pending deletion",
    ),
    misconfiguration("KMSNotFound", "SNS", "the topic's KMS key must exist"),
    misconfiguration(
        "KMSOptInRequired",
        "SNS",
        "the account must be subscribed to KMS",
    ),
    misconfiguration(
        "KMSInvalidStateException",
        "KMS",
        "the KMS key must be enabled, not pending deletion",
    ),
    misconfiguration("DisabledException", "KMS", "the KMS key must be enabled"),
];

/// What to fix when an answer with `status` and `code` means the deployment is wrong.
pub fn misconfiguration_of(status: u16, code: &str) -> Option<&'static str> {
    MISCONFIGURATIONS
        .iter()
        .find(|known| known.code == code)
        .map(|known| known.fix)
        .or((status == 403)
            .then_some("the function's role or a resource policy must allow the call"))
}

/// Whether an answered error with `code` and HTTP `status` is worth retrying.
fn retryable_answer(status: u16, code: &str) -> bool {
    if misconfiguration_of(status, code).is_some() {
        return false;
    }
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
/// a [misconfiguration](MISCONFIGURATIONS) (its fix is added to the message), every other
/// answer (4xx such as validation errors) and requests that could not be built.
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
            let mut message = format!("HTTP {status} {code}: {text}")
                .trim_end_matches([':', ' '])
                .to_owned();
            if let Some(fix) = misconfiguration_of(status, code) {
                message.push_str(&format!(" (misconfigured: {fix})"));
            }
            (retryable, message)
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
    fn every_misconfiguration_is_refused_for_good_whatever_its_status() {
        for known in MISCONFIGURATIONS {
            for status in [400, 403, 404, 500, 503] {
                let error = classify("s3", &answered(status, known.code));
                assert!(!error.retryable, "{status} {}", known.code);
                assert!(
                    error
                        .message
                        .ends_with(&format!("(misconfigured: {})", known.fix)),
                    "{}",
                    error.message
                );
            }
        }
    }

    #[test]
    fn any_403_is_a_misconfiguration_and_other_refusals_carry_no_hint() {
        let forbidden = classify("s3", &answered(403, "SignatureDoesNotMatch"));
        assert!(!forbidden.retryable);
        assert!(
            forbidden.message.contains("(misconfigured: "),
            "{}",
            forbidden.message
        );
        let invalid = classify("s3", &answered(400, "InvalidArgument"));
        assert!(!invalid.retryable && !invalid.message.contains("misconfigured"));
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
        let error = classify("s3", &answered(413, "EntityTooLarge"));
        assert_eq!(error.message, "HTTP 413 EntityTooLarge: what S3 said");
        assert_eq!(
            error.to_string(),
            "s3 (permanent): HTTP 413 EntityTooLarge: what S3 said"
        );
        let error = classify("s3", &answered(404, "NoSuchBucket"));
        assert_eq!(
            error.message,
            "HTTP 404 NoSuchBucket: what S3 said (misconfigured: the bucket named in the \
             function's environment does not exist)"
        );
    }
}
