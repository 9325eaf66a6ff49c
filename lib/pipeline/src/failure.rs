//! How processing one message can fail, and what the failure policy does with it.
//!
//! | kind | what it means | what becomes of the message |
//! |---|---|---|
//! | [`FailureKind::Transient`] | a dependency that is down, throttling, a timeout: it may pass by itself | left for redelivery; after the queue's maxReceiveCount it lands in the DLQ |
//! | [`FailureKind::Permanent`] | the input itself is wrong (not JSON, not an event, an unknown major version, an invalid invoice, a conflicting revision) | announced as an `invoice.pdf.failed.v1` notice with the reason and the input, and acknowledged |
//! | [`FailureKind::Misconfigured`] | a dependency refused for good (access denied, no such bucket or topic, an unverified sender, a KMS key that is disabled or not granted): only a change to the deployment mends it | handed to the queue's DLQ at once ([`DeadLetterQueue`]), counted as a `Misconfigurations` metric that alarms; never hot-retried |
//!
//! Either way nothing is lost: a misconfigured message waits in the DLQ, untouched, until an
//! operator has fixed the deployment and redrives it.

use crate::ports::DependencyError;
use paperflow_events::DecodeError;
use std::collections::BTreeMap;
use std::future::Future;

/// Whether trying again may help, and who can make it succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// It may pass by itself: the message is left for redelivery.
    Transient,
    /// The input can never succeed: the failure is announced and the message acknowledged.
    Permanent,
    /// The deployment is wrong (a permission, a resource, a sender, a key): the message goes to
    /// the dead-letter queue at once, and an alarm calls an operator. Retrying before the fix
    /// only burns the message's receive count.
    Misconfigured,
}

/// Why one message could not be processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// Transient, permanent or misconfigured.
    pub kind: FailureKind,
    /// A stable, machine-readable code: `invalid_invoice`, `revision_conflict`, `s3_unavailable`,
    /// `s3_misconfigured`, …
    pub code: String,
    /// What went wrong, in plain words, naming the field and the rule where there is one.
    pub message: String,
    /// The invoice concerned, when it could be read.
    pub invoice_id: Option<String>,
    /// Its revision, when it could be read.
    pub revision: Option<u32>,
}

impl RecordFailure {
    /// A failure that trying again cannot fix.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> RecordFailure {
        RecordFailure {
            kind: FailureKind::Permanent,
            code: code.into(),
            message: message.into(),
            invoice_id: None,
            revision: None,
        }
    }

    /// A failure that may pass.
    pub fn transient(code: impl Into<String>, message: impl Into<String>) -> RecordFailure {
        RecordFailure {
            kind: FailureKind::Transient,
            ..RecordFailure::permanent(code, message)
        }
    }

    /// A failure only a change to the deployment can mend.
    pub fn misconfigured(code: impl Into<String>, message: impl Into<String>) -> RecordFailure {
        RecordFailure {
            kind: FailureKind::Misconfigured,
            ..RecordFailure::permanent(code, message)
        }
    }

    /// The same failure, about `invoice_id` at `revision`.
    pub fn about(mut self, invoice_id: &str, revision: u32) -> RecordFailure {
        self.invoice_id = Some(invoice_id.to_owned());
        self.revision = Some(revision);
        self
    }

    /// Whether the failure may pass by itself, so the message should be left for redelivery.
    pub fn is_transient(&self) -> bool {
        self.kind == FailureKind::Transient
    }

    /// Whether the input itself can never succeed, so the failure is announced and the
    /// message acknowledged. Only then may a message leave the queue without a result.
    pub fn is_permanent(&self) -> bool {
        self.kind == FailureKind::Permanent
    }

    /// Whether only a change to the deployment can mend it.
    pub fn is_misconfigured(&self) -> bool {
        self.kind == FailureKind::Misconfigured
    }
}

impl std::fmt::Display for RecordFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for RecordFailure {}

impl From<DependencyError> for RecordFailure {
    /// A retryable dependency error is transient (`{service}_unavailable`); one that is not
    /// (the service answered with a refusal that will be the same next time, see
    /// `paperflow_aws::errors`) is a misconfiguration (`{service}_misconfigured`).
    fn from(error: DependencyError) -> RecordFailure {
        if error.retryable {
            RecordFailure::transient(format!("{}_unavailable", error.service), error.to_string())
        } else {
            RecordFailure::misconfigured(
                format!("{}_misconfigured", error.service),
                error.to_string(),
            )
        }
    }
}

impl From<DecodeError> for RecordFailure {
    fn from(error: DecodeError) -> RecordFailure {
        RecordFailure::permanent(error.code(), error.to_string())
    }
}

/// A message attribute as a queue keeps it: its data type (`String`, `Number`, or either with
/// a custom suffix) and its value in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageAttribute {
    /// `String`, `Number`, `String.custom`, …
    pub data_type: String,
    /// The value.
    pub value: String,
}

/// A message handed to the dead-letter queue: what the queue delivered, unchanged, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadLetter<'a> {
    /// The message body, byte for byte as delivered.
    pub body: &'a str,
    /// Its message attributes (SNS's `type`, `subject`, `correlationid` on raw delivery).
    pub attributes: &'a BTreeMap<String, MessageAttribute>,
    /// Why it could not be processed.
    pub failure: &'a RecordFailure,
}

/// The message attribute that tells an operator why a message is in the dead-letter queue. It
/// travels back with a redrive, where nothing reads it.
pub const FAILURE_ATTRIBUTE: &str = "paperflow-failure";

/// Where a message goes that only a fix of the deployment can process: the queue's own
/// dead-letter queue, in production (SQS).
pub trait DeadLetterQueue: Send + Sync {
    /// Sends `letter` to the dead-letter queue: its body and attributes as they were, plus
    /// [`FAILURE_ATTRIBUTE`] with the failure's code.
    fn send(
        &self,
        letter: &DeadLetter<'_>,
    ) -> impl Future<Output = Result<(), DependencyError>> + Send;
}

/// The [`DeadLetterQueue`] of a consumer that has none: it takes nothing, so a misconfigured
/// message is left for redelivery (and, after maxReceiveCount, the queue's own redrive). What a
/// processor built without a dead-letter queue (a test, a benchmark) uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoDeadLetterQueue;

impl DeadLetterQueue for NoDeadLetterQueue {
    async fn send(&self, _: &DeadLetter<'_>) -> Result<(), DependencyError> {
        Err(DependencyError {
            service: "dead-letter queue",
            retryable: true,
            message: "no dead-letter queue is configured: left for redelivery".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(service: &'static str, retryable: bool) -> DependencyError {
        DependencyError {
            service,
            retryable,
            message: "HTTP 403 AccessDenied: no".into(),
        }
    }

    #[test]
    fn a_refusal_for_good_is_a_misconfiguration_and_anything_else_transient() {
        let misconfigured = RecordFailure::from(refused("s3", false));
        assert_eq!(misconfigured.kind, FailureKind::Misconfigured);
        assert_eq!(misconfigured.code, "s3_misconfigured");
        assert!(!misconfigured.is_transient() && !misconfigured.is_permanent());
        let transient = RecordFailure::from(refused("sns", true));
        assert_eq!(transient.kind, FailureKind::Transient);
        assert_eq!(transient.code, "sns_unavailable");
    }
}
